// A job's instances on their way out with a shutdown_delay: out of the service at once (discovery
// stops listing them, an `instances` event says so), stopped once the delay has passed, so clients
// that resolved one just before finish their requests. In memory: a scheduler that restarts
// meanwhile decides again and asks for the stop again, delay included.
import type { Timer } from '@mo/api';

export interface DrainClock {
  after(ms: number, fn: () => void): Timer;
}

export class Draining {
  private readonly timers = new Map<string, Timer>();

  constructor(private readonly clock: DrainClock) {}

  /** Whether `id` is draining: no longer serving, its stop asked for. */
  has(id: string): boolean {
    return this.timers.has(id);
  }

  /** Starts draining `id` (once): `stop` runs after `delayMs`. */
  begin(id: string, delayMs: number, stop: () => void): void {
    if (this.timers.has(id)) return;
    this.timers.set(
      id,
      this.clock.after(delayMs, () => {
        this.timers.delete(id);
        stop();
      }),
    );
  }

  /** It ended on its own (or was stopped otherwise): nothing left to do for it. */
  forget(id: string): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
  }

  close(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }
}
