// The protobuf wire format under mo's codec (codec.ts): a bounded reader and a growing writer.
// The reader never reads past the message it was given, and every way bytes can fail to be
// protobuf is a WireFormatError saying what and where, so a server answers INVALID_ARGUMENT
// (proto.ts) rather than INTERNAL. Rules: https://protobuf.dev/programming-guides/encoding/

/** Thrown when bytes are not a protobuf encoding (truncated, bad wire type, field 0, ...). */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

/** Deepest nesting of messages and groups read, as protoc's and protobufjs's recursion limit. */
export const MAX_DEPTH = 100;

export class Reader {
  pos = 0;
  /** The high 32 bits of the last long varint read (see long()). */
  hi = 0;
  /** Messages and groups entered: bounded by MAX_DEPTH, so no input can exhaust the stack. */
  depth = 0;
  constructor(
    readonly buf: Buffer,
    /** Where the message being read ends: nested messages narrow it while they are read. */
    public end = buf.length,
  ) {}

  fail(what: string, at = this.pos): never {
    throw new WireFormatError(`malformed protobuf: ${what} at byte ${at}`);
  }

  private byte(): number {
    if (this.pos >= this.end) this.fail('truncated varint');
    return this.buf[this.pos++]!;
  }

  /** A varint's low 32 bits (lengths, int32, enums, bools); its higher bytes are read and dropped. */
  varint32(): number {
    let b = this.byte();
    let v = b & 0x7f;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x7f) << 7;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x7f) << 14;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x7f) << 21;
    if (b < 0x80) return v;
    b = this.byte();
    v |= (b & 0x0f) << 28;
    for (let i = 5; b >= 0x80; i++) {
      if (i === 10) this.fail('varint longer than 10 bytes', this.pos - 10);
      b = this.byte();
    }
    return v >>> 0;
  }

  /** A field's tag: at most 5 bytes (field numbers stop at 2^29 - 1). */
  tag(): number {
    const at = this.pos;
    if (at < this.end && this.buf[at]! < 0x80) return this.buf[this.pos++]!;
    const t = this.varint32();
    if (this.pos - at > 5) this.fail('tag longer than 5 bytes', at);
    return t;
  }

  /** A 64-bit varint: returns its low 32 bits, unsigned, and leaves the high 32 in `hi`. */
  long(): number {
    let lo = 0;
    let hi = 0;
    let b = 0;
    let i = 0;
    for (; i < 4; i++) {
      b = this.byte();
      lo = (lo | ((b & 0x7f) << (i * 7))) >>> 0;
      if (b < 0x80) {
        this.hi = 0;
        return lo;
      }
    }
    b = this.byte();
    lo = (lo | ((b & 0x7f) << 28)) >>> 0;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (i = 0; i < 5; i++) {
        b = this.byte();
        hi = (hi | ((b & 0x7f) << (i * 7 + 3))) >>> 0;
        if (b < 0x80) break;
      }
      if (b >= 0x80) this.fail('varint longer than 10 bytes', this.pos - 10);
    }
    this.hi = hi;
    return lo;
  }

  /** Moves past `n` bytes of a fixed-size value, checking they are there. */
  need(n: number): number {
    const at = this.pos;
    if (at + n > this.end) this.fail(`truncated ${n}-byte value`);
    this.pos = at + n;
    return at;
  }

  fixed32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }

  /** Length-delimited: [start, end) of its payload; the reader moves past it. */
  delimited(): number {
    const at = this.pos;
    const len = this.varint32();
    const start = this.pos;
    if (len > this.end - start) this.fail(`length ${len} runs past the end of the message`, at);
    this.pos += len;
    return start;
  }

  enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH}`);
  }

  /** Skips the value of field `id` whose tag said wire type `wire` (an unknown or mismatched field). */
  skip(wire: number, id: number): void {
    switch (wire) {
      case 0:
        this.long();
        return;
      case 1:
        this.need(8);
        return;
      case 2:
        this.delimited();
        return;
      case 3:
        this.skipGroup(id);
        return;
      case 4:
        return this.fail(`end of group ${id} without its start`);
      case 5:
        this.need(4);
        return;
      default:
        this.fail(`invalid wire type ${wire}`);
    }
  }

  /** A group (wire type 3, proto2's deprecated nesting): everything up to its end tag. */
  private skipGroup(id: number): void {
    this.enter();
    for (;;) {
      if (this.pos >= this.end) this.fail(`group ${id} has no end`);
      const at = this.pos;
      const t = this.tag();
      const n = t >>> 3;
      if (n === 0) this.fail('field number 0', at);
      if ((t & 7) === 4) {
        if (n !== id) this.fail(`group ${id} ended by the end of group ${n}`, at);
        break;
      }
      this.skip(t & 7, n);
    }
    this.depth--;
  }
}

/** One growing buffer per top-level message; nested messages are written in place (see delimited()). */
export class Writer {
  buf = Buffer.allocUnsafe(256);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** A non-negative integer up to 2^53 as a varint. */
  uvarint(v: number): void {
    this.ensure(10);
    const buf = this.buf;
    let pos = this.pos;
    while (v >= 0x80) {
      buf[pos++] = (v & 0x7f) | 0x80;
      v = v >= 0x100000000 ? Math.floor(v / 128) : v >>> 7;
    }
    buf[pos++] = v;
    this.pos = pos;
  }

  /** A signed integer as a 64-bit two's complement varint (negative ones take ten bytes). */
  svarint(v: number): void {
    if (v >= 0) return this.uvarint(v);
    this.bigVarint(BigInt.asUintN(64, BigInt(v)));
  }

  /** An unsigned 64-bit value as a varint. */
  bigVarint(n: bigint): void {
    this.ensure(10);
    while (n >= 0x80n) {
      this.buf[this.pos++] = Number(n & 0x7fn) | 0x80;
      n >>= 7n;
    }
    this.buf[this.pos++] = Number(n);
  }

  tag(id: number, wire: number): void {
    this.uvarint(id * 8 + wire);
  }

  bytes(b: Uint8Array): void {
    this.uvarint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  string(s: string): void {
    const len = s.length;
    // ASCII under 128 chars (most of mo's: ids, names, paths, env): copied here, one byte of
    // length; each call into C++ (Buffer#write) cost more than these few bytes.
    if (len < 128) {
      this.ensure(1 + len);
      const buf = this.buf;
      const at = this.pos;
      let i = 0;
      while (i < len) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[at + 1 + i++] = c;
      }
      if (i === len) {
        buf[at] = len;
        this.pos = at + 1 + len;
        return;
      }
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.uvarint(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  /**
   * Starts a length-delimited value written in place: returns where its one-byte length prefix
   * goes, for end() to fix up (moving the body along if the length needs more bytes).
   */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(at: number): void {
    const len = this.pos - at - 1;
    if (len < 128) {
      this.buf[at] = len;
      return;
    }
    let size = 1;
    for (let v = len; v >= 128; v = Math.floor(v / 128)) size++;
    this.ensure(size - 1);
    this.buf.copyWithin(at + size, at + 1, this.pos);
    const end = this.pos + size - 1;
    this.pos = at;
    this.uvarint(len);
    this.pos = end;
  }

  finish(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
