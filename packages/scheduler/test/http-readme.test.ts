// The README's HTTP API examples, run as they are written (bash and curl, jq for ids) against a
// real scheduler and agent: the block after the `http-api-examples` marker, with mo dev's port and
// CA replaced by this cluster's. Every call passes (curl --fail-with-body ends the script on an
// HTTP error) and does what the README says.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { apiCall, requireTool, startCluster, testPki, waitFor, type Cluster } from '@mo/testkit';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const README = join(import.meta.dirname, '..', '..', '..', 'README.md');
const found = (tool: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** The sh block after the marker. */
export function readmeExamples(text: string): string {
  const at = text.indexOf('<!-- http-api-examples');
  if (at < 0) throw new Error('README.md has no http-api-examples marker');
  const m = /```sh\n([\s\S]*?)```/.exec(text.slice(at));
  if (!m) throw new Error('no sh block after the http-api-examples marker');
  return m[1]!;
}

let cluster: Cluster;
let token: string;

beforeAll(async () => {
  cluster = await startCluster({ agents: 1 });
  token = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
});
afterAll(async () => {
  await cluster?.stop();
});

describe('the README HTTP API examples', () => {
  it('run as written against a real cluster', async () => {
    if (!requireTool(found('curl') && found('jq') && found('bash'), 'curl, jq and bash')) return;
    const port = cluster.scheduler.httpAddress.split(':').pop()!;
    const script = readmeExamples(readFileSync(README, 'utf8'))
      .replaceAll('scheduler.mo:7601', `scheduler.mo:${port}`)
      .replaceAll('~/.mo/dev/tls/ca.pem', testPki().ca);
    expect(script).toContain('curl');
    const { stdout } = await promisify(execFile)('bash', ['-e', '-o', 'pipefail', '-c', script], {
      env: { ...process.env, MO_TOKEN: token },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toContain('"schedulerVersion"');
    expect(stdout).toContain('"approved":true');
    expect(stdout).toContain('up\n'); // the workload's log
    expect(stdout).toContain('event: workload');
    const listed = await apiCall(cluster.scheduler.httpAddress, '/api/v1/workloads?name=web', { token });
    const id = listed.json<{ workloads: Array<{ id: string }> }>().workloads[0]!.id;
    await waitFor('the example stopped its workload', async () => {
      const w = await apiCall(cluster.scheduler.httpAddress, `/api/v1/workloads/${id}`, { token });
      return w.json<{ state: string }>().state === 'WORKLOAD_STATE_STOPPED';
    });
    const p = await apiCall(cluster.scheduler.httpAddress, '/api/v1/pipelines?name=hello', { token });
    await waitFor('the example pipeline succeeded', async () => {
      const got = await apiCall(cluster.scheduler.httpAddress, '/api/v1/pipelines?name=hello', { token });
      return got.json<{ pipelines: Array<{ state: string }> }>().pipelines[0]?.state === 'PIPELINE_STATE_SUCCEEDED';
    });
    expect(p.status).toBe(200);
  });
});
