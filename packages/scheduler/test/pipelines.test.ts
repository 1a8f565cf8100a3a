// Pipelines on a real cluster (a scheduler + 2 agents, as processes): DAG order and parallelism,
// retries, saga compensation, approval gates, cancel, timeouts, watch with resume, admission, and a
// scheduler SIGKILL mid-run after which every step has still run exactly once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MoError, PipelineClient, TokenClient, type PipelineEvent__Output } from '@mo/api';
import {
  freePort,
  startAgentProcess,
  startCluster,
  startSchedulerProcess,
  stepOf,
  stopAllWorkloads,
  waitFor,
  waitForPipeline,
  type Cluster,
  testClientOptions,
  testTokenOptions,
} from '@mo/testkit';
import { chownSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cleanup: Array<() => Promise<void>> = [];
let cluster: Cluster;
let client: PipelineClient;
const dir = mkdtempSync(join(tmpdir(), 'mo-pipeline-test-'));
// The steps run as the agents' default user (nobody) and keep their counters and logs here.
chownSync(dir, 65534, 65534);

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
  cleanup.push(() => cluster.stop());
  client = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions());
  cleanup.push(async () => client.close());
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

async function submit(spec: object | string, idempotencyKey = ''): Promise<string> {
  const text = typeof spec === 'string' ? spec : JSON.stringify(spec);
  return (await client.submit({ spec: text, idempotencyKey })).pipeline!.id;
}

