// One gRPC client per node, created on first use and replaced when the node's address or name
// changes. Over TLS each client expects the node's own certificate (agent.<name>.mo): a node's
// address answered by another node is refused at the handshake.
import { AgentClient, type ClientOptions } from '@mo/api';

export interface AgentPoolOptions {
  /** How to dial agents: the scheduler's certificate (`tls`), or `insecure`. */
  credentials: Pick<ClientOptions, 'tls' | 'insecure'>;
  deadlineMs?: number;
  /** This leader's epoch, on every start and stop: agents refuse a deposed leader's (issue 18). */
  leaderEpoch?: number;
}

export class AgentPool {
  private readonly clients = new Map<string, { client: AgentClient; name: string }>();

  constructor(private readonly options: AgentPoolOptions) {}

  get(node: { readonly id: string; readonly name: string; readonly address: string }): AgentClient {
    const existing = this.clients.get(node.id);
    if (existing && existing.client.address === node.address && existing.name === node.name) return existing.client;
    existing?.client.close();
    const client = new AgentClient(node.address, {
      ...this.options.credentials,
      deadlineMs: this.options.deadlineMs ?? 10_000,
      leaderEpoch: this.options.leaderEpoch ?? 0,
      ...(this.options.credentials.tls ? { peer: { kind: 'agent' as const, node: node.name } } : {}),
    });
    this.clients.set(node.id, { client, name: node.name });
    return client;
  }

  drop(nodeId: string): void {
    this.clients.get(nodeId)?.client.close();
    this.clients.delete(nodeId);
  }

  close(): void {
    for (const c of this.clients.values()) c.client.close();
    this.clients.clear();
  }
}
