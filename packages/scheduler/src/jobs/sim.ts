// A simulated job for the harness test (rollout.harness.test.ts): the decisions of rollout.ts
// applied as a manager would — on every change an instance reports, and at the plan's wakeAtMs —
// to instances that start, become healthy (or never, for a broken version), run to an end (batch)
// and stop after a delay, on a fake clock. No processes, no sleeps. Not used by the engine.
import type { Timer } from '@mo/api';
import { FakeClock } from '../testing/fake-clock.js';
import type { DeploymentRecord, JobAction, JobPlan } from './deployment.js';
import { isLive, type JobInstance, type RolloutJob } from './reconcile.js';
import { decideJob } from './rollout.js';

export interface Behaviour {
  /** Placed → running (default 1 s). */
  startMs?: number;
  /** Running → healthy, by version (Infinity: never, a broken version). Default 2 s. */
  healthyAfterMs?: (version: number) => number;
  /** How an instance's run ends, and when after it started running (undefined: it runs on). */
  runs?: (i: JobInstance) => { state: 'succeeded' | 'failed'; afterMs: number } | undefined;
  /** Asked to stop → stopped; it serves meanwhile (default 500 ms). */
  stopMs?: number;
}

export class JobSim {
  readonly clock = new FakeClock();
  readonly instances: JobInstance[] = [];
  deployment: DeploymentRecord | undefined;
  /** Every action applied, in order, with when. */
  readonly log: Array<{ atMs: number; action: JobAction }> = [];
  /** Called after each decision is applied: a test asserts its invariants there. */
  onStep: (sim: JobSim) => void = () => {};
  decisions = 0;
  private wake: Timer | undefined;
  private seq = 0;
  /** The scheduler is down: instances change, nobody decides. */
  private down = false;

  constructor(
    public job: RolloutJob,
    private readonly b: Behaviour = {},
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** Decide and apply the plan, as the manager does on any change (nothing while it is down). */
  decide(): JobPlan {
    if (this.down) return { actions: [], deployment: this.deployment, wakeAtMs: Infinity };
    const plan = decideJob({
      job: this.job,
      instances: this.instances,
      deployment: this.deployment,
      nowMs: this.now(),
    });
    this.decisions++;
    this.deployment = plan.deployment;
    let again = false;
    for (const action of plan.actions) again = this.apply(action) || again;
    this.wake?.cancel();
    this.wake = undefined;
    if (again) this.wake = this.clock.after(0, () => this.decide());
    else if (plan.wakeAtMs < Infinity) this.wake = this.clock.after(plan.wakeAtMs - this.now(), () => this.decide());
    this.onStep(this);
    return plan;
  }

  /** A changed job (new version, count, stop): decide at once. */
  submit(changes: Partial<RolloutJob>): JobPlan {
    this.job = { ...this.job, ...changes };
    return this.decide();
  }

  async advance(ms: number): Promise<void> {
    await this.clock.advance(ms);
  }

  get(id: string): JobInstance {
    const i = this.instances.find((x) => x.id === id);
    if (!i) throw new Error(`no instance ${id}`);
    return i;
  }

  live(): JobInstance[] {
    return this.instances.filter(isLive);
  }

  /** Running, healthy and not on its way out: what a reverse proxy would send requests to. */
  serving(): JobInstance[] {
    return this.instances.filter((i) => i.state === 'running' && i.health === 'healthy' && !i.stopRequested);
  }

  actions(kind: JobAction['kind']): JobAction[] {
    return this.log.filter((l) => l.action.kind === kind).map((l) => l.action);
  }

  /** The scheduler is killed: its timers are gone; instances carry on, reported to nobody. */
  crash(): void {
    this.down = true;
    this.wake?.cancel();
    this.wake = undefined;
  }

  /** The scheduler is back with what was stored (instances, the deployment record): it decides. */
  recover(): JobPlan {
    this.down = false;
    return this.decide();
  }

  /** Its checks start failing. */
  sicken(id: string): void {
    this.change(id, { health: 'unhealthy', healthySinceMs: 0 });
  }

  /** Its node goes quiet: unknown (it may well still run). */
  quiet(id: string): void {
    this.change(id, { state: 'unknown' });
  }

  /** Given up after lost_after. */
  lose(id: string): void {
    this.change(id, { state: 'lost', health: this.job.hasChecks ? 'unhealthy' : 'none', endedAtMs: this.now() });
  }

  /** Its node is heard from again, the instance still running. */
  back(id: string): void {
    this.change(id, { state: 'running' });
  }

  private change(id: string, to: Partial<JobInstance>): void {
    Object.assign(this.get(id), to);
    this.decide();
  }

  /** True when the job itself changed (decide again). */
  private apply(action: JobAction): boolean {
    this.log.push({ atMs: this.now(), action });
    switch (action.kind) {
      case 'start': {
        const i: JobInstance = {
          id: `i${++this.seq}-v${action.version}-${action.index}`,
          version: action.version,
          index: action.index,
          attempt: action.attempt,
          state: 'pending',
          health: this.job.hasChecks ? 'starting' : 'none',
          stopRequested: false,
          startedAtMs: 0,
          runningSinceMs: 0,
          healthySinceMs: 0,
          endedAtMs: 0,
        };
        this.instances.push(i);
        this.clock.after(Math.max(0, action.notBeforeMs - this.now()), () => this.place(i));
        return false;
      }
      case 'stop': {
        const i = this.get(action.instanceId);
        i.stopRequested = true;
        if (i.state === 'pending') Object.assign(i, { state: 'stopped', endedAtMs: this.now() });
        else this.clock.after(this.b.stopMs ?? 500, () => this.end(i, 'stopped'));
        return false;
      }
      case 'revert':
        this.job = { ...this.job, version: action.toVersion, sameTaskVersions: [] };
        return true;
      case 'deployment':
        if (action.state === 'succeeded') this.job = { ...this.job, lastGoodVersion: action.version };
        return false;
    }
  }

  private place(i: JobInstance): void {
    if (i.state !== 'pending') return;
    Object.assign(i, { state: 'starting', startedAtMs: this.now() });
    this.decide();
    this.clock.after(this.b.startMs ?? 1000, () => this.run(i));
  }

  private run(i: JobInstance): void {
    if (i.state !== 'starting') return;
    Object.assign(i, { state: 'running', runningSinceMs: this.now() });
    const healthyAfter = this.b.healthyAfterMs?.(i.version) ?? 2000;
    if (this.job.hasChecks && healthyAfter < Infinity) {
      this.clock.after(healthyAfter, () => {
        if (i.state === 'running') Object.assign(i, { health: 'healthy', healthySinceMs: this.now() });
        this.decide();
      });
    }
    const outcome = this.b.runs?.(i);
    if (outcome) this.clock.after(outcome.afterMs, () => this.end(i, outcome.state));
    this.decide();
  }

  private end(i: JobInstance, state: 'succeeded' | 'failed' | 'stopped'): void {
    if (i.endedAtMs) return;
    Object.assign(i, { state, endedAtMs: this.now(), ...(this.job.hasChecks && { health: 'unhealthy' }) });
    this.decide();
  }
}