describe('pipelines on a real cluster', () => {
  it('runs a diamond in dependency order, the two middle steps in parallel on different nodes', async () => {
    const id = await submit(`
name: diamond
steps:
  - id: a
    command: [sh, -c, "echo a"]
  - id: b
    needs: [a]
    command: [sleep, "0.8"]
    resources: { cpu: 500m }
  - id: c
    needs: [a]
    command: [sleep, "0.8"]
    resources: { cpu: 500m }
  - id: d
    needs: [b, c]
    command: ["true"]
`);
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_SUCCEEDED');
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((s) => stepOf(p, s));
    expect(p.steps.map((s) => s.state)).toEqual(Array(4).fill('STEP_STATE_SUCCEEDED'));
    expect(b!.startedAtMs).toBeGreaterThanOrEqual(a!.endedAtMs);
    expect(d!.startedAtMs).toBeGreaterThanOrEqual(Math.max(b!.endedAtMs, c!.endedAtMs));
    // Parallel: each started before the other ended.
    expect(b!.startedAtMs).toBeLessThan(c!.endedAtMs);
    expect(c!.startedAtMs).toBeLessThan(b!.endedAtMs);
    expect(new Set([b!.nodeName, c!.nodeName]).size).toBe(2);

    // The event stream replays from a sequence number, in order, ending with the pipeline's end.
    const all = await collect(id, 0);
    expect(all.at(-1)).toMatchObject({ stepId: '', state: 'succeeded' });
    const seqs = all.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const resumed = await collect(id, all[3]!.seq);
    expect(resumed.map((e) => e.seq)).toEqual(seqs.slice(4));
  });

  it('retries a flaky step with backoff until it succeeds', async () => {
    const mark = join(dir, 'flaky-mark');
    const id = await submit({
      name: 'flaky',
      steps: [
        {
          id: 'flaky',
          command: ['sh', '-c', `test -f ${mark} || { touch ${mark}; exit 3; }`],
          retries: { attempts: 3, backoff: '300ms' },
        },
      ],
    });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_SUCCEEDED');
    const step = stepOf(p, 'flaky');
    expect(step.attempt).toBe(2);
    const events = await collect(id, 0);
    const retry = events.find((e) => e.state === 'retrying')!;
    expect(retry.reason).toMatch(/attempt 1 of 3 failed \(exited with code 3/);
    const next = events.find((e) => e.stepId === 'flaky' && e.state === 'running' && e.seq > retry.seq)!;
    expect(next.atMs - retry.atMs).toBeGreaterThanOrEqual(200); // 300 ms +-20% jitter
  });

  it('on a failure stops running siblings and compensates completed steps in reverse order', async () => {
    const log = join(dir, 'saga.log');
    const undo = (s: string) => ({ command: ['sh', '-c', `echo undo-${s} >> ${log}`] });
    const id = await submit({
      name: 'saga',
      steps: [
        { id: 'reserve', command: ['true'], compensate: undo('reserve') },
        { id: 'charge', needs: ['reserve'], command: ['true'], compensate: undo('charge') },
        { id: 'slow', needs: ['reserve'], command: ['sleep', '600'] },
        { id: 'ship', needs: ['charge'], command: ['sh', '-c', 'sleep 0.3; exit 7'] },
        { id: 'after-ship', needs: ['ship'], command: ['true'] },
        { id: 'cleanup', needs: ['ship'], when: 'failure', command: ['true'] },
      ],
    });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_FAILED');
    expect(p.reason).toMatch(/step ship failed: exited with code 7/);
    expect(stepOf(p, 'slow').state).toBe('STEP_STATE_CANCELLED');
    expect(stepOf(p, 'after-ship').state).toBe('STEP_STATE_SKIPPED');
    expect(stepOf(p, 'cleanup').state).toBe('STEP_STATE_SUCCEEDED');
    expect(p.compensations.map((c) => [c.stepId, c.state])).toEqual([
      ['charge', 'STEP_STATE_SUCCEEDED'],
      ['reserve', 'STEP_STATE_SUCCEEDED'],
    ]);
    expect(readFileSync(log, 'utf8')).toBe('undo-charge\nundo-reserve\n');
    const slow = await cluster.scheduler.client.getWorkload(stepOf(p, 'slow').workloadId);
    expect(slow.state).toBe('WORKLOAD_STATE_STOPPED');
  });

  it('holds a step at its approval gate until approved, and fails the pipeline when rejected', async () => {
    // The approver recorded is the caller's identity (here operate tokens), never the free-text `by`.
    const admin = new TokenClient(
      cluster.scheduler.grpcAddress,
      testTokenOptions(readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim()),
    );
    cleanup.push(async () => admin.close());
    const as = async (name: string) => {
      const { secret } = await admin.create({ name, access: 'ACCESS_LEVEL_OPERATE' });
      const c = new PipelineClient(cluster.scheduler.grpcAddress, testTokenOptions(secret));
      cleanup.push(async () => c.close());
      return c;
    };
    const [alice, bob] = [await as('alice'), await as('bob')];
    const spec = (name: string) => ({
      name,
      steps: [
        { id: 'build', command: ['true'] },
        { id: 'deploy', needs: ['build'], approval: true, command: ['true'] },
      ],
    });
    const ok = await submit(spec('gated'));
    let p = await waitForPipeline(client, ok, 'PIPELINE_STATE_AWAITING_APPROVAL');
    expect(stepOf(p, 'deploy').state).toBe('STEP_STATE_AWAITING_APPROVAL');
    await alice.approve({ pipelineId: ok, stepId: 'deploy', by: 'mallory', reason: 'looks good' });
    p = await waitForPipeline(client, ok, 'PIPELINE_STATE_SUCCEEDED');
    expect(stepOf(p, 'deploy').approval).toMatchObject({ approved: true, by: 'token:alice', reason: 'looks good' });

    const no = await submit(spec('rejected'));
    await waitForPipeline(client, no, 'PIPELINE_STATE_AWAITING_APPROVAL');
    await bob.approve({ pipelineId: no, stepId: 'deploy', reject: true, reason: 'not today' });
    p = await waitForPipeline(client, no, 'PIPELINE_STATE_FAILED');
    expect(p.reason).toBe('step deploy rejected by token:bob: not today');
    expect(stepOf(p, 'deploy').approval).toMatchObject({ approved: false, by: 'token:bob' });
    await expect(bob.approve({ pipelineId: no, stepId: 'deploy' })).rejects.toThrow(/not awaiting approval/);
  });

  it('cancel stops a long step; a step past its timeout fails', async () => {
    const id = await submit({ name: 'long', steps: [{ id: 'sleep', command: ['sleep', '600'] }] });
    await waitForPipeline(client, id, (p) => stepOf(p, 'sleep').workloadId !== '');
    await client.cancel({ pipelineId: id, reason: 'changed my mind' });
    const p = await waitForPipeline(client, id, 'PIPELINE_STATE_CANCELLED');
    expect(p.reason).toBe('cancelled: changed my mind');
    expect(stepOf(p, 'sleep').state).toBe('STEP_STATE_CANCELLED');
    const w = await cluster.scheduler.client.getWorkload(stepOf(p, 'sleep').workloadId);
    expect(w.state).toBe('WORKLOAD_STATE_STOPPED');

    const t = await submit({ name: 'timeout', steps: [{ id: 'sleep', command: ['sleep', '600'], timeout: '500ms' }] });
    const tp = await waitForPipeline(client, t, 'PIPELINE_STATE_FAILED');
    expect(stepOf(tp, 'sleep').reason).toBe('timed out after 500 ms');
  });

  it('rejects invalid specs with the field path, and dedupes by idempotency key', async () => {
    const bad = async (spec: string) => {
      const err = await client.submit({ spec }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MoError);
      expect((err as MoError).code).toBe(3); // INVALID_ARGUMENT
      return (err as MoError).message;
    };
    expect(
      await bad('name: p\nsteps:\n  - {id: a, needs: [b], command: [x]}\n  - {id: b, needs: [a], command: [x]}'),
    ).toMatch(/steps\[1\]\.needs\[0\]: cycle: a -> b -> a/);
    expect(
      await bad('name: p\nsteps:\n  - {id: parse, command: [x]}\n  - {id: b, needs: [pars], command: [x]}'),
    ).toMatch(/steps\[1\]\.needs\[0\]: unknown step "pars"/);
    expect(await bad('name: p\nsteps:\n  - {id: a, command: [x], artifacts: [../secret]}')).toMatch(
      /steps\[0\]\.artifacts\[0\]: must not contain "\.\."/,
    );
    const spec = { name: 'once', steps: [{ id: 'a', command: ['true'] }] };
    const first = await client.submit({ spec: JSON.stringify(spec), idempotencyKey: 'once-1' });
    const again = await client.submit({ spec: JSON.stringify(spec), idempotencyKey: 'once-1' });
    expect(again.existing).toBe(true);
    expect(again.pipeline!.id).toBe(first.pipeline!.id);
    const listed = await client.list({ name: 'once' });
    expect(listed.pipelines.map((p) => p.id)).toEqual([first.pipeline!.id]);
  });
});

describe('pipeline admission', () => {
  it('queues past the running limit and refuses past the queue bound with RESOURCE_EXHAUSTED', async () => {
    // No agents: the first pipeline's step can never be placed, so it keeps its running slot.
    const s = await startSchedulerProcess({
      extraArgs: ['--max-running-pipelines', '1', '--max-queued-pipelines', '2'],
    });
    cleanup.push(() => s.kill('SIGKILL'));
    const c = new PipelineClient(s.grpcAddress, testClientOptions());
    cleanup.push(async () => c.close());
    const spec = (name: string, priority = 'normal') =>
      JSON.stringify({ name, priority, steps: [{ id: 'a', command: ['true'] }] });
    const first = (await c.submit({ spec: spec('first') })).pipeline!;
    expect(first.state).toBe('PIPELINE_STATE_RUNNING');
    const low = (await c.submit({ spec: spec('low', 'low') })).pipeline!;
    const high = (await c.submit({ spec: spec('high', 'high') })).pipeline!;
    expect([low.state, high.state]).toEqual(['PIPELINE_STATE_PENDING', 'PIPELINE_STATE_PENDING']);
    const err = await c.submit({ spec: spec('third') }).catch((e: unknown) => e);
    expect((err as MoError).code).toBe(8); // RESOURCE_EXHAUSTED
    expect((err as MoError).message).toMatch(/queue is full \(2 waiting, at most 2\)/);
    // A freed slot goes to the higher priority first.
    await c.cancel({ pipelineId: first.id });
    await waitForPipeline(c, high.id, 'PIPELINE_STATE_RUNNING');
    expect((await c.get(low.id)).state).toBe('PIPELINE_STATE_PENDING');
  });
});

describe('scheduler crash mid-pipeline', () => {
  it('continues after a SIGKILL and restart, running every step exactly once', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    let scheduler = await startSchedulerProcess({ grpcListen: listen });
    cleanup.push(() => scheduler.kill('SIGKILL'));
    for (const name of ['crash-1', 'crash-2']) {
      const a = await startAgentProcess({ extraArgs: ['--scheduler', listen, '--node-name', name] });
      cleanup.push(async () => {
        await stopAllWorkloads(a);
        await a.kill('SIGTERM');
      });
    }
    await waitFor('2 nodes up', async () => (await scheduler.client.listNodes()).nodes.length === 2);
    const log = join(dir, 'crash.log');
    const c = new PipelineClient(listen, testClientOptions({ deadlineMs: 3000 }));
    cleanup.push(async () => c.close());
    const run = (s: string, extra = '') => ['sh', '-c', `echo ${s} >> ${log}${extra}`];
    const { pipeline } = await c.submit({
      spec: JSON.stringify({
        name: 'crashy',
        steps: [
          { id: 'first', command: run('first') },
          { id: 'long', needs: ['first'], command: run('long', '; sleep 2') },
          { id: 'last', needs: ['long'], command: run('last') },
        ],
      }),
    });
    const id = pipeline!.id;
    await waitForPipeline(
      c,
      id,
      (p) => stepOf(p, 'long').state === 'STEP_STATE_RUNNING' && stepOf(p, 'long').workloadId !== '',
    );
    await scheduler.kill('SIGKILL');
    scheduler = await startSchedulerProcess({ grpcListen: listen, dataDir: scheduler.dataDir });
    const p = await waitForPipeline(c, id, 'PIPELINE_STATE_SUCCEEDED', 30_000);
    expect(p.steps.map((s) => s.attempt)).toEqual([1, 1, 1]);
    expect(readFileSync(log, 'utf8')).toBe('first\nlong\nlast\n');
  });
});

async function collect(pipelineId: string, afterSeq: number): Promise<PipelineEvent__Output[]> {
  const abort = new AbortController();
  const out: PipelineEvent__Output[] = [];
  for await (const e of client.watch({ pipelineId, afterSeq }, abort.signal)) {
    out.push(e);
    if (e.stepId === '' && ['succeeded', 'failed', 'cancelled'].includes(e.state)) abort.abort();
  }
  return out;
}
