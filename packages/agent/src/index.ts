/**
 * @mo/agent — the mo node agent: starts, supervises and reports workloads on one host.
 *
 * ```ts
 * import { startAgent } from '@mo/agent';
 * const agent = await startAgent({
 *   grpcListen: '127.0.0.1:0', httpListen: '127.0.0.1:0', dataDir: '/tmp/a', nodeName: 'n1',
 *   tls: { ca: 'ca.pem', cert: 'agent-n1.pem', key: 'agent-n1-key.pem' }, // or insecure: true
 * });
 * console.log(agent.grpcAddress); // drive it with AgentClient from @mo/api
 * await agent.close();            // workloads keep running and are re-attached on the next start
 * ```
 *
 * Exports: `startAgent` / `resolveAgentOptions` (the daemon), `main` (the `mo-agent` command line),
 * the `Driver` interface every driver implements with `ProcessDriver`, `DockerDriver` (and
 * `MockDriver`, for benchmarks only), the agent's cgroups (`setUpCgroups`, `WorkloadCgroups`),
 * and the host probes (`host/`: the /proc readers, `probeDocker`, `collectHostFacts`).
 *
 * A driver's own settings (docker's sandbox) are opaque to the `Driver` interface: the driver makes
 * them from its part of the spec (`validateSpec`, e.g. `validateDockerSpec`), the agent saves them
 * with the workload and hands them back in `TaskConfig.driverConfig`, and only the driver reads them
 * (`dockerSettingsOf`).
 */
export { AGENT_VERSION, startAgent, type Agent } from './agent.js';
export { DEFAULT_AGENT_OPTIONS, resolveAgentOptions, type AgentOptions } from './options.js';
export { main, parseAgentArgs } from './main.js';
export type {
  Driver,
  DriverSpec,
  ExitResult,
  RecoverResult,
  PortMappingRecord,
  TaskConfig,
  TaskHandle,
  TaskUsage,
  WaitResult,
} from './drivers/driver.js';
export { StartFailedError } from './drivers/driver.js';
export { ProcessDriver, DEFAULT_SHIM_PATH, type ProcessDriverOptions } from './drivers/process/process-driver.js';
export { DockerDriver, type DockerDriverOptions } from './drivers/docker/docker-driver.js';
export {
  DEFAULT_DOCKER_LIMITS,
  dockerSettingsOf,
  validateDockerSpec,
  type DockerLimits,
  type DockerSettings,
} from './drivers/docker/settings.js';
/**
 * For benchmarks and tests only: a driver that runs nothing (fake pids, no processes), so that one
 * process can host many simulated agents: `startAgent({ drivers: [new MockDriver({ name: 'process' })] })`.
 */
export { MockDriver, type MockDriverOptions } from './drivers/mock/mock-driver.js';
/** The agent's cgroups: detection, the agent's root, one cgroup per process workload. */
export {
  launcherArgs,
  setUpCgroups,
  validateCgroupRoot,
  WorkloadCgroups,
  type CgroupLayout,
  type CgroupSetup,
} from './cgroups/index.js';
/**
 * What the agent learns of its host, all in src/host/: every /proc reader (node CPU, memory, load,
 * boot id, a process's stat and VmRSS, the mount table), whether a Docker engine answers, and the
 * facts it registers with.
 */
export {
  CpuSampler,
  readBootId,
  readLoadAvg,
  readMemInfo,
  readMountinfo,
  readProcStat,
  readProcTable,
  readVmRss,
} from './host/proc.js';
export { DEFAULT_DOCKER_SOCKET, probeDocker } from './host/docker.js';
export { collectHostFacts, type HostFacts } from './host/facts.js';
