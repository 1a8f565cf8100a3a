// Reservations booked on node ids that are not registered (yet): a restarted scheduler re-books
// its running workloads before their agents re-register. A registered node keeps its bookings in
// the engine's rows; these move there when it registers.

/** What is booked on one node: declared amounts, and how many allocations booked them. */
export interface Booking {
  cpuMillis: number;
  memoryBytes: number;
  hostPorts: number;
  allocations: number;
}

export class UnregisteredBookings {
  private readonly byNode = new Map<string, Booking>();

  get(nodeId: string): Booking | undefined {
    return this.byNode.get(nodeId);
  }

  /** Removes and returns a node's bookings (it registered). */
  take(nodeId: string): Booking | undefined {
    const booked = this.byNode.get(nodeId);
    this.byNode.delete(nodeId);
    return booked;
  }

  /** One allocation more. */
  add(nodeId: string, cpuMillis: number, memoryBytes: number, hostPorts: number): void {
    const booked = this.byNode.get(nodeId);
    if (!booked) {
      this.byNode.set(nodeId, { cpuMillis, memoryBytes, hostPorts, allocations: 1 });
      return;
    }
    booked.cpuMillis += cpuMillis;
    booked.memoryBytes += memoryBytes;
    booked.hostPorts += hostPorts;
    booked.allocations++;
  }

  /** One allocation fewer; never below zero (a double release is harmless). */
  remove(nodeId: string, cpuMillis: number, memoryBytes: number, hostPorts: number): void {
    const booked = this.byNode.get(nodeId);
    if (!booked) return;
    booked.cpuMillis = Math.max(0, booked.cpuMillis - cpuMillis);
    booked.memoryBytes = Math.max(0, booked.memoryBytes - memoryBytes);
    booked.hostPorts = Math.max(0, booked.hostPorts - hostPorts);
    booked.allocations = Math.max(0, booked.allocations - 1);
    if (booked.allocations === 0) this.byNode.delete(nodeId);
  }
}
