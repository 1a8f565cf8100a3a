// Runs the health checks (spec.checks) of each running workload: one CheckRunner (checks/) per
// workload, started when it runs (re-attached ones too, going on from the states kept in its
// record) and stopped when it ends. Every result is kept in the record (saved later, so a
// restarted agent does not start over at `starting`); a check whose health changes is told on
// (the heartbeat); a failure streak that reaches restart_after is handed to `fail`, which stops it.
import type { Logger } from '@mo/api';
import { CheckRunner, overall, type CheckSpec, type ExecContext } from '../checks/index.js';
import type { Driver, TaskConfig } from '../drivers/driver.js';
import { checkEndpoint } from '../ports/named.js';
import type { HealthRecord, WorkloadRecord } from './record.js';

/** How a workload's exec checks run: its env, dir and user, or wrapped to run inside it. */
export interface ExecPlan {
  exec: ExecContext;
  wrap?: (argv: readonly string[]) => string[];
}

/**
 * Where an exec check runs: inside the workload when its driver says how (`docker exec`), else
 * on the host in the workload's environment (its $MO_PORT_* too) and working dir, as its user when
 * the agent can switch users (it runs as root); otherwise as the agent, which is then that user.
 */
export function execPlanOf(
  record: WorkloadRecord,
  driver: Pick<Driver, 'execArgv'> | undefined,
  config: () => Pick<TaskConfig, 'env' | 'workingDir'>,
  agentUid: number,
): ExecPlan {
  const handle = record.handle;
  if (driver?.execArgv && handle) {
    return {
      exec: { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
      wrap: (argv) => driver.execArgv!(handle, argv),
    };
  }
  const { env, workingDir } = config();
  const runAs = record.spec.runAs;
  const asUser = runAs && agentUid === 0 ? { uid: runAs.uid, gid: runAs.gid } : {};
  return { exec: { env, cwd: workingDir, ...asUser } };
}

export interface WorkloadHealthOptions {
  logger: Pick<Logger, 'warn'>;
  /**
   * Keeps a record: `now` when a health changed (a restarted agent must find it), else deferred
   * (a result's counters: they come every interval).
   */
  save(record: WorkloadRecord, now: boolean): void;
  /** How its exec checks run (execPlanOf). */
  execOf(record: WorkloadRecord): ExecPlan;
  /** A check's failure streak reached its restart_after: stop the workload (it ends failed). */
  fail(record: WorkloadRecord, reason: string): void;
  /** Each probe's result (metrics). */
  result?(kind: CheckSpec['kind'], ok: boolean): void;
}

export class WorkloadHealth {
  private readonly runners = new Map<string, CheckRunner>();
  private readonly listeners: Array<(record: WorkloadRecord) => void> = [];

  constructor(private readonly o: WorkloadHealthOptions) {}

  /** A check's health, or the workload's, changed: the heartbeat carries it. */
  onChange(listener: (record: WorkloadRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Starts its checks, once, if it has any; the states in its record (after a restart) go on. */
  start(record: WorkloadRecord): void {
    const { spec } = record;
    if (!spec.checks?.length || this.runners.has(spec.id)) return;
    const { exec, wrap } = this.o.execOf(record);
    const checks = spec.checks.map((c) => (wrap && c.kind === 'exec' ? { ...c, command: wrap(c.command) } : c));
    const endpoints = new Map((record.ports ?? []).map((p) => [p.name, checkEndpoint(p)]));
    const health: HealthRecord = (record.health ??= { status: 'starting', changedAtMs: Date.now(), checks: {} });
    const runner = new CheckRunner({
      checks,
      resolvePort: (name) => endpoints.get(name),
      exec,
      resume: health.checks,
      ...(record.startedAtMs > 0 && { startedAtMs: record.startedAtMs }),
      onResult: (check, state) => {
        const before = health.checks[check.name]?.status;
        health.checks[check.name] = state;
        const status = overall(Object.values(health.checks));
        const changed = status !== 'none' && status !== health.status;
        if (changed) {
          health.status = status;
          health.changedAtMs = state.lastResult?.atMs ?? Date.now();
        }
        this.o.result?.(check.kind, state.lastResult?.ok === true);
        const news = changed || before !== state.status;
        this.o.save(record, news);
        if (news) for (const l of this.listeners) l(record);
      },
      onChange: () => undefined, // onResult saw it first
      onRestart: (name, reason) => {
        this.o.logger.warn('stopping workload: a health check failed past its restart_after', {
          id: spec.id,
          check: name,
          reason,
        });
        this.o.fail(record, reason);
      },
    });
    // Checks new to the record (a first start) show as starting from now on.
    for (const [name, state] of runner.snapshot()) health.checks[name] ??= state;
    this.runners.set(spec.id, runner);
  }

  /** Stops its checks (it ended); resolves once no probe of it runs. */
  async stop(workloadId: string): Promise<void> {
    const runner = this.runners.get(workloadId);
    if (!runner) return;
    this.runners.delete(workloadId);
    await runner.stop();
  }

  /** Workloads by health, of those whose checks run now. */
  counts(): Record<'starting' | 'healthy' | 'unhealthy', number> {
    const counts = { starting: 0, healthy: 0, unhealthy: 0 };
    for (const runner of this.runners.values()) {
      const h = runner.health();
      if (h !== 'none') counts[h]++;
    }
    return counts;
  }

  /** The agent is closing: checks stop, workloads keep running (a restarted agent goes on). */
  async close(): Promise<void> {
    await Promise.all([...this.runners.keys()].map((id) => this.stop(id)));
  }
}
