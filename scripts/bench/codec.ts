// The codec suite: does mo's hand-written protobuf codec (@mo/api/wire) earn its place against the
// maintained libraries? Encode and decode of an agent's NodeStatus with 1,000 realistic workloads
// (specs with argv, env, labels, resources; usage, exit, ports, outputs), and of one heartbeat
// (10 changes, the scheduler's most frequent message), by:
// - mo's codec (proto-loader's objects, what mo's handlers see);
// - protobufjs 7 configured as @grpc/proto-loader configures it (what mo used before: decode +
//   toObject with LOADER_OPTIONS, fromObject + encode), from the same proto/ files;
// - @bufbuild/protobuf 2 (registry built from protoc's FileDescriptorSet), to and from ITS OWN
//   objects (int64 as bigint, enums as numbers, oneofs as {case, value}, $typeName): not the shape
//   mo's handlers need, so it is spared the conversion a drop-in would pay.
// All run in this process, interleaved round by round, so machine load weighs on all alike; the
// targets are the ratios mo / library ≤ 1 (mo at least as fast), each the median of per-round ratios.
import { LOADER_OPTIONS, PROTO_ROOT } from '@mo/api';
import { decodeMessage, encodeMessage } from '@mo/api/wire';
import { execaSync } from 'execa';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { REPO_ROOT, round, row, type Row, type Suite, type SuiteContext, type SuiteResult } from './lib.js';

/**
 * Timing. Each op is warmed up for WARM_MS of CPU (the JIT's optimizing tier). Then each round runs
 * every contestant in turn, the order rotating round by round: first SETTLE_MS untimed, then about
 * ROUND_MS of CPU timed, in batches of at least BATCH_MS (so reading the clock stays out of a 30 µs
 * op). The settling matters: the GC work the previous contestant's garbage started (incremental
 * marking, which slows allocation while it runs) otherwise lands in the next one's round; without
 * it protobufjs ran 3-4x slower in the rounds that followed @bufbuild/protobuf's. And no forced GC:
 * a full collection shrinks the young generation and the next few ops ran 3-10x slower, which made
 * the earlier version of this suite (gc() before 60 ms rounds) report 4-6x the per-op cost of the
 * same code measured alone. Each op pays for its own garbage as it goes.
 */
const WARM_MS = 400;
const ROUNDS = 15;
const SETTLE_MS = 30;
const ROUND_MS = 150;
const BATCH_MS = 2;
const WORKLOADS = 1000;

export const codecSuite: Suite = {
  name: 'codec',
  description: "mo's protobuf codec vs protobufjs (proto-loader's options) and @bufbuild/protobuf",
  run,
};

const FILES = ['agent', 'node', 'pipeline', 'registry', 'scheduler', 'workload'].map((f) => `mo/v1/${f}.proto`);
/** protobufjs and @bufbuild/protobuf are @mo/api's devDependencies, not the scripts'. */
const apiRequire = createRequire(join(REPO_ROOT, 'packages/api/package.json'));

interface Codec {
  /** Encodes what decode gave (each library its own objects). */
  encode(o: object): Uint8Array;
  decode(b: Buffer): object;
}

/** The part of protobufjs used here. */
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

