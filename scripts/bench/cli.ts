// The cli suite: wall time of `mo status` (a real process, against a real scheduler with one real
// agent and a few workloads) as a ratio to `node -e 0` measured in the same run, so the figure
// says what the CLI adds on top of starting Node on this machine. Also `mo nodes` and
// `mo status --json`, and `mo --help` (what loading the CLI alone costs). And the floor under any
// TLS client in Node (tls-floor.cjs: one mutual-TLS HTTP/2 connection, no mo code), so that a
// row says how much of `mo status` is mo's. Then what scripts see: `mo start`, `mo ps`,
// `mo start --wait=exit -- /bin/true`, many `mo start` from 4 shells, and `mo start --count`.
// `mo` is the front (native/mo-front.c) as installed: a script's calls after its first are served
// by the CLI helper it starts (the warm-up calls start it); the Node CLI's own figures (bin/mo.cjs
// run directly: what a call on a terminal, or a script's first, costs) are kept beside them.
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLI_BIN,
  CLI_FRONT,
  CLI_NODE_FLAGS,
  cliHelperRuntime,
  startCluster,
  testCliEnv,
  type Cluster,
} from '@mo/testkit';
import { oneCallRate, parallelRuns, timed } from './cli-throughput.js';
import {
  registerCleanup,
  round,
  row,
  summarize,
  type Row,
  type Suite,
  type SuiteContext,
  type SuiteResult,
} from './lib.js';

const SAMPLES = 30;
const WARMUP = 3;
const TARGET_RATIO = 3;
/** Issue 14's targets: the commands people run most within 2× of starting Node, a start that waits
 * for a /bin/true within 3×; scripts calling `mo start` from 4 shells, and arrays, fast enough. */
const FAST_RATIO = 2;
const WAIT_EXIT_RATIO = 3;
const SHELL_STARTS = Number(process.env.MO_BENCH_CLI_STARTS ?? 2000);
const SHELLS = 4;
const SHELL_STARTS_PER_S = 35;
const ARRAY_COUNT = 2000;
const ARRAY_PER_S = 1000;

export const cliSuite: Suite = {
  name: 'cli',
  description: '`mo status`, `mo start`, `mo ps` wall time vs `node -e 0`; `mo start` rates (real scheduler + 1 agent)',
  run,
};

/**
 * Interleaves the commands sample by sample (node, mo status, node, mo status, …) so that a
 * machine that gets busier or quieter during the run shifts every series alike.
 */
