// A stock client against real daemons: Python's grpcio and protobuf (Debian's), knowing nothing of
// mo but what server reflection says (python/reflection_client.py), load every file into a strict
// descriptor pool and call the scheduler's GetClusterStatus, both daemons' Health/Check and an
// agent's GetNodeStatus. Each daemon lists only what it serves; with protoc installed, every file
// served is compared with what protoc makes of the same .proto.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROTO_ROOT } from '@mo/api';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCluster, type Cluster } from './scheduler-process.js';
import { requireTool } from './wait.js';
import { testPki } from './pki.js';

const PYTHON = '/usr/bin/python3'; // Debian's, with python3-grpcio: not another python on PATH
const CLIENT = fileURLToPath(new URL('../python/reflection_client.py', import.meta.url));
const STANDARD = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];
const MO_FILES = ['agent', 'jobs', 'node', 'pipeline', 'registry', 'scheduler', 'token', 'workload'].map(
  (f) => `mo/v1/${f}.proto`,
);
const GRPC_FILES = [
  'grpc/health/v1/health.proto',
  'grpc/reflection/v1/reflection.proto',
  'grpc/reflection/v1alpha/reflection.proto',
];

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const havePython = requireTool(
  works(PYTHON, ['-c', 'import grpc, google.protobuf']),
  `${PYTHON} with grpc and google.protobuf (Debian python3-grpcio, python3-protobuf)`,
);
const haveProtoc = havePython && requireTool(works('protoc', ['--version']), 'protoc (Debian protobuf-compiler)');
const maybe = havePython ? describe : describe.skip;

interface ServerReport {
  services: string[];
  services_v1alpha: string[];
  files: string[];
  by_filename: Record<string, string[]>;
  pool: string;
  probe: { symbol: string; kind: string; error_code: number };
  differs_from_protoc?: string[];
}
interface Report {
  scheduler: ServerReport;
  agent: ServerReport;
  cluster_status: {
    scheduler_version: string;
    node_names: string[];
    node_states: string[];
    cpu_cores: number[];
    json_keys: string[];
  };
  descriptors: { cpu_model_json_name: string; env_is_map: boolean; env_entry: string };
  node_status: { node_name: string; cpu_cores: number; memory_total_bytes: number; drivers: string[] };
  health: Record<string, string>;
}

maybe('a Python client built from server reflection alone', () => {
  let cluster: Cluster;
  let dir: string;
  let report: Report;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `mo-stock-reflection-${process.pid}-`));
    cluster = await startCluster({ agents: 1 });
    const pki = testPki();
    const args = [
      CLIENT,
      '--scheduler',
      cluster.scheduler.grpcAddress,
      '--agent',
      cluster.agents[0]!.grpcAddress,
      // Over TLS, as every mo connection: grpc.ssl_channel_credentials with the run's CA.
      ...['--ca', pki.ca, '--client-cert', pki.client.cert, '--client-key', pki.client.key],
      ...['--scheduler-cert', pki.scheduler.cert, '--scheduler-key', pki.scheduler.key, '--agent-node', 'node-1'],
    ];
    if (haveProtoc) {
      const set = join(dir, 'protoc.pb');
      execFileSync('protoc', [
        `-I${PROTO_ROOT}`,
        '--include_imports',
        `--descriptor_set_out=${set}`,
        ...MO_FILES,
        ...GRPC_FILES,
      ]);
      args.push('--protoc-set', set);
    }
    const { stdout, stderr } = await promisify(execFile)(PYTHON, args, { timeout: 60_000 });
    if (stderr) console.log(`reflection_client.py stderr:\n${stderr}`);
    report = JSON.parse(stdout) as Report;
    console.log(`reflection_client.py report:\n${JSON.stringify(report, null, 1)}`);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists only what each daemon serves, the same on v1 and v1alpha', () => {
    expect(report.scheduler.services).toEqual([
      'mo.v1.Scheduler',
      'mo.v1.NodeRegistry',
      'mo.v1.Pipelines',
      'mo.v1.Jobs',
      'mo.v1.Tokens',
      ...STANDARD,
    ]);
    expect(report.agent.services).toEqual(['mo.v1.NodeAgent', ...STANDARD]);
    expect(report.scheduler.services_v1alpha).toEqual(report.scheduler.services);
    expect(report.agent.services_v1alpha).toEqual(report.agent.services);
  });

  it('serves one descriptor per .proto under its real name, which a strict pool accepts', () => {
    expect(report.scheduler.files).toEqual([...GRPC_FILES, ...MO_FILES].sort());
    expect(report.agent.files).toEqual(
      [...GRPC_FILES, 'mo/v1/agent.proto', 'mo/v1/node.proto', 'mo/v1/workload.proto'].sort(),
    );
    expect(report.scheduler.by_filename['mo/v1/workload.proto']).toEqual(['mo/v1/workload.proto']);
    expect(report.agent.by_filename['mo/v1/agent.proto']).toEqual([
      'mo/v1/agent.proto',
      'mo/v1/workload.proto',
      'mo/v1/node.proto',
    ]);
    expect(report.scheduler.pool).toBe('accepted');
    expect(report.agent.pool).toBe('accepted');
  });

  it('answers NOT_FOUND for what a daemon does not serve', () => {
    expect(report.agent.probe).toEqual({ symbol: 'mo.v1.Scheduler', kind: 'error_response', error_code: 5 });
    expect(report.scheduler.probe).toEqual({ symbol: 'mo.v1.Nope', kind: 'error_response', error_code: 5 });
  });

  (haveProtoc ? it : it.skip)('serves exactly what protoc makes of each .proto', () => {
    expect(report.scheduler.differs_from_protoc).toEqual([]);
    expect(report.agent.differs_from_protoc).toEqual([]);
  });

  it('has snake_case fields with json_name, and map entries as protoc makes them', () => {
    expect(report.descriptors).toEqual({
      cpu_model_json_name: 'cpuModel',
      env_is_map: true,
      env_entry: 'mo.v1.WorkloadSpec.EnvEntry',
    });
  });

  it("calls the scheduler's GetClusterStatus, an agent's GetNodeStatus and both Health/Check", () => {
    expect(report.cluster_status.node_names).toEqual(['node-1']);
    expect(report.cluster_status.node_states).toEqual(['NODE_STATE_UP']);
    expect(report.cluster_status.cpu_cores[0]).toBeGreaterThan(0);
    expect(report.cluster_status.scheduler_version).not.toBe('');
    expect(report.cluster_status.json_keys).toContain('schedulerVersion'); // JSON by json_name
    expect(report.node_status.node_name).toBe('node-1');
    expect(report.node_status.cpu_cores).toBeGreaterThan(0);
    expect(report.node_status.memory_total_bytes).toBeGreaterThan(0);
    expect(report.node_status.drivers).toContain('process');
    expect(report.health).toEqual({
      'scheduler:': 'SERVING',
      'scheduler:mo.v1.Scheduler': 'SERVING',
      'agent:': 'SERVING',
      'agent:mo.v1.NodeAgent': 'SERVING',
    });
  });
});
