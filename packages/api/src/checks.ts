// A health check as a job declares it and the agent runs it (issue 17): one definition for the
// scheduler's job spec (jobs/spec.ts validates it, defaults filled) and the agent's checks/.
export type CheckKind = 'http' | 'tcp' | 'exec';

/** A health check the agent runs against each instance. Defaults are Kubernetes' probe defaults. */
export interface CheckSpec {
  name: string;
  kind: CheckKind;
  /** http and tcp: the named port checked. */
  port: string;
  /** http: the path asked for (default "/"). */
  path: string;
  /** http: the status expected (0 = any 2xx or 3xx, as Kubernetes). */
  expectStatus: number;
  /** exec: argv, run in the workload's environment. */
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  /** Consecutive passes from unhealthy (or starting) to healthy. */
  successThreshold: number;
  /** Consecutive failures from healthy to unhealthy. */
  failureThreshold: number;
  /** Consecutive failures after which the agent restarts the instance (0 = never). */
  restartAfter: number;
  /** Not checked before this long after the instance started. */
  initialDelayMs: number;
}
