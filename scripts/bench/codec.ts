// The codec suite: does mo's hand-written protobuf codec (@mo/api/lite) earn its place against a
// maintained library? Encode and decode of an agent's NodeStatus with 1,000 realistic workloads
// (specs with argv, env, labels, resources; usage, exit, ports, outputs), by mo's codec and by
// protobufjs configured as @grpc/proto-loader configures it (what mo used before: decode +
// toObject with LOADER_OPTIONS, fromObject + encode), from the same proto/ files. Both sides run
// in this process, interleaved round by round, so machine load weighs on both alike; the target is
// the ratio mo / protobufjs ≤ 1 (mo at least as fast). Also one heartbeat (10 changes): the
// scheduler's most frequent message.
import { LOADER_OPTIONS, PROTO_ROOT } from '@mo/api';
import { decodeMessage, encodeMessage } from '@mo/api/lite';
import { isDeepStrictEqual } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO_ROOT, round, row, type Row, type Suite, type SuiteContext, type SuiteResult } from './lib.js';

/** Rounds per pair of operations (mo's, protobufjs's); each side runs about ROUND_MS per round. */
const ROUNDS = 21;
const ROUND_MS = 60;
const WORKLOADS = 1000;

export const codecSuite: Suite = {
  name: 'codec',
  description: "mo's protobuf codec vs protobufjs (proto-loader's options): NodeStatus of 1,000 workloads",
  run,
};

/** The part of protobufjs used here (it is @mo/api's devDependency, not the scripts'). */
interface PbType {
  fromObject(o: object): object;
  encode(m: object): { finish(): Uint8Array };
  decode(b: Uint8Array): object;
  toObject(m: object, o: object): object;
}
interface PbRoot {
  loadSync(files: string[], o: { keepCase: boolean }): PbRoot;
  resolveAll(): PbRoot;
  lookupType(name: string): PbType;
}
const protobuf = createRequire(join(REPO_ROOT, 'packages/api/package.json'))('protobufjs') as {
  Root: new () => PbRoot;
};

const FILES = ['agent', 'node', 'pipeline', 'registry', 'scheduler', 'workload'].map((f) => `mo/v1/${f}.proto`);

function protobufjsCodec(typeName: string): { encode(o: object): Buffer; decode(b: Buffer): object } {
  const root = new protobuf.Root();
  (root as unknown as { resolvePath: (o: string, t: string) => string }).resolvePath = (_o, t) => join(PROTO_ROOT, t);
  root.loadSync(FILES, { keepCase: false }).resolveAll();
  const type = root.lookupType(`mo.v1.${typeName}`);
  const { longs, enums, defaults, oneofs } = LOADER_OPTIONS;
  const toObject = { longs, enums, defaults, oneofs };
  return {
    // @grpc/proto-loader's serialize and deserialize, exactly
    encode: (o) => Buffer.from(type.encode(type.fromObject(o)).finish()),
    decode: (b) => type.toObject(type.decode(b), toObject),
  };
}

/** One agent's workload as the agent reports it: a spec like a user's, its state and usage. */
function workload(i: number): object {
  const id = `01J${(1_000_000 + i).toString(36).toUpperCase()}QZ8K4M2N7P0XYZ`;
  const ended = i % 5 === 0;
  return {
    spec: {
      id,
      name: `web-${i % 40}-${i}`,
      argv: ['/usr/bin/python3', '-m', 'http.server', String(8000 + (i % 1000)), '--bind', '0.0.0.0'],
      env: {
        PATH: '/usr/local/bin:/usr/bin:/bin',
        HOME: '/var/lib/mo/home',
        MO_WORKLOAD_ID: id,
        LOG_LEVEL: i % 2 ? 'info' : 'debug',
        DATABASE_URL: `postgres://app:secret@db-${i % 3}.internal:5432/app`,
        FEATURE_FLAGS: 'a,b,c,d',
      },
      workingDir: `/srv/app/${i % 40}`,
      resources: { cpuMillis: 250 + (i % 4) * 250, memoryBytes: (128 + (i % 8) * 64) * 2 ** 20, hostPorts: 1 },
      labels: { team: `team-${i % 7}`, tier: i % 3 ? 'web' : 'batch', version: `v1.${i % 13}.0` },
      gracePeriodMs: 10_000,
      driver: 'process',
      timeoutMs: ended ? 600_000 : 0,
      lostAfterMs: 60_000,
      pidsLimit: 512,
    },
    state: ended ? 'WORKLOAD_STATE_SUCCEEDED' : 'WORKLOAD_STATE_RUNNING',
    reason: ended ? 'exited with code 0' : 'started',
    pid: 10_000 + i,
    createdAtMs: 1_760_000_000_000 + i * 1000,
    startedAtMs: 1_760_000_000_500 + i * 1000,
    exit: ended ? { exited: true, exitCode: 0, finishedAtMs: 1_760_000_900_000 + i } : null,
    usage: { cpuPercent: (i % 100) / 3, rssBytes: (40 + (i % 50)) * 2 ** 20, processes: 1 + (i % 3) },
    ports: [{ containerPort: 8000, hostPort: 20_000 + i, hostIp: '0.0.0.0' }],
    outputs: ended ? { result: `ok-${i}` } : {},
  };
}

