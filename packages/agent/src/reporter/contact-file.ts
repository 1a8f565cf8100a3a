// Where the reporter keeps its last contact with the scheduler across agent restarts: read once at
// start, written as often as contact.ts's contactWriteDelay allows (once a second), with the latest
// state when the write runs. A restarted agent reads it at most a second old, well within the
// fence's grace of two missed answers. Without a path it keeps nothing.
//
// One write per contact, in place: the file is opened once and rewritten at offset 0, padded to a
// fixed size (JSON ignores the trailing spaces), so its length never changes (no block to
// allocate: a full disk does not fail it) and a write is one pwrite of 256 bytes to the page cache,
// made synchronously as the workload store's writes are. A file per write (write a temp file,
// rename it, on the thread pool) was four thread-pool round trips a second, each waking the loop:
// on this VM a wake-up costs more than the work. A torn write (the host crashing mid-write) reads
// as unparseable, which initialContact treats as no contact kept (the silence counts from the start).
import { after, type Logger, type Timer } from '@mo/api';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { contactWriteDelay } from './contact.js';
import type { ContactState } from './self-fence.js';

/** The file's fixed size: a ContactState is ~90 bytes of JSON, ~150 with its busy timing. */
const CONTACT_FILE_BYTES = 256;

export class ContactFile {
  /** Set from when a delayed write is due until it runs. */
  private due: Timer | undefined;
  /** performance.now() of the last write's start. */
  private writtenAt = -Infinity;
  private fd: number | undefined;
  private closed = false;

  constructor(
    private readonly file: string | undefined,
    private readonly logger: Logger,
  ) {}

  /** What a previous run kept, if there is one to read (contact.ts's initialContact makes sense of it). */
  read(): string | undefined {
    if (!this.file) return undefined;
    try {
      return readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * Writes `current()` now if the last write was long enough ago, else once it is, unless one is
   * already due. `now`: at once whatever the pace (a shorter grace must not wait: see contact.ts).
   */
  keep(current: () => ContactState, now = false): void {
    if (!this.file || this.closed) return;
    if (now) {
      this.due?.cancel();
      this.due = undefined;
      return this.writeNow(current());
    }
    if (this.due) return;
    const wait = contactWriteDelay(this.writtenAt, performance.now());
    if (wait <= 0) return this.writeNow(current());
    this.due = after(wait, () => {
      this.due = undefined;
      this.writeNow(current());
    });
  }

  /** Stops writing and closes the file. */
  close(): void {
    this.closed = true;
    this.due?.cancel();
    this.due = undefined;
    this.closeFd();
  }

  private writeNow(state: ContactState): void {
    if (this.closed) return;
    this.writtenAt = performance.now();
    try {
      // Opened on the first write (the agent's data dir exists by then), kept for the agent's life.
      this.fd ??= openSync(this.file!, 'w', 0o600);
    } catch (err) {
      this.logger.debug('could not keep the last contact', { err });
      return;
    }
    const text = JSON.stringify(state);
    const bytes = Buffer.from(text.length < CONTACT_FILE_BYTES ? text.padEnd(CONTACT_FILE_BYTES) : text);
    try {
      writeSync(this.fd, bytes, 0, bytes.length, 0);
    } catch (err) {
      this.logger.debug('could not keep the last contact', { err });
    }
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}
