// Hosts N simulated agents in one process for `pnpm bench`: the real agent (NodeAgent gRPC service,
// registration, heartbeat stream) with a MockDriver instead of processes and records kept in memory
// (a workload with named ports answers HTTP on them: a no-op server),
// like Kubernetes' scheduler_perf fake nodes. Run: node --import tsx sim-agents.ts COUNT SCHEDULER_ADDR DATA_ROOT
// Prints one JSON line {"ready":N} on stdout once every agent is serving; SIGTERM closes them.
// Each agent has a certificate of the run's CA for its node (MO_TEST_PKI_DIR, from the bench);
// MO_BENCH_INSECURE=1 runs them in plaintext instead.
import { collectHostFacts, MockDriver, startAgent, type Agent } from '@mo/agent';
import { agentCertificate, testPki } from '@mo/testkit';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [countArg, scheduler, dataRoot] = process.argv.slice(2);
const count = Number(countArg);
if (!Number.isInteger(count) || count <= 0 || !scheduler || !dataRoot) {
  process.stderr.write('usage: sim-agents.ts COUNT SCHEDULER_ADDR DATA_ROOT\n');
  process.exit(2);
}

const facts = await collectHostFacts({ nodeName: 'sim', agentVersion: 'sim', dockerSocket: '/nonexistent' });
const agents: Agent[] = [];
const silent = { debug() {}, info() {}, warn() {}, error() {} };
for (let i = 0; i < count; i += 10) {
  const batch = Array.from({ length: Math.min(10, count - i) }, (_, k) => {
    const name = `sim-${String(i + k + 1).padStart(4, '0')}`;
    const dataDir = join(dataRoot, name);
    mkdirSync(dataDir, { recursive: true });
    const security = async () =>
      process.env.MO_BENCH_INSECURE === '1'
        ? { insecure: true }
        : { tls: { ca: testPki().ca, ...(await agentCertificate(name)) } };
    return security().then(async (sec) =>
      startAgent({
        ...sec,
        grpcListen: '127.0.0.1:0',
        httpListen: '127.0.0.1:0',
        dataDir,
        nodeName: name,
        schedulerAddress: scheduler,
        capacityCpuMillis: 64_000,
        capacityMemoryBytes: 256 * 1024 ** 3,
        drivers: [new MockDriver({ name: 'process', servePorts: true })],
        hostFacts: facts,
        memoryState: true,
        logger: silent,
      }),
    );
  });
  agents.push(...(await Promise.all(batch)));
}
process.stdout.write(JSON.stringify({ ready: agents.length }) + '\n');

const stop = () => {
  void Promise.allSettled(agents.map((a) => a.close())).then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