function nodeStatus(): object {
  return {
    facts: {
      nodeName: 'node-17',
      hostname: 'node-17.dc1.internal',
      cpuModel: 'AMD EPYC 7B13',
      cpuCores: 32,
      memoryTotalBytes: 128 * 2 ** 30,
      os: 'Debian GNU/Linux 12',
      kernel: '6.1.0-18-amd64',
      arch: 'x64',
      drivers: ['process', 'docker'],
      dockerAvailable: true,
      dockerVersion: '20.10.24',
      bootId: '6f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b',
      agentVersion: '0.1.0',
      cgroupMode: 'v2',
      enforcedLimits: ['memory', 'cpu', 'pids'],
    },
    metrics: { cpuUtilization: 0.42, memoryTotalBytes: 128 * 2 ** 30, memoryAvailableBytes: 64 * 2 ** 30, load1: 3.1 },
    workloads: Array.from({ length: WORKLOADS }, (_, i) => workload(i)),
  };
}

// A full collection before each round, so a round pays for its own garbage and not for the
// previous op's (decoding 1,000 workloads leaves ~10 MiB for the collector).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** This process's CPU time in ms (user + system, the GC's threads included). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU ms per call of `op`, run for about ROUND_MS of CPU after a full collection. CPU time, not wall
 * time: on a shared machine a process waiting for a core would count others' work as its own.
 */
function timeRound(op: () => unknown): number {
  collect();
  let n = 0;
  let elapsed = 0;
  const t0 = cpuMs();
  do {
    op();
    n++;
    elapsed = cpuMs() - t0;
  } while (elapsed < ROUND_MS);
  return elapsed / n;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

/**
 * mo's op against protobufjs's, round by round, back to back (who goes first alternates). Each side
 * is its fastest round (others' load only ever adds: cache and core contention, frequency), and
 * the ratio is of those; the medians are kept in the raw results.
 */
function pair(mo: () => unknown, pb: () => unknown) {
  // warm up (JIT)
  for (let i = 0; i < 20; i++) {
    mo();
    pb();
  }
  const moMs: number[] = [];
  const pbMs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const [m, p] = r % 2 === 0 ? [timeRound(mo), timeRound(pb)] : [timeRound(mo), timeRound(pb)].reverse();
    moMs.push(m!);
    pbMs.push(p!);
    ratios.push(m! / p!);
  }
  const best = { mo: Math.min(...moMs), pb: Math.min(...pbMs) };
  return {
    ...best,
    ratio: best.mo / best.pb,
    medianMo: median(moMs),
    medianPb: median(pbMs),
    medianRatio: median(ratios),
  };
}

function compare(label: string, typeName: string, obj: object, log: (m: string) => void): { rows: Row[]; raw: object } {
  const pbjs = protobufjsCodec(typeName);
  const bytes = encodeMessage(typeName, obj);
  // Same objects both ways, or the comparison would mean nothing.
  const ours = decodeMessage<object>(typeName, bytes);
  if (!isDeepStrictEqual(ours, pbjs.decode(bytes))) throw new Error(`${label}: mo and protobufjs decode differently`);
  if (!isDeepStrictEqual(pbjs.decode(pbjs.encode(obj)), pbjs.decode(bytes))) {
    throw new Error(`${label}: mo and protobufjs encode differently`);
  }
  const encode = pair(
    () => encodeMessage(typeName, ours),
    () => pbjs.encode(ours),
  );
  const decode = pair(
    () => decodeMessage(typeName, bytes),
    () => pbjs.decode(bytes),
  );
  log(`${label}: ${bytes.length} bytes; encode ${JSON.stringify(encode)}, decode ${JSON.stringify(decode)}`);
  const target = { op: '<=' as const, limit: 1 };
  const digits = decode.mo < 1 ? 3 : 1;
  return {
    rows: [
      row(`${label}: encoded size`, round(bytes.length / 1024, 1), 'KiB'),
      row(`${label}: encode, mo`, round(encode.mo, digits), 'ms CPU'),
      row(`${label}: encode, protobufjs`, round(encode.pb, digits), 'ms CPU'),
      row(`${label}: encode ratio mo / protobufjs`, round(encode.ratio, 2), '', target),
      row(`${label}: decode, mo`, round(decode.mo, digits), 'ms CPU'),
      row(`${label}: decode, protobufjs`, round(decode.pb, digits), 'ms CPU'),
      row(`${label}: decode ratio mo / protobufjs`, round(decode.ratio, 2), '', target),
    ],
    raw: { bytes: bytes.length, encodeMs: encode, decodeMs: decode },
  };
}

function heartbeat(): object {
  const changes = Array.from({ length: 10 }, (_, i) => workload(i));
  return { nodeId: '01J00000000000000000NODE17', metrics: { cpuUtilization: 0.5, load1: 1.5 }, changes };
}

async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const big = compare(`NodeStatus (${WORKLOADS} workloads)`, 'NodeStatus', nodeStatus(), ctx.log);
  const small = compare('HeartbeatRequest (10 changes)', 'HeartbeatRequest', heartbeat(), ctx.log);
  return {
    rows: [...big.rows, ...small.rows],
    raw: { nodeStatus: big.raw, heartbeat: small.raw, rounds: ROUNDS, roundMs: ROUND_MS },
  };
}
