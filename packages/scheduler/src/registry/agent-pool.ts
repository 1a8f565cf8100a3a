// One gRPC client per node, created on first use and replaced when the node's address changes.
import { AgentClient } from '@mo/api';

export class AgentPool {
  private readonly clients = new Map<string, AgentClient>();

  constructor(private readonly deadlineMs = 10_000) {}

  get(nodeId: string, address: string): AgentClient {
    const existing = this.clients.get(nodeId);
    if (existing && existing.address === address) return existing;
    existing?.close();
    const client = new AgentClient(address, { deadlineMs: this.deadlineMs });
    this.clients.set(nodeId, client);
    return client;
  }

  drop(nodeId: string): void {
    this.clients.get(nodeId)?.close();
    this.clients.delete(nodeId);
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
