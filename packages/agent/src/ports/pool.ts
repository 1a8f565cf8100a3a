// The agent's one pool of host ports (--port-range, default 3001-4000), for both drivers: a
// workload's named ports (spec.ports, allocated by the runner) and a sandbox's published
// docker.ports (allocated by the docker driver). Its size is the node's host_ports capacity.
// Handed out round-robin (a port just released is the last to be reused), each checked to be
// bindable first so a port some other program holds is skipped; released when the workload ends.
import { ResourceExhaustedError } from '@mo/api';
import net from 'node:net';

export class PortAllocator {
  private readonly taken = new Set<number>();
  private next: number;

  constructor(
    private readonly first: number,
    private readonly last: number,
    private readonly hostIp: string,
  ) {
    if (!Number.isInteger(first) || !Number.isInteger(last) || first < 1 || last > 65535 || first > last) {
      throw new Error(`port range: expected FIRST-LAST within 1-65535, got ${first}-${last}`);
    }
    this.next = first;
  }

  get size(): number {
    return this.last - this.first + 1;
  }

  /** Marks ports as in use (re-attached workloads after an agent restart). */
  reserve(ports: readonly number[]): void {
    for (const p of ports) this.taken.add(p);
  }

  release(ports: readonly number[]): void {
    for (const p of ports) this.taken.delete(p);
  }

  /** Host ports workloads hold now. */
  get inUse(): number {
    return this.taken.size;
  }

  /**
   * `count` free host ports, or ResourceExhaustedError naming `field` (what asked for them) and the
   * range; never waits.
   */
  async allocate(count: number, field = 'spec.docker.ports'): Promise<number[]> {
    const got: number[] = [];
    try {
      for (let tried = 0; got.length < count && tried < this.size; tried++) {
        const port = this.next;
        this.next = port === this.last ? this.first : port + 1;
        if (this.taken.has(port)) continue;
        // Reserved before the (async) bind check, so a concurrent start cannot pick it too.
        this.taken.add(port);
        if (await canBind(this.hostIp, port)) got.push(port);
        else this.taken.delete(port);
      }
    } catch (err) {
      this.release(got);
      throw err;
    }
    if (got.length < count) {
      this.release(got);
      throw new ResourceExhaustedError(
        `${field}: no free host port in ${this.first}-${this.last} ` +
          `(${count} wanted, ${this.taken.size} of ${this.size} in use by workloads, the rest held by other programs)`,
      );
    }
    return got;
  }
}

function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