async function sampleAll(
  commands: Record<string, string[]>,
  env: NodeJS.ProcessEnv,
): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    for (const [name, args] of Object.entries(commands)) {
      const ms = await timed(args, env);
      if (i >= WARMUP) out[name]!.push(ms);
    }
  }
  return out;
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  let cluster: Cluster | undefined;
  const runtime = cliHelperRuntime();
  const unregister = registerCleanup(() => {
    runtime.stop();
    for (const p of [cluster?.scheduler, ...(cluster?.agents ?? [])]) {
      try {
        if (p) process.kill(p.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  try {
    cluster = await startCluster({ agents: 1 });
    const address = cluster.scheduler.grpcAddress;
    ctx.log(`scheduler at ${address}, 1 agent`);
    // Something to show: a few ended workloads and one running.
    const client = cluster.scheduler.client;
    const submitted = await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.submitWorkload({ spec: { name: `bench-${i}`, argv: ['true'] } })),
    );
    const long = await client.submitWorkload({ spec: { name: 'bench-long', argv: ['sleep', '600'] } });

    // Only PATH and the credentials (the cluster runs with TLS, as a user's does): the CLI must
    // not depend on anything else in the environment. The TLS handshake is part of what is timed.
    // `mo` is run as a user runs it, as an executable (its #! line picks `node` from PATH and
    // passes the launcher's flags): PATH starts with this Node's directory so that it is this
    // Node, the one `node -e 0` is.
    const node = process.execPath;
    const env = { PATH: `${dirname(node)}:${process.env.PATH ?? ''}`, ...testCliEnv(), ...runtime.env };
    const floorCommand = [node, ...CLI_NODE_FLAGS, fileURLToPath(new URL('./tls-floor.cjs', import.meta.url)), address];
    const series = await sampleAll(
      {
        node: [node, '-e', '0'],
        status: [CLI_FRONT, '--scheduler', address, 'status'],
        statusJson: [CLI_FRONT, '--scheduler', address, 'status', '--json'],
        nodes: [CLI_FRONT, '--scheduler', address, 'nodes'],
        help: [CLI_FRONT, '--help'],
        start: [CLI_FRONT, '--scheduler', address, 'start', '--', '/bin/true'],
        startWaitExit: [CLI_FRONT, '--scheduler', address, 'start', '--wait=exit', '--', '/bin/true'],
        ps: [CLI_FRONT, '--scheduler', address, 'ps', '--all'],
        // The Node CLI itself (bin/mo.cjs: what the front runs for a terminal or a first call).
        nodeStatus: [CLI_BIN, '--scheduler', address, 'status'],
        nodeStart: [CLI_BIN, '--scheduler', address, 'start', '--', '/bin/true'],
        nodeStartWaitExit: [CLI_BIN, '--scheduler', address, 'start', '--wait=exit', '--', '/bin/true'],
        // The floor with the launcher's Node flags (bin/mo.cjs's #! line), so it stays the floor under `mo`.
        tlsFloor: floorCommand,
      },
      env,
    );
    const s = Object.fromEntries(Object.entries(series).map(([k, v]) => [k, summarize(v)]));
    const p50 = (k: string) => s[k]!.p50;
    const ratio = p50('status') / p50('node');
    const rows: Row[] = [
      row('node -e 0 wall p50', round(p50('node'), 1), 'ms'),
      row('mo status wall p50', round(p50('status'), 1), 'ms'),
      row('mo status / node -e 0 (p50)', round(ratio, 2), '×', { op: '<=', limit: TARGET_RATIO }),
      row('mo status wall p90', round(s.status!.p90, 1), 'ms'),
      row('mo status --json wall p50', round(p50('statusJson'), 1), 'ms'),
      row('mo nodes wall p50', round(p50('nodes'), 1), 'ms'),
      row('mo --help wall p50 (no gRPC)', round(p50('help'), 1), 'ms'),
      row('bare TLS HTTP/2 connect wall p50 (the floor, no mo code)', round(p50('tlsFloor'), 1), 'ms'),
      row('  floor / node -e 0 (p50)', round(p50('tlsFloor') / p50('node'), 2), '×'),
      row('  Node CLI mo status - floor (p50: what mo adds)', round(p50('nodeStatus') - p50('tlsFloor'), 1), 'ms'),
      row('mo status / node -e 0 (p50; issue 14)', round(ratio, 2), '×', { op: '<=', limit: FAST_RATIO }),
      row('mo start -- /bin/true wall p50', round(p50('start'), 1), 'ms'),
      row('mo start / node -e 0 (p50)', round(p50('start') / p50('node'), 2), '×', { op: '<=', limit: FAST_RATIO }),
      row('mo ps --all wall p50', round(p50('ps'), 1), 'ms'),
      row('mo ps / node -e 0 (p50)', round(p50('ps') / p50('node'), 2), '×', { op: '<=', limit: FAST_RATIO }),
      row('mo start --wait=exit -- /bin/true wall p50', round(p50('startWaitExit'), 1), 'ms'),
      row('mo start --wait=exit / node -e 0 (p50)', round(p50('startWaitExit') / p50('node'), 2), '×', {
        op: '<=',
        limit: WAIT_EXIT_RATIO,
      }),
      row('Node CLI, no helper: mo status wall p50', round(p50('nodeStatus'), 1), 'ms'),
      row('Node CLI, no helper: mo start wall p50', round(p50('nodeStart'), 1), 'ms'),
      row('  its mo start / node -e 0 (p50)', round(p50('nodeStart') / p50('node'), 2), '×'),
      row('Node CLI, no helper: mo start --wait=exit wall p50', round(p50('nodeStartWaitExit'), 1), 'ms'),
    ];
    // Throughput last: the workloads these submit keep the agent busy for a while after.
    ctx.log(`${SHELL_STARTS} mo start from ${SHELLS} shells`);
    const shellRate = await parallelRuns(
      [CLI_FRONT, '--scheduler', address, 'start', '--', '/bin/true'],
      env,
      SHELL_STARTS,
      SHELLS,
    );
    // The same loop with `node -e 0`: what starting a Node process per call allows on this
    // machine (the ceiling the Node CLI alone had; the helper is not bound by it).
    const nodeRate = await parallelRuns([node, '-e', '0'], env, Math.min(SHELL_STARTS, 400), SHELLS);
    // The Node CLI in the same loop (no helper): fewer calls, it is slow.
    const nodeCliRate = await parallelRuns(
      [CLI_BIN, '--scheduler', address, 'start', '--', '/bin/true'],
      env,
      Math.min(SHELL_STARTS, 200),
      SHELLS,
    );
    // And with the bare TLS HTTP/2 connect (no call, no mo code): the ceiling of any Node client
    // that starts a process per call and dials the scheduler with TLS.
    const floorRate = await parallelRuns(floorCommand, env, Math.min(SHELL_STARTS, 400), SHELLS);
    rows.push(
      row(`${SHELL_STARTS} × mo start from ${SHELLS} shells`, round(shellRate, 1), '/s', {
        op: '>=',
        limit: SHELL_STARTS_PER_S,
      }),
      row(`  node -e 0 from ${SHELLS} shells (a Node process per call)`, round(nodeRate, 1), '/s'),
      row('  mo start rate / node -e 0 rate', round(shellRate / nodeRate, 2), '×'),
      row(`  Node CLI, no helper, from ${SHELLS} shells`, round(nodeCliRate, 1), '/s'),
      row(`  bare TLS HTTP/2 connect from ${SHELLS} shells (a Node client's ceiling)`, round(floorRate, 1), '/s'),
      row('  Node CLI rate / TLS connect rate', round(nodeCliRate / floorRate, 2), '×'),
    );
    ctx.log(`mo start --count ${ARRAY_COUNT}`);
    const arrayRate = await oneCallRate(
      [CLI_FRONT, '--scheduler', address, 'start', '--count', String(ARRAY_COUNT), '--', '/bin/true'],
      env,
      ARRAY_COUNT,
    );
    rows.push(
      row(`mo start --count ${ARRAY_COUNT} (submitted)`, round(arrayRate, 0), 'workloads/s', {
        op: '>=',
        limit: ARRAY_PER_S,
      }),
    );
    await client.stopWorkload(long.workload!.id, 500).catch(() => undefined);
    ctx.log(`workloads used: ${submitted.length + 1}`);
    return { rows, raw: { samples: SAMPLES, summaries: s } };
  } finally {
    await cluster?.stop();
    runtime.stop();
    unregister();
  }
}