function protobufjsCodec(typeName: string): Codec {
  const protobuf = apiRequire('protobufjs') as { Root: new () => PbRoot };
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

/** The part of @bufbuild/protobuf used here. */
interface Bufbuild {
  fromBinary(schema: unknown, bytes: Uint8Array): object;
  toBinary(schema: unknown, message: object): Uint8Array;
  createFileRegistry(set: object): { getMessage(name: string): unknown };
}

/** mo.v1's FileDescriptorSet as protoc compiles it (Debian's protobuf-compiler or python3-grpc-tools). */
function descriptorSet(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), `mo-bench-codec-${process.pid}-`));
  try {
    const out = join(dir, 'mo.pb');
    const args = [`-I${PROTO_ROOT}`, '--include_imports', `--descriptor_set_out=${out}`, ...FILES];
    const protoc = execaSync('protoc', args, { stdin: 'ignore', stdout: 'ignore', reject: false });
    // Not found (no exit code): python3-grpc-tools' protoc instead.
    if (protoc.failed && protoc.exitCode !== undefined) throw protoc;
    if (protoc.failed && execaSync('python3', ['-m', 'grpc_tools.protoc', ...args], { reject: false }).failed) {
      throw new Error(
        'the @bufbuild/protobuf rows need protoc: apt-get install protobuf-compiler (or python3-grpc-tools)',
      );
    }
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let bufbuildRegistry: ReturnType<Bufbuild['createFileRegistry']> | undefined;
function bufbuildCodec(typeName: string): Codec {
  const bb = apiRequire('@bufbuild/protobuf') as Bufbuild;
  if (!bufbuildRegistry) {
    const { FileDescriptorSetSchema } = apiRequire('@bufbuild/protobuf/wkt') as { FileDescriptorSetSchema: unknown };
    bufbuildRegistry = bb.createFileRegistry(bb.fromBinary(FileDescriptorSetSchema, descriptorSet()));
  }
  const schema = bufbuildRegistry.getMessage(`mo.v1.${typeName}`);
  if (!schema) throw new Error(`@bufbuild/protobuf: no mo.v1.${typeName} in protoc's descriptors`);
  return { encode: (m) => bb.toBinary(schema, m), decode: (b) => bb.fromBinary(schema, b) };
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

/** This process's CPU time in ms (user + system, the GC's threads included). */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * CPU ms per call of `op` over about `ms` of CPU, in batches of `batch` calls. CPU time, not wall
 * time: on a shared machine a process waiting for a core would count others' work as its own.
 */
function timeFor(op: () => unknown, ms: number, batch: number): number {
  let n = 0;
  let elapsed = 0;
  const t0 = cpuMs();
  do {
    for (let i = 0; i < batch; i++) op();
    n += batch;
    elapsed = cpuMs() - t0;
  } while (elapsed < ms);
  return elapsed / n;
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

type Contestant = 'mo' | 'protobufjs' | 'bufbuild';
const CONTESTANTS: Contestant[] = ['mo', 'protobufjs', 'bufbuild'];

/**
 * Every contestant's op, interleaved: per round each runs ROUND_MS, the order rotating. Per side the
 * median ms per op over the rounds; per library the median of the rounds' ratios mo / library
 * (paired within a round, so load that comes and goes between rounds cancels out).
 */
function race(ops: Record<Contestant, () => unknown>) {
  const batch = {} as Record<Contestant, number>;
  for (const c of CONTESTANTS) {
    const warm = timeFor(ops[c], WARM_MS, 1);
    batch[c] = Math.max(1, Math.round(BATCH_MS / warm));
  }
  const ms = { mo: [] as number[], protobufjs: [] as number[], bufbuild: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < CONTESTANTS.length; i++) {
      const c = CONTESTANTS[(r + i) % CONTESTANTS.length]!;
      timeFor(ops[c], SETTLE_MS, batch[c]);
      ms[c].push(timeFor(ops[c], ROUND_MS, batch[c]));
    }
  }
  const ratios = (c: Contestant) => ms.mo.map((m, r) => m / ms[c][r]!);
  return {
    mo: median(ms.mo),
    protobufjs: median(ms.protobufjs),
    bufbuild: median(ms.bufbuild),
    vsProtobufjs: median(ratios('protobufjs')),
    vsBufbuild: median(ratios('bufbuild')),
    best: { mo: Math.min(...ms.mo), protobufjs: Math.min(...ms.protobufjs), bufbuild: Math.min(...ms.bufbuild) },
    batch,
    rounds: ms,
  };
}

function compare(label: string, typeName: string, obj: object, log: (m: string) => void): { rows: Row[]; raw: object } {
  const pbjs = protobufjsCodec(typeName);
  const bb = bufbuildCodec(typeName);
  const bytes = encodeMessage(typeName, obj);
  // Same input, same content, or the comparison would mean nothing: mo and protobufjs give the same
  // objects both ways; what @bufbuild/protobuf reads and writes back, mo reads the same.
  const ours = decodeMessage<object>(typeName, bytes);
  if (!isDeepStrictEqual(ours, pbjs.decode(bytes))) throw new Error(`${label}: mo and protobufjs decode differently`);
  if (!isDeepStrictEqual(pbjs.decode(Buffer.from(pbjs.encode(obj))), ours)) {
    throw new Error(`${label}: mo and protobufjs encode differently`);
  }
  const theirs = bb.decode(bytes);
  if (!isDeepStrictEqual(decodeMessage(typeName, Buffer.from(bb.encode(theirs))), ours)) {
    throw new Error(`${label}: @bufbuild/protobuf reads or writes it differently`);
  }
  const encode = race({
    mo: () => encodeMessage(typeName, ours),
    protobufjs: () => pbjs.encode(ours),
    bufbuild: () => bb.encode(theirs),
  });
  const decode = race({
    mo: () => decodeMessage(typeName, bytes),
    protobufjs: () => pbjs.decode(bytes),
    bufbuild: () => bb.decode(bytes),
  });
  const brief = ({ rounds: _, ...t }: ReturnType<typeof race>) => JSON.stringify(t);
  log(`${label}: ${bytes.length} bytes; encode ${brief(encode)}; decode ${brief(decode)}`);
  const target = { op: '<=' as const, limit: 1 };
  const digits = decode.mo < 1 ? 3 : 1;
  const opRows = (op: string, t: ReturnType<typeof race>) => [
    row(`${label}: ${op}, mo`, round(t.mo, digits), 'ms CPU'),
    row(`${label}: ${op}, protobufjs (proto-loader's objects)`, round(t.protobufjs, digits), 'ms CPU'),
    row(`${label}: ${op}, @bufbuild/protobuf (its own objects)`, round(t.bufbuild, digits), 'ms CPU'),
    row(`${label}: ${op} ratio mo / protobufjs`, round(t.vsProtobufjs, 2), '', target),
    row(`${label}: ${op} ratio mo / @bufbuild/protobuf`, round(t.vsBufbuild, 2), '', target),
  ];
  return {
    rows: [
      row(`${label}: encoded size`, round(bytes.length / 1024, 1), 'KiB'),
      ...opRows('encode', encode),
      ...opRows('decode', decode),
    ],
    raw: { bytes: bytes.length, encodeMs: encode, decodeMs: decode },
  };
}

function heartbeat(): object {
  const changes = Array.from({ length: 10 }, (_, i) => workload(i));
  return { nodeId: '01J00000000000000000NODE17', metrics: { cpuUtilization: 0.5, load1: 1.5 }, changes };
}

/**
 * The heartbeat first, then NodeStatus. Order matters: V8 moves an allocation site whose objects
 * survive scavenges to allocating in the old generation (allocation-site pretenuring). When the
 * first messages a process decodes are 1,000 workloads, kept alive across scavenges, the object
 * literals every decoder of a workload's parts allocates from stay pretenured (all suite long),
 * in all three libraries. With NodeStatus first, mo decoded it in 11.8 ms and a heartbeat after
 * it in 0.13 ms; with the heartbeat first, 3.2 and 0.029 ms; NodeStatus first with
 * --no-allocation-site-pretenuring, 4.0 and 0.029 ms. A scheduler's first decodes are small
 * (Registers, heartbeats), so this order is its usual case; one restarted among agents with large
 * inventories would be in the other.
 */
async function run(ctx: SuiteContext): Promise<SuiteResult> {
  const small = compare('HeartbeatRequest (10 changes)', 'HeartbeatRequest', heartbeat(), ctx.log);
  const big = compare(`NodeStatus (${WORKLOADS} workloads)`, 'NodeStatus', nodeStatus(), ctx.log);
  return {
    rows: [...big.rows, ...small.rows],
    raw: {
      nodeStatus: big.raw,
      heartbeat: small.raw,
      rounds: ROUNDS,
      roundMs: ROUND_MS,
      settleMs: SETTLE_MS,
      warmMs: WARM_MS,
    },
  };
}
