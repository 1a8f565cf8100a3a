// The text a log viewer shows, and how a reconnected stream is joined to it. Pure (no DOM, no
// fetch), so test/log-seam.test.ts checks it directly.
//
// The log API has no byte offset to resume from, so a reconnect asks for the last RESUME_TAIL_LINES
// lines again and joins them at the seam: the new text starts at a line start, so the longest
// suffix of what is shown that begins at a line start and that the new text begins with is the
// overlap, and only what follows it is appended (nothing is doubled, nothing lost while fewer lines
// than the tail were written in the gap). When no such suffix exists (more was written while
// disconnected, or the log is a new allocation's), the new text is appended after GAP_MARKER, so
// the seam is plain to see rather than silently wrong. Text that so far repeats what is shown is
// held back until it either diverges or the stream ends: holding it costs nothing, it is on screen.

/** Lines asked for again on a reconnect: the most a gap can hold and still be joined seamlessly. */
export const RESUME_TAIL_LINES = 500;

export const GAP_MARKER = '--- reconnected; output while disconnected may be missing ---\n';

export class LogText {
  /** What the viewer shows: at most maxChars, the oldest text dropped first. */
  text = '';
  /** Whether the last join could not find the overlap and wrote GAP_MARKER. */
  gap = false;
  /** Text of the current connection held back until the seam is decided; undefined once it is. */
  private held: string | undefined;
  /** Where the candidate overlaps start in `text` (line starts), longest first. */
  private starts: number[] = [];

  constructor(private readonly maxChars: number) {}

  /** A new connection begins: its text is joined at the seam (if anything is shown yet). */
  reconnect(): void {
    this.gap = false;
    this.held = this.text ? '' : undefined;
    this.starts = this.held === undefined ? [] : this.lineStarts(RESUME_TAIL_LINES);
  }

  /** Text from the current connection; returns whether `text` changed. */
  push(chunk: string): boolean {
    if (this.held === undefined) return this.append(chunk);
    this.held += chunk;
    return this.decide(false);
  }

  /** The current connection ended normally: what is still held repeats what is shown. */
  flush(): boolean {
    return this.held === undefined ? false : this.decide(true);
  }

  private decide(final: boolean): boolean {
    const held = this.held ?? '';
    const suffixes = this.starts.map((p) => this.text.slice(p));
    // Still a strict prefix of a candidate: it may yet run up to the end of what is shown.
    if (!final && suffixes.some((s) => s.length > held.length && s.startsWith(held))) return false;
    this.held = undefined;
    const overlap = suffixes.find((s) => held.startsWith(s));
    if (overlap !== undefined) return this.append(held.slice(overlap.length));
    if (final && (!held || suffixes.some((s) => s.startsWith(held)))) return false;
    this.gap = true;
    return this.append(`${this.text.endsWith('\n') ? '' : '\n'}${GAP_MARKER}${held}`);
  }

  private append(t: string): boolean {
    if (!t) return false;
    this.text = (this.text + t).slice(-this.maxChars);
    return true;
  }

  /** The line starts among the last `lines` lines of `text`, earliest first; none at its end. */
  private lineStarts(lines: number): number[] {
    const out: number[] = [];
    let end = this.text.endsWith('\n') ? this.text.length - 1 : this.text.length;
    while (out.length < lines) {
      const nl = end > 0 ? this.text.lastIndexOf('\n', end - 1) : -1;
      if (nl < 0) {
        out.push(0); // (its first line may be cut by maxChars: a whole line is unlikely to match it)
        break;
      }
      out.push(nl + 1);
      end = nl;
    }
    return out.reverse();
  }
}
