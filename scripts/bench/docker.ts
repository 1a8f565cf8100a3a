// The docker suite: a sandbox's start to running through a real mo-agent (StartWorkload, answered
// once the container runs) against `docker run -d` of the same image, command and sandbox settings
// — the CLI a user would otherwise script — in the same run, interleaved, as a ratio of medians.
//
// Needs a Docker engine and mo-sandbox:latest (deploy/sandbox/build.sh).
import { execa, execaSync } from 'execa';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dockerReady, removeContainersOfNode, SANDBOX_IMAGE, startAgentProcess, type AgentProcess } from '@mo/testkit';
import {
  msSince,
  registerCleanup,
  removeLater,
  round,
  row,
  summarize,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';

const SAMPLES = { warmup: 3, measured: 20 };
const ARGV = ['sleep', '3600'];
const TARGET_RATIO = 1.0;
/** What the agent applies by default (see drivers/docker/settings.ts), spelled as `docker run` flags. */
const SAME_SANDBOX = [
  '--init',
  '--network',
  'none',
  '--read-only',
  '--tmpfs',
  '/tmp:rw,nosuid,nodev,size=64m',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
  '--pids-limit',
  '256',
  '--memory',
  '512m',
  '--memory-swap',
  '512m',
  '--cpus',
  '1',
  // The agent's default user (nobody on a Debian host).
  '--user',
  '65534:65534',
  '--label',
  'mo.bench=docker-run',
];

export const dockerSuite: Suite = {
  name: 'docker',
  description: 'docker sandboxes: start to running through mo-agent vs `docker run -d`, same image and command',
  run,
};

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  if (!dockerReady()) {
    throw new Error(`needs a Docker engine with ${SANDBOX_IMAGE} (apt-get install docker.io; deploy/sandbox/build.sh)`);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'mo-bench-docker-'));
  let agent: AgentProcess | undefined;
  let nodeId = '';
  const cleanup = () => {
    if (nodeId) removeContainersOfNode(nodeId);
    removeRunContainers();
    removeLater(dataDir);
  };
  const unregister = registerCleanup(cleanup);
  try {
    agent = await startAgentProcess({ dataDir, extraArgs: ['--log-level', 'info'], env: ctx.daemonEnv });
    nodeId = readFileSync(join(dataDir, 'node-id'), 'utf8').trim();
    const client = agent.client;
    const viaAgent = async (): Promise<number> => {
      const t0 = process.hrtime.bigint();
      const w = await client.startWorkload({ argv: ARGV, driver: 'docker', docker: { image: SANDBOX_IMAGE } });
      const ms = msSince(t0);
      if (w.state !== 'WORKLOAD_STATE_RUNNING') throw new Error(`agent start ended ${w.state}: ${w.reason}`);
      await client.stopWorkload(w.spec!.id, 1);
      return ms;
    };
    const viaCli = async (): Promise<number> => {
      const t0 = process.hrtime.bigint();
      const id = await dockerRun([...SAME_SANDBOX, SANDBOX_IMAGE, ...ARGV]);
      const ms = msSince(t0);
      await dockerRun(['rm', '-f', id], false);
      return ms;
    };

    for (let i = 0; i < SAMPLES.warmup; i++) {
      await viaAgent();
      await viaCli();
    }
    const agentMs: number[] = [];
    const cliMs: number[] = [];
    // Interleaved, alternating who goes first, so drift in the engine hits both alike.
    for (let i = 0; i < SAMPLES.measured; i++) {
      if (i % 2 === 0) {
        agentMs.push(await viaAgent());
        cliMs.push(await viaCli());
      } else {
        cliMs.push(await viaCli());
        agentMs.push(await viaAgent());
      }
    }
    const a = summarize(agentMs);
    const c = summarize(cliMs);
    ctx.log(`agent p50 ${round(a.p50, 1)} ms, docker run -d p50 ${round(c.p50, 1)} ms`);
    const rows: Row[] = [
      row('sandbox start→running via mo-agent p50', round(a.p50, 1), 'ms'),
      row('sandbox start→running via mo-agent p90', round(a.p90, 1), 'ms'),
      row('`docker run -d` same image+command p50', round(c.p50, 1), 'ms'),
      row('`docker run -d` same image+command p90', round(c.p90, 1), 'ms'),
      row('mo-agent / docker run -d (p50)', round(a.p50 / c.p50, 2), 'x', { op: '<=', limit: TARGET_RATIO }),
    ];
    return { rows, raw: { agent: a, dockerRun: c, samples: SAMPLES, argv: ARGV, sandbox: SAME_SANDBOX } };
  } finally {
    await agent?.kill('SIGTERM');
    cleanup();
    unregister();
  }
}

async function dockerRun(args: string[], run = true): Promise<string> {
  const r = await execa('docker', run ? ['run', '-d', ...args] : args, { stdin: 'ignore', reject: false });
  if (r.failed) throw new Error(`docker ${args.join(' ')}: ${r.stderr || r.shortMessage}`);
  return r.stdout.trim();
}

function removeRunContainers(): void {
  try {
    const ids = execaSync('docker', ['ps', '-aq', '--filter', 'label=mo.bench=docker-run'], {
      lines: true,
    }).stdout.filter(Boolean);
    if (ids.length > 0) execaSync('docker', ['rm', '-f', ...ids], { stdio: 'ignore' });
  } catch {
    // no engine
  }
}
