// Step outputs and artifacts crossing nodes on a real cluster (a scheduler + 2 agents, as
// processes), their confinement and size limit; compensation timeouts, onCancel: compensate and
// concurrency keys.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineClient } from '@mo/api';
import { startCluster, stepOf, waitForPipeline, type Cluster, testClientOptions } from '@mo/testkit';
import { createHash } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MAX_ARTIFACT_BYTES = 1024 * 1024;
const cleanup: Array<() => Promise<void>> = [];
let cluster: Cluster;
let client: PipelineClient;
const dir = mkdtempSync(join(tmpdir(), 'mo-artifacts-test-'));
// The steps run as the agents' default user (nobody) and write their logs here.
chownSync(dir, 65534, 65534);

beforeAll(async () => {
  cluster = await startCluster({ agents: 2, schedulerArgs: ['--max-artifact-bytes', String(MAX_ARTIFACT_BYTES)] });
  cleanup.push(() => cluster.stop());
  client = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions());
  cleanup.push(async () => client.close());
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

const sh = (script: string) => ['sh', '-c', script];

async function submit(spec: object): Promise<string> {
  return (await client.submit({ spec: JSON.stringify(spec) })).pipeline!.id;
}

describe('step outputs', () => {
  it('flow from a step on node-1 into the args and env of a dependent on node-2', async () => {
    const id = await submit({
      name: 'outputs',
      steps: [
        {
          id: 'parse',
          node: 'node-1',
          command: sh('printf "lang=ts\\nnot a pair\\nversion.major=3\\n" > "$MO_OUTPUT"'),
        },
        {
          id: 'use',
          needs: ['parse'],
          node: 'node-2',
          env: { LANG_SEEN: '${{ steps.parse.outputs.lang }}' },
          command: sh('echo "from_env=$LANG_SEEN" >> "$MO_OUTPUT"; echo "from_arg=$0 $1" >> "$MO_OUTPUT"').concat([
            '${{ steps.parse.outputs.lang }}',
            '${{ steps.parse.outputs.version.major }}',
          ]),
        },
      ],
    });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_SUCCEEDED');
    const parse = stepOf(p, 'parse');
    const use = stepOf(p, 'use');
    expect(parse.outputs).toEqual({ lang: 'ts', 'version.major': '3' });
    expect(use.outputs).toEqual({ from_env: 'ts', from_arg: 'ts 3' });
    expect([parse.nodeName, use.nodeName]).toEqual(['node-1', 'node-2']);
    // The workload carries them too, and the agent counted the line it ignored.
    const w = await cluster.scheduler.client.getWorkload(parse.workloadId);
    expect(w.outputs).toEqual({ lang: 'ts', 'version.major': '3' });
    const agentView = await cluster.agents[0]!.client.getWorkload(w.allocationId);
    expect(agentView.outputsIgnored).toBe(1);
  });
});

describe('artifacts', () => {
  it('produced on node-1 are in the working dir of a dependent on node-2, same sha256', async () => {
    const content = 'built on node-1\n'.repeat(40_000); // 640 KB
    const expected = createHash('sha256').update(content).digest('hex');
    const id = await submit({
      name: 'artifacts',
      steps: [
        {
          id: 'build',
          node: 'node-1',
          command: sh('mkdir -p dist && yes "built on node-1" | head -n 40000 > dist/app.txt && echo ok > report'),
          artifacts: ['dist/app.txt', 'report'],
        },
        {
          id: 'run',
          needs: ['build'],
          node: 'node-2',
          inputs: ['build'],
          command: sh(
            'echo "sha=$(sha256sum dist/app.txt | cut -d" " -f1)" > "$MO_OUTPUT"; echo "report=$(cat report)" >> "$MO_OUTPUT"; echo "pwd=$(pwd)" >> "$MO_OUTPUT"',
          ),
        },
      ],
    });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_SUCCEEDED', 30_000);
    const run = stepOf(p, 'run');
    expect(run.outputs.sha).toBe(expected);
    expect(run.outputs.report).toBe('ok');
    expect(run.nodeName).toBe('node-2');
    expect(stepOf(p, 'build').nodeName).toBe('node-1');
    // It ran in its own workspace on node-2's data dir, not in node-1's.
    expect(run.outputs.pwd!.startsWith(cluster.agents[1]!.dataDir)).toBe(true);
    expect(stepOf(p, 'build').reason).toMatch(/uploaded 2 artifact\(s\)/);
    // Stored under the scheduler's data dir.
    const stored = join(cluster.scheduler.dataDir, 'artifacts', id, 'build', 'files', 'dist', 'app.txt');
    expect(createHash('sha256').update(readFileSync(stored)).digest('hex')).toBe(expected);
  });

  it('refuses a symlink that leads out of the working dir: the step fails with the reason', async () => {
    const id = await submit({
      name: 'symlink-escape',
      steps: [{ id: 'leak', command: sh('ln -s /etc/passwd leak'), artifacts: ['leak'] }],
    });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_FAILED');
    expect(stepOf(p, 'leak').reason).toMatch(/artifact upload failed: artifact leak resolves outside the working dir/);
  });

  it('fails a step whose artifacts exceed the size limit, saying so', async () => {
    const id = await submit({
      name: 'oversize',
      steps: [
        {
          id: 'big',
          command: sh(`head -c ${MAX_ARTIFACT_BYTES + 1} /dev/zero > big.bin`),
          artifacts: ['big.bin'],
        },
      ],
    });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_FAILED');
    expect(stepOf(p, 'big').reason).toMatch(
      new RegExp(`artifacts total ${MAX_ARTIFACT_BYTES + 1} bytes .*over the limit of ${MAX_ARTIFACT_BYTES} bytes`),
    );
    expect(existsSync(join(cluster.scheduler.dataDir, 'artifacts', id, 'big', 'files', 'big.bin'))).toBe(false);
  });

  it('fails a step whose declared artifact was not produced', async () => {
    const id = await submit({ name: 'missing', steps: [{ id: 'a', command: ['true'], artifacts: ['nothing'] }] });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_FAILED');
    expect(stepOf(p, 'a').reason).toMatch(/artifact nothing does not exist/);
  });
});

describe('compensation and concurrency', () => {
  it('stops a compensation past its timeout and records it as failed', async () => {
    const id = await submit({
      name: 'slow-undo',
      steps: [
        { id: 'a', command: ['true'], compensate: { command: ['sleep', '600'], timeout: '500ms' } },
        { id: 'b', needs: ['a'], command: sh('exit 4') },
      ],
    });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_FAILED');
    expect(p.compensations.map((c) => [c.stepId, c.state, c.reason])).toEqual([
      ['a', 'STEP_STATE_FAILED', 'timed out after 500 ms'],
    ]);
    const w = await cluster.scheduler.client.getWorkload(p.compensations[0]!.workloadId);
    expect(w.state).toBe('WORKLOAD_STATE_STOPPED');
  });

  it('with onCancel: compensate, a cancel runs the completed steps compensations', async () => {
    const log = join(dir, 'cancel.log');
    const id = await submit({
      name: 'cancel-compensate',
      onCancel: 'compensate',
      steps: [
        { id: 'a', command: ['true'], compensate: { command: sh(`echo undo-a >> ${log}`) } },
        {
          id: 'long',
          needs: ['a'],
          command: ['sleep', '600'],
          compensate: { command: sh(`echo undo-long >> ${log}`) },
        },
      ],
    });
    await waitForPipeline(client, id, (p) => stepOf(p, 'long').workloadId !== '');
    await client.cancel({ pipelineId: id, reason: 'enough' });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_CANCELLED');
    expect(stepOf(p, 'long').state).toBe('STEP_STATE_CANCELLED');
    // Only the step that had completed is undone.
    expect(p.compensations.map((c) => [c.stepId, c.state])).toEqual([['a', 'STEP_STATE_SUCCEEDED']]);
    expect(readFileSync(log, 'utf8')).toBe('undo-a\n');
  });

  it('runs at most one pipeline per concurrency key at a time', async () => {
    const spec = (name: string) => ({ name, concurrency: 'prod', steps: [{ id: 'a', command: ['sleep', '0.7'] }] });
    const first = await submit(spec('deploy-1'));
    const second = await submit(spec('deploy-2'));
    await waitForPipeline(client, first, 'PIPELINE_STATE_RUNNING');
    expect((await client.get(second)).state).toBe('PIPELINE_STATE_PENDING');
    const p1 = await waitForPipeline(client, first, 'PIPELINE_STATE_SUCCEEDED');
    const p2 = await waitForPipeline(client, second, 'PIPELINE_STATE_SUCCEEDED');
    expect(p2.startedAtMs).toBeGreaterThanOrEqual(p1.endedAtMs);
  });
});
