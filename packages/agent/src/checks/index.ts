/**
 * Health checks run by the agent (issue 17): http, tcp and exec probes of one instance, each
 * check's state (`starting → healthy | unhealthy`, Kubernetes' thresholds) and when to restart.
 *
 * ```ts
 * import { CheckRunner } from './checks/index.js';
 * const runner = new CheckRunner({
 *   checks: spec.checks, // CheckSpec[], validated by @mo/api's validatePortsAndChecks
 *   resolvePort: (name) => ({ host: '127.0.0.1', port: ports[name] }),
 *   exec: { env: workloadEnv },
 *   onChange: (check, state) => report(instanceId, check, state),
 *   onRestart: (check, reason) => restart(instanceId, reason),
 * });
 * runner.health(); // 'starting' | 'healthy' | 'unhealthy' | 'none'
 * await runner.stop();
 * ```
 *
 * Wired by ../workloads/health.ts: one CheckRunner per running workload with checks, its states
 * kept in the workload's record, on its status and the heartbeat (README.md draws it).
 *
 * Exports: the pure decisions (`initialState`, `onResult`, `overall`: state.ts), the probes
 * (`runProbe`, `probeHttp`, `probeTcp`, `probeExec`: probes.ts) and `CheckRunner` (runner.ts).
 */
export {
  initialState,
  onResult,
  overall,
  type CheckResult,
  type CheckSpec,
  type CheckState,
  type CheckStatus,
  type InstanceHealth,
  type ProbeResult,
  type Transition,
} from './state.js';
export {
  DETAIL_LIMIT,
  HTTP_BODY_LIMIT,
  probeExec,
  probeHttp,
  probeTcp,
  runProbe,
  type Endpoint,
  type ExecContext,
  type ExecProbe,
  type HttpProbe,
  type ProbeContext,
  type TcpProbe,
} from './probes.js';
export { CheckRunner, type CheckRunnerOptions } from './runner.js';
