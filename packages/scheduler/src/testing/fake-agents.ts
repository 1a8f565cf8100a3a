// Fake agents for the harness: one per node, each keeping the allocations it was asked to start,
// answering start, stop and get as a real agent would (ALREADY_EXISTS for a start it already has,
// NOT_FOUND for an allocation it does not), and recording every call so a test can assert on
// what the scheduler said. A node can be made unreachable, refuse starts, or hold them unanswered.
import * as grpc from '@grpc/grpc-js';
import { MoError, type WorkloadSpec, type WorkloadStatus__Output } from '@mo/api';
import type { AgentDirectory, WorkloadAgent } from '../workloads/agent-calls.js';
import { LABEL_WORKLOAD_ID, type WorkloadStateName } from '../workloads/record.js';
import { agentStatus, type StatusOverrides } from './records.js';

export type AgentCall =
  | { method: 'start'; allocationIds: string[] }
  | { method: 'stop'; allocationId: string; graceMs: number }
  | { method: 'get'; allocationId: string };

interface Allocation {
  id: string;
  workloadId: string;
  state: WorkloadStateName;
  pid: number;
  status: StatusOverrides;
}

export class FakeAgent implements WorkloadAgent {
  readonly allocations = new Map<string, Allocation>();
  readonly calls: AgentCall[] = [];
  /** Every call fails as a node that cannot be reached does (UNAVAILABLE). */
  unreachable = false;
  /** Starts answer with this refusal instead (e.g. INVALID_ARGUMENT: no such program here). */
  refuseStarts: { code: grpc.status; message: string } | undefined;
  /** Starts are not answered until releaseStarts(). */
  holdStarts = false;
  /**
   * Starts time out (DEADLINE_EXCEEDED) as on a loaded node: `landed` they run all the same,
   * otherwise they are lost on the way.
   */
  timeoutStarts: 'landed' | 'lost' | undefined;
  /** GetWorkload times out (a loaded node): the scheduler cannot tell what it has. */
  timeoutGets = false;
  private held: Array<() => void> = [];
  private nextPid = 1000;

  constructor(readonly nodeName: string) {}

  async startWorkload(spec: WorkloadSpec): Promise<WorkloadStatus__Output> {
    const [result] = await this.start([spec]);
    if (result instanceof Error) throw result;
    return result!;
  }

  async startWorkloads(specs: WorkloadSpec[]): Promise<Array<WorkloadStatus__Output | MoError>> {
    return this.start(specs);
  }

  async stopWorkload(allocationId: string, gracePeriodMs = 0): Promise<WorkloadStatus__Output> {
    this.calls.push({ method: 'stop', allocationId, graceMs: gracePeriodMs });
    this.checkReachable();
    const a = this.allocations.get(allocationId);
    if (!a) throw new MoError(grpc.status.NOT_FOUND, `workload ${allocationId} not found`);
    if (a.state === 'running' || a.state === 'starting') {
      a.state = 'stopped';
      a.status = { ...a.status, reason: 'stopped by request' };
    }
    return this.status(allocationId);
  }

  async getWorkload(allocationId: string): Promise<WorkloadStatus__Output> {
    this.calls.push({ method: 'get', allocationId });
    this.checkReachable();
    if (this.timeoutGets) throw new MoError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded');
    if (!this.allocations.has(allocationId))
      throw new MoError(grpc.status.NOT_FOUND, `workload ${allocationId} not found`);
    return this.status(allocationId);
  }

  /** Answers the starts held so far (holdStarts). */
  releaseStarts(): void {
    const held = this.held;
    this.held = [];
    for (const release of held) release();
  }

  /** The allocation ended on its own (it exited, was killed); returns the status the agent reports. */
  end(allocationId: string, state: WorkloadStateName, o: StatusOverrides = {}): WorkloadStatus__Output {
    const a = this.allocations.get(allocationId);
    if (!a) throw new Error(`${this.nodeName} has no allocation ${allocationId}`);
    a.state = state;
    a.status = { ...a.status, ...o };
    return this.status(allocationId);
  }

  /** Forgets an allocation, as an agent whose state was wiped. */
  forget(allocationId: string): void {
    this.allocations.delete(allocationId);
  }

  /** What the agent reports for one allocation. */
  status(allocationId: string): WorkloadStatus__Output {
    const a = this.allocations.get(allocationId);
    if (!a) throw new Error(`${this.nodeName} has no allocation ${allocationId}`);
    return agentStatus(a.id, a.state, { workloadId: a.workloadId, pid: a.pid, ...a.status });
  }

  /** Every allocation it holds, as Register's inventory sends them. */
  inventory(): WorkloadStatus__Output[] {
    return [...this.allocations.keys()].map((id) => this.status(id));
  }

  /** The allocations it runs now. */
  running(): string[] {
    return [...this.allocations.values()].filter((a) => a.state === 'running').map((a) => a.id);
  }

  private async start(specs: WorkloadSpec[]): Promise<Array<WorkloadStatus__Output | MoError>> {
    this.calls.push({ method: 'start', allocationIds: specs.map((s) => s.id ?? '') });
    if (this.holdStarts) await new Promise<void>((resolve) => this.held.push(resolve));
    this.checkReachable();
    const timeout = this.timeoutStarts;
    const results = this.take(timeout === 'lost' ? [] : specs);
    if (timeout) throw new MoError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded');
    return results;
  }

  private take(specs: WorkloadSpec[]): Array<WorkloadStatus__Output | MoError> {
    return specs.map((spec) => {
      const id = spec.id ?? '';
      if (this.refuseStarts) return new MoError(this.refuseStarts.code, this.refuseStarts.message);
      if (this.allocations.has(id)) return new MoError(grpc.status.ALREADY_EXISTS, `workload ${id} exists`);
      this.allocations.set(id, {
        id,
        workloadId: spec.labels?.[LABEL_WORKLOAD_ID] ?? '',
        state: 'running',
        pid: this.nextPid++,
        status: {},
      });
      return this.status(id);
    });
  }

  private checkReachable(): void {
    if (this.unreachable)
      throw new MoError(
        grpc.status.UNAVAILABLE,
        `${this.nodeName}: No connection established. Last error: connect ECONNREFUSED`,
      );
  }
}

/** The fake agents of a cluster, by node name (made on first use). */
export class FakeAgents implements AgentDirectory {
  private readonly agents = new Map<string, FakeAgent>();

  get(node: { readonly name: string }): FakeAgent {
    let agent = this.agents.get(node.name);
    if (!agent) this.agents.set(node.name, (agent = new FakeAgent(node.name)));
    return agent;
  }

  /** Calls to every agent, by node name. */
  calls(): Array<AgentCall & { node: string }> {
    return [...this.agents.values()].flatMap((a) => a.calls.map((c) => ({ ...c, node: a.nodeName })));
  }
}
