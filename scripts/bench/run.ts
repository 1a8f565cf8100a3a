// `pnpm bench`: runs every benchmark suite in order, prints one table per suite and writes
// bench-results/<suite>.json plus a combined bench-results/summary.json at the repo root.
//
//   pnpm bench                       all suites
//   pnpm bench --only agent          just these (repeatable, or comma-separated)
//   pnpm bench --profile /tmp/prof   daemons write V8 CPU profiles there (see profile-summary.ts)
//   pnpm bench --strict              exit 1 when a target is missed (default: only on errors)
//
// A suite is a module exporting a `Suite` (see lib.ts) whose run() returns rows
// { metric, value, unit, target, pass }; add new ones to SUITES below.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { agentSuite } from './agent.js';
import { auditSuite } from './audit.js';
import { boundsSuite } from './bounds.js';
import { cliSuite } from './cli.js';
import { codecSuite } from './codec.js';
import { dashboardSuite } from './dashboard.js';
import { dockerSuite } from './docker.js';
import { faultsSuite } from './faults.js';
import { peersSuite } from './peers.js';
import { pipelineSuite } from './pipeline.js';
import { placementSuite } from './placement.js';
import { queueSuite } from './queue.js';
import { schedulerSuite } from './scheduler.js';
import { servicesSuite } from './services.js';
import { haSuite } from './ha.js';
import {
  machineInfo,
  printTable,
  runCleanups,
  runDeferredRemovals,
  writeJson,
  type Row,
  type Suite,
  type SuiteContext,
} from './lib.js';

// The agent suite first: its raw-spawn baseline forks this process, whose size (and so fork's cost)
// the other suites would grow (the placement suite's 100k-node clusters doubled it to ~220 MiB).
const SUITES: Suite[] = [
  agentSuite,
  placementSuite,
  schedulerSuite,
  queueSuite,
  cliSuite,
  codecSuite,
  auditSuite,
  pipelineSuite,
  dockerSuite,
  faultsSuite,
  boundsSuite,
  dashboardSuite,
  servicesSuite,
  haSuite,
  peersSuite,
];
/** Pause between suites, so one's exiting processes and disk writes are not the next one's noise. */
const SETTLE_MS = 3000;

const HELP = `Usage: pnpm bench [--only SUITE[,SUITE]] [--profile DIR] [--strict]

Suites: ${SUITES.map((s) => `\n  ${s.name.padEnd(10)} ${s.description}`).join('')}

Results: bench-results/<suite>.json and bench-results/summary.json (repo root).`;

interface SuiteOutcome {
  suite: string;
  durationSeconds: number;
  rows: Row[];
  failed: string[];
  error?: string;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      only: { type: 'string', multiple: true },
      profile: { type: 'string' },
      strict: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const wanted = (values.only ?? []).flatMap((v) => v.split(',')).filter(Boolean);
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
  if (unknown.length > 0) {
    console.error(`unknown suite(s): ${unknown.join(', ')}\n\n${HELP}`);
    return 2;
  }
  const selected = wanted.length > 0 ? SUITES.filter((s) => wanted.includes(s.name)) : SUITES;

  const daemonEnv: Record<string, string> = {};
  if (values.profile) {
    const dir = resolve(values.profile);
    mkdirSync(dir, { recursive: true });
    // --cpu-prof is not allowed in NODE_OPTIONS on Node 20: a preloaded hook drives the profiler.
    const hook = fileURLToPath(new URL('./cpu-profile-hook.mjs', import.meta.url));
    daemonEnv.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --import=${hook}`.trim();
    daemonEnv.MO_BENCH_PROFILE_DIR = dir;
    console.log(`profiling daemons: .cpuprofile files go to ${dir}`);
  }

  const machine = machineInfo();
  const startedAt = new Date().toISOString();
  console.log(
    `mo bench: ${selected.map((s) => s.name).join(', ')} on ${machine.cpus} × ${machine.cpuModel}, ` +
      `node ${machine.node}, kernel ${machine.kernel}`,
  );

  const outcomes: SuiteOutcome[] = [];
  for (const [index, suite] of selected.entries()) {
    if (index > 0) await new Promise((r) => setTimeout(r, SETTLE_MS));
    const suiteStartedAt = new Date().toISOString();
    const t0 = Date.now();
    const ctx: SuiteContext = {
      daemonEnv,
      log: (msg) => console.log(`[${suite.name} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`),
    };
    console.log(`\n--- ${suite.name}: ${suite.description}`);
    try {
      const result = await suite.run(ctx);
      const durationSeconds = (Date.now() - t0) / 1000;
      printTable(`${suite.name} (${durationSeconds.toFixed(1)} s)`, result.rows);
      const file = writeJson(suite.name, {
        suite: suite.name,
        machine,
        startedAt: suiteStartedAt,
        durationSeconds,
        rows: result.rows,
        raw: result.raw,
      });
      console.log(`wrote ${file}`);
      const failed = result.rows.filter((r) => r.pass === false).map((r) => r.metric.trim());
      outcomes.push({ suite: suite.name, durationSeconds, rows: result.rows, failed });
    } catch (err) {
      const durationSeconds = (Date.now() - t0) / 1000;
      console.error(`suite ${suite.name} failed: ${(err as Error).stack ?? String(err)}`);
      outcomes.push({ suite: suite.name, durationSeconds, rows: [], failed: [], error: String(err) });
    }
  }

  runDeferredRemovals(); // the suites' data dirs, kept until now (see removeLater)
  const missed = outcomes.flatMap((o) => o.failed.map((m) => `${o.suite}: ${m}`));
  const errored = outcomes.filter((o) => o.error !== undefined);
  const file = writeJson('summary', {
    startedAt,
    finishedAt: new Date().toISOString(),
    machine,
    suites: outcomes,
    targetsMissed: missed,
    errors: errored.map((o) => ({ suite: o.suite, error: o.error })),
  });
  console.log(`\nwrote ${file}`);
  if (missed.length > 0) console.log(`targets missed (${missed.length}):\n  ${missed.join('\n  ')}`);
  else if (errored.length === 0) console.log('all targets met');
  if (errored.length > 0) return 1;
  return values.strict && missed.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    runCleanups();
    process.exit(130);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    runCleanups();
    console.error(err);
    process.exitCode = 1;
  },
);
