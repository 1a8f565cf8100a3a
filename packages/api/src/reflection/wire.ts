// The wire form of grpc.reflection.{v1,v1alpha}.ServerReflection's two messages (the same field
// numbers in both versions; proto/grpc/reflection/v1/reflection.proto). They are small and fixed,
// so they are read and written here rather than through mo's codec, which is driven by mo.v1's
// descriptor only. Reading follows protobuf's rules: unknown fields of every wire type are
// skipped, the last member of the oneof wins, a repeated embedded message merges.

/** A decoded ServerReflectionRequest: at most one kind of question is set. */
export type ReflectionRequest =
  | { kind: 'file_by_filename'; name: string }
  | { kind: 'file_containing_symbol'; symbol: string }
  | { kind: 'file_containing_extension'; containingType: string; extensionNumber: number }
  | { kind: 'all_extension_numbers_of_type'; type: string }
  | { kind: 'list_services' }
  | { kind: 'none' };

export interface DecodedRequest {
  host: string;
  request: ReflectionRequest;
}

/** What a ServerReflectionResponse carries besides the echoed request. */
export type ReflectionAnswer =
  | { kind: 'files'; files: Buffer[] }
  | { kind: 'extension_numbers'; baseTypeName: string; numbers: number[] }
  | { kind: 'services'; names: string[] }
  | { kind: 'error'; code: number; message: string };

/** Thrown for bytes that are not a well-formed protobuf message. */
export class MalformedMessageError extends Error {}

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}

  /** A varint as a number: exact up to 2^53, which covers every tag and length. */
  varint(): number {
    return this.readVarint().value;
  }

  /** A varint as an int32: its low 32 bits, two's complement (negatives are 10 bytes). */
  int32(): number {
    return this.readVarint().low32 | 0;
  }

  private readVarint(): { value: number; low32: number } {
    let value = 0;
    let low32 = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      if (this.pos >= this.end) throw new MalformedMessageError('truncated varint');
      const b = this.buf[this.pos++]!;
      if (shift < 53) value += (b & 0x7f) * 2 ** shift;
      if (shift < 32) low32 = (low32 | ((b & 0x7f) << shift)) >>> 0;
      if (b < 0x80) return { value, low32 };
    }
    throw new MalformedMessageError('varint longer than 10 bytes');
  }

  /** The bounds of a length-delimited field's payload, which the reader then skips. */
  delimited(): [number, number] {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) throw new MalformedMessageError('length past the end of the message');
    this.pos += len;
    return [start, start + len];
  }

  string(): string {
    const [start, end] = this.delimited();
    return this.buf.toString('utf8', start, end);
  }

  /** Skips a field of `wireType` (tag already read); a group up to its matching end tag. */
  skip(wireType: number, field: number, depth = 0): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.fixed(8);
    else if (wireType === 2) this.delimited();
    else if (wireType === 5) this.fixed(4);
    else if (wireType === 3) {
      if (depth > 64) throw new MalformedMessageError('groups nested too deeply');
      for (;;) {
        const tag = this.varint();
        if ((tag & 7) === 4) {
          if (tag >>> 3 !== field) throw new MalformedMessageError('mismatched end of group');
          return;
        }
        this.skip(tag & 7, tag >>> 3, depth + 1);
      }
    } else throw new MalformedMessageError(`wire type ${wireType} is not valid here`);
  }

  private fixed(n: number): void {
    if (n > this.end - this.pos) throw new MalformedMessageError('truncated fixed-size field');
    this.pos += n;
  }
}

/** Field n of the request is read only when it has the wire type of its declared type. */
function fieldsOf(r: Reader, onField: (field: number, wireType: number) => boolean): void {
  while (r.pos < r.end) {
    const tag = r.varint();
    const field = tag >>> 3;
    const wireType = tag & 7;
    if (field === 0) throw new MalformedMessageError('field number 0');
    if (!onField(field, wireType)) r.skip(wireType, field);
  }
}

/** Decodes a ServerReflectionRequest; throws MalformedMessageError. */
export function decodeReflectionRequest(buf: Buffer): DecodedRequest {
  const r = new Reader(buf);
  let host = '';
  let request: ReflectionRequest = { kind: 'none' };
  fieldsOf(r, (field, wireType) => {
    if (field === 7 && wireType === 2) {
      r.delimited();
      request = { kind: 'list_services' };
      return true;
    }
    if (wireType !== 2) return false;
    if (field === 1) host = r.string();
    else if (field === 3) request = { kind: 'file_by_filename', name: r.string() };
    else if (field === 4) request = { kind: 'file_containing_symbol', symbol: r.string() };
    else if (field === 6) request = { kind: 'all_extension_numbers_of_type', type: r.string() };
    else if (field === 5) {
      // ExtensionRequest { string containing_type = 1; int32 extension_number = 2; }, merged
      // into an earlier one as protobuf merges a repeated embedded message.
      const ext =
        request.kind === 'file_containing_extension'
          ? request
          : { kind: 'file_containing_extension' as const, containingType: '', extensionNumber: 0 };
      const [start, end] = r.delimited();
      const inner = new Reader(buf, end);
      inner.pos = start;
      fieldsOf(inner, (f, w) => {
        if (f === 1 && w === 2) ext.containingType = inner.string();
        else if (f === 2 && w === 0) ext.extensionNumber = inner.int32();
        else return false;
        return true;
      });
      request = ext;
    } else return false;
    return true;
  });
  return { host, request };
}

class Writer {
  private readonly parts: Buffer[] = [];
  private bytes: number[] = [];

  varint(v: number): this {
    // Negative int32s are written as 10-byte two's complement, as protobuf does.
    let n = v < 0 ? BigInt.asUintN(64, BigInt(v)) : BigInt(v);
    while (n >= 0x80n) {
      this.bytes.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    this.bytes.push(Number(n));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint(field * 8 + wireType);
  }

  delimited(field: number, payload: Buffer): this {
    this.tag(field, 2).varint(payload.length);
    this.flush();
    this.parts.push(payload);
    return this;
  }

  string(field: number, s: string): this {
    return this.delimited(field, Buffer.from(s, 'utf8'));
  }

  finish(): Buffer {
    this.flush();
    return Buffer.concat(this.parts);
  }

  private flush(): void {
    if (this.bytes.length) this.parts.push(Buffer.from(this.bytes));
    this.bytes = [];
  }
}

/**
 * Encodes a ServerReflectionResponse. `original` is the request's own bytes: echoing them is
 * what re-encoding the decoded request would give a reader.
 */
export function encodeReflectionResponse(host: string, original: Buffer, answer: ReflectionAnswer): Buffer {
  const w = new Writer();
  if (host) w.string(1, host);
  w.delimited(2, original);
  if (answer.kind === 'files') {
    const inner = new Writer();
    for (const f of answer.files) inner.delimited(1, f);
    w.delimited(4, inner.finish());
  } else if (answer.kind === 'extension_numbers') {
    const inner = new Writer().string(1, answer.baseTypeName);
    if (answer.numbers.length) {
      const packed = new Writer();
      for (const n of answer.numbers) packed.varint(n);
      inner.delimited(2, packed.finish());
    }
    w.delimited(5, inner.finish());
  } else if (answer.kind === 'services') {
    const inner = new Writer();
    for (const name of answer.names) inner.delimited(1, new Writer().string(1, name).finish());
    w.delimited(6, inner.finish());
  } else {
    const inner = new Writer();
    if (answer.code) inner.tag(1, 0).varint(answer.code);
    if (answer.message) inner.string(2, answer.message);
    w.delimited(7, inner.finish());
  }
  return w.finish();
}
