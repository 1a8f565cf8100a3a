// gRPC's length-prefixed messages (PROTOCOL-HTTP2.md: a compressed-flag byte, a 4-byte big-endian
// length, the message) cut out of the DATA chunks of a response, which split and join them
// anywhere. For the wire transport's server streams; the unary call reads its one message whole.

/** Thrown for a frame the wire transport cannot take: compressed, or longer than its limit. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(
    /** The gRPC status to fail the call with (INTERNAL or RESOURCE_EXHAUSTED). */
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const INTERNAL = 13;
const RESOURCE_EXHAUSTED = 8;

export class FrameReader {
  private pending: Buffer[] = [];
  private size = 0;
  /** Header length + message length of the message being read, once its header is in. */
  private need: number | undefined;

  constructor(private readonly maxMessage: number) {}

  /** Bytes held for a message not yet complete. */
  get buffered(): number {
    return this.size;
  }

  /** Adds a chunk; returns the messages it completed, in order. */
  push(chunk: Buffer): Buffer[] {
    this.pending.push(chunk);
    this.size += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.need === undefined) {
        if (this.size < 5) break;
        // Only the header is joined here; the message's chunks are joined once, when all came.
        const head = this.pending[0]!.length >= 5 ? this.pending[0]! : this.flatten();
        if (head[0] !== 0) throw new FrameError(INTERNAL, 'compressed or malformed message in the response');
        const len = head.readUInt32BE(1);
        // Refused on its header, before its bytes are held.
        if (len > this.maxMessage)
          throw new FrameError(RESOURCE_EXHAUSTED, `response message larger than ${this.maxMessage} bytes`);
        this.need = 5 + len;
      }
      if (this.size < this.need) break;
      const all = this.flatten();
      out.push(all.subarray(5, this.need));
      const rest = all.subarray(this.need);
      this.pending = rest.length > 0 ? [rest] : [];
      this.size = rest.length;
      this.need = undefined;
    }
    return out;
  }

  private flatten(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending, this.size)];
    return this.pending[0]!;
  }
}
