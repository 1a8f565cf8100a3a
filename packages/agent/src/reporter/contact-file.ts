// Where the reporter keeps its last contact with the scheduler across agent restarts: read once at
// start, written (tmp file, then rename) as often as contact.ts's contactWriteDelay allows, with the
// latest state when the write runs. A restarted agent reads it at most a second old, well within
// the fence's grace of two missed answers. Without a path it keeps nothing.
import { after, type Logger, type Timer } from '@mo/api';
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { contactWriteDelay } from './contact.js';
import type { ContactState } from './self-fence.js';

export class ContactFile {
  /** Set from when a write is due until it is done (at most one at a time). */
  private writing: Timer | undefined;
  /** performance.now() of the last write's start. */
  private writtenAt = -Infinity;

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

  /** Writes `current()` soon, unless a write is already due. */
  keep(current: () => ContactState): void {
    const file = this.file;
    if (!file || this.writing) return;
    this.writing = after(contactWriteDelay(this.writtenAt, performance.now()), () => {
      this.writtenAt = performance.now();
      const tmp = `${file}.tmp`;
      writeFile(tmp, JSON.stringify(current()))
        .then(() => rename(tmp, file))
        .catch((err: unknown) => this.logger.debug('could not keep the last contact', { err }))
        .finally(() => (this.writing = undefined));
    });
  }
}
