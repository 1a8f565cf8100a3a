/**
 * @mo/testkit — start real mo daemons as separate processes for tests and benchmarks.
 *
 * ```ts
 * import { startAgentProcess, waitFor } from '@mo/testkit';
 * const agent = await startAgentProcess();
 * const w = await agent.client.startWorkload({ argv: ['sleep', '1'] });
 * await agent.kill('SIGKILL'); // the workload survives; start another agent on agent.dataDir
 * ```
 *
 * Exports: `startAgentProcess` / `startSchedulerProcess` / `startCluster` (a scheduler + N agents)
 * (+ AGENT_BIN, SCHEDULER_BIN, CLI_BIN paths), `startDev` (`mo dev` itself, as a user runs it; `devMo`
 * for the CLI with its credentials), `runMo` (the built CLI), `waitFor`, `sleep`, `isAlive`,
 * `requireTool` (fail in CI, skip with a reason elsewhere), `cpuSecondsOf` / `measureCpuPercent`
 * (a process's CPU from /proc), Docker helpers (`dockerReady`,
 * `removeContainersOfNode`, `SANDBOX_IMAGE`), real etcd (`startEtcd`: 1 or 3 members of Debian's
 * etcd-server on free ports, each killable, pausable and restartable; `etcdFound`), systemd unit checks (`createUnitVerifier`,
 * `unitDirectives`, …), `mountTmpfs` (a small disk that really fills up; root only), a
 * network-namespace test bed (`createNetnsBed`: a bridge, one namespace per host, silent
 * partitions of a host or of one link (`partitionFrom`), cut links, delay/jitter/loss (`impair`);
 * `netnsUnavailable` / `impairUnavailable` say why not here; `startSchedulerIn` / `startAgentIn`
 * run a daemon in a host's namespace on its address), and on it one whole partition
 * scenario (`startPartitionScenario`: two nodes, workloads on one, cut off and healed, copies
 * counted from /proc), and abusive raw HTTP/2 gRPC calls that never read or never end
 * (`rawSession`, `openRawCall`) with what a daemon holds (`processHolds`: RSS, open fds; a daemon
 * started with `debugGcEnv()` collects its garbage on request: `collectGarbage`):
 *
 * Every daemon runs with TLS by default, with certificates of the run's CA (`ensureTestPki`: in
 * the run dir jest's global setup makes, else a temp dir): an agent gets one for its node name, the
 * scheduler the run's scheduler certificate; `insecure: true` runs one in plaintext. Clients made
 * by tests take `testClientOptions()` (the run's admin client certificate) or, for an agent,
 * `testAgentClientOptions(node)` (the scheduler's certificate); `testCertificate(role)` makes
 * others (expired ones too), `testServerTls(pair)` serves an in-process test server.
 *
 * ```ts
 * const bed = await createNetnsBed({ hosts: 1 });
 * const scheduler = await startSchedulerProcess({ grpcListen: `${bed.hostAddress}:0` });
 * const h = bed.hosts[0]!;
 * const agent = await startAgentProcess({ wrap: h.wrap, grpcListen: `${h.address}:7610`,
 *   extraArgs: ['--scheduler', scheduler.grpcAddress, '--advertise', `${h.address}:7610`] });
 * await h.partition(); await h.heal(); await bed.close();
 * ```
 */
export {
  AGENT_BIN,
  CLI_BIN,
  CLI_FRONT,
  CLI_NODE_FLAGS,
  startAgentProcess,
  type AgentProcess,
  type AgentProcessOptions,
} from './agent-process.js';
export { cliHelperRuntime, cliHelpersUnder, runMo, testCliEnv, type MoResult } from './cli.js';
export { devMo, devStderrLine, killStartedDevs, startDev, type Dev, type DevReady } from './dev.js';
export {
  apiCall,
  openEventStream,
  type ApiCallOptions,
  type ApiReply,
  type EventStreamReader,
  type SseEvent,
} from './http-api.js';
export {
  SCHEDULER_BIN,
  startCluster,
  startSchedulerProcess,
  stopAllWorkloads,
  type Cluster,
  type ClusterOptions,
  type SchedulerProcess,
  type SchedulerProcessOptions,
} from './scheduler-process.js';
export {
  createUnitVerifier,
  systemdAnalyzeFound,
  uncommentedUnitLines,
  unitDirectives,
  unitExecPaths,
  type UnitVerifier,
  type UnitVerifierOptions,
} from './systemd-unit.js';
export { unitLaunchScript, type UnitLaunchOptions } from './unit-launch.js';
export { freePort, freePorts, stepOf, waitForPipeline } from './pipelines.js';
export { hostileStartRequest, maxBatchRequest, maxProcessSpec, maxStartRequest } from './large-starts.js';
export { isAlive, requireTool, sleep, waitFor } from './wait.js';
export { cpuSecondsOf, measureCpuPercent, preciseCpuSecondsOf } from './proc.js';
export { ETCD_BIN, etcdFound, startEtcd, type EtcdMember, type EtcdServer, type StartEtcdOptions } from './etcd.js';
export { schedulerLeads, startHaCluster, type HaCluster, type HaClusterOptions } from './ha-cluster.js';
export { dockerReady, removeContainersOfNode, SANDBOX_IMAGE } from './docker.js';
export { canMountTmpfs, mountTmpfs, type Tmpfs } from './tmpfs.js';
export {
  createNetnsBed,
  impairUnavailable,
  netnsUnavailable,
  sweepLeftovers,
  type NetnsBed,
  type NetnsHost,
} from './netns.js';
export type { LinkImpairment } from './netns-faults.js';
export {
  BED_PORTS,
  startAgentIn,
  startSchedulerIn,
  waitForRegistration,
  type AgentInHostOptions,
  type SchedulerInHostOptions,
} from './netns-daemons.js';
export {
  startPartitionScenario,
  type PartitionOutcome,
  type PartitionScenario,
  type PartitionScenarioOptions,
} from './partition-scenario.js';
export { collectGarbage, debugGcEnv, type DebugGcResult } from './debug-gc.js';
export { grpcFrame, openRawCall, processHolds, rawSession, type RawCall, type RawCallEnd } from './raw-streams.js';
export {
  agentCertificate,
  agentNodeName,
  ensureTestPki,
  testAgentClientOptions,
  testCertificate,
  testChannelCredentials,
  testClientOptions,
  testTokenOptions,
  testFetch,
  testServerOptions,
  testPki,
  testServerTls,
  testTls,
  tlsFlags,
  type TestPair,
  type TestPki,
} from './pki.js';
