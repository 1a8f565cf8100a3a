// The audit log of real daemons (a scheduler and an agent as processes, their logs in their data
// dirs by default): a line per change with the caller, the target ids and the result, on both
// sides; refused calls recorded, reads and reports not; rotation by size.
// (Strict mode on a full disk: audit-strict.test.ts.)
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError, PipelineClient, SchedulerClient, TokenClient, type AuditRecord } from '@mo/api';
import {
  startAgentProcess,
  startCluster,
  startSchedulerProcess,
  waitFor,
  waitForPipeline,
  type AgentProcess,
  type Cluster,
  type SchedulerProcess,
  testTokenOptions,
  testClientOptions,
  testChannelCredentials,
} from '@mo/testkit';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const cleanup: Array<() => Promise<void>> = [];
let cluster: Cluster;
let pipelines: PipelineClient;

beforeAll(async () => {
  cluster = await startCluster({
    agents: 1,
    // Fast heartbeats, so a killed node is down (and removable) soon; one watch stream at a time.
    schedulerArgs: ['--heartbeat-interval', '200ms', '--down-after', '1s', '--max-streams', 'watch=1'],
  });
  cleanup.push(() => cluster.stop());
  pipelines = new PipelineClient(cluster.scheduler.grpcAddress, testClientOptions());
  cleanup.push(async () => pipelines.close());
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

function auditOf(daemon: { dataDir: string }, file = 'audit.jsonl'): AuditRecord[] {
  const path = join(daemon.dataDir, file);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AuditRecord);
}
const linesFor = (daemon: { dataDir: string }, method: string) =>
  auditOf(daemon).filter((r) => r.method === `/mo.v1.${method}`);

describe('the audit log of a real cluster', () => {
  it('has a line per submit and stop, with the caller, the workload id and the result', async () => {
    const sub = await cluster.scheduler.client.submitWorkload({ spec: { argv: ['sleep', '30'] } });
    const id = sub.workload!.id;
    const [submitted] = linesFor(cluster.scheduler, 'Scheduler/SubmitWorkload').filter(
      (r) => r.targets.workload === id,
    );
    expect(submitted).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      // The test kit's client certificate: the guard admits the call as that client.
      identity: 'client:test-admin',
      remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      method: '/mo.v1.Scheduler/SubmitWorkload',
      targets: { workload: id },
      code: 'OK',
    });

    // The agent records the scheduler's start of it (the allocation it runs).
    const running = await waitFor('the workload to run', async () => {
      const w = await cluster.scheduler.client.getWorkload(id);
      return w.state === 'WORKLOAD_STATE_RUNNING' ? w : undefined;
    });
    const agent = cluster.agents[0]!;
    const starts = linesFor(agent, 'NodeAgent/StartWorkload').concat(linesFor(agent, 'NodeAgent/StartWorkloads'));
    expect(starts.filter((r) => JSON.stringify(r.targets).includes(running.allocationId))).toHaveLength(1);
    // The agent names its caller by certificate: the scheduler.
    expect(starts[0]).toMatchObject({ code: 'OK', identity: 'scheduler' });

    await cluster.scheduler.client.stopWorkload(id, 100);
    expect(linesFor(cluster.scheduler, 'Scheduler/StopScheduledWorkload')).toContainEqual(
      expect.objectContaining({ targets: { workload: id }, code: 'OK' }),
    );
    await waitFor('the agent to record the stop', () =>
      linesFor(agent, 'NodeAgent/StopWorkload').some((r) => r.targets.workload === running.allocationId),
    );

    // A change that fails is recorded with its code and message.
    await expect(cluster.scheduler.client.stopWorkload('01NOSUCHWORKLOAD00000000000')).rejects.toThrow(MoError);
    expect(linesFor(cluster.scheduler, 'Scheduler/StopScheduledWorkload')).toContainEqual(
      expect.objectContaining({
        targets: { workload: '01NOSUCHWORKLOAD00000000000' },
        code: 'NOT_FOUND',
        message: expect.stringContaining('01NOSUCHWORKLOAD00000000000'),
      }),
    );
  });

  it('has a line per pipeline submit, approval and cancel, naming pipeline and step', async () => {
    const spec = JSON.stringify({
      name: 'gated',
      steps: [
        { id: 'build', command: ['true'] },
        { id: 'deploy', needs: ['build'], approval: true, command: ['true'] },
      ],
    });
    const id = (await pipelines.submit({ spec })).pipeline!.id;
    await waitForPipeline(pipelines, id, 'PIPELINE_STATE_AWAITING_APPROVAL');
    await pipelines.approve({ pipelineId: id, stepId: 'deploy', by: 'alice' });
    const other = (await pipelines.submit({ spec })).pipeline!.id;
    await pipelines.cancel({ pipelineId: other, reason: 'not today' });

    expect(linesFor(cluster.scheduler, 'Pipelines/SubmitPipeline').map((r) => r.targets)).toEqual(
      expect.arrayContaining([{ pipeline: id }, { pipeline: other }]),
    );
    expect(linesFor(cluster.scheduler, 'Pipelines/ApproveStep')).toContainEqual(
      expect.objectContaining({ targets: { pipeline: id, step: 'deploy', decision: 'approve' }, code: 'OK' }),
    );
    expect(linesFor(cluster.scheduler, 'Pipelines/CancelPipeline')).toContainEqual(
      expect.objectContaining({ targets: { pipeline: other }, code: 'OK' }),
    );
  });

  it('has a line per registration and node removal, and none per heartbeat or read', async () => {
    const extra: AgentProcess = await startAgentProcess({
      extraArgs: ['--scheduler', cluster.scheduler.grpcAddress, '--node-name', 'audit-gone'],
    });
    cleanup.push(() => extra.kill('SIGKILL'));
    const nodeId = readFileSync(join(extra.dataDir, 'node-id'), 'utf8').trim();
    await waitFor('the node to be up', async () =>
      (await cluster.scheduler.client.listAllNodes()).nodes.some((n) => n.id === nodeId && n.state === 'NODE_STATE_UP'),
    );
    expect(linesFor(cluster.scheduler, 'NodeRegistry/Register')).toContainEqual(
      expect.objectContaining({ targets: { node: nodeId, nodeName: 'audit-gone' }, code: 'OK' }),
    );
    await extra.kill('SIGKILL');
    await waitFor('the node to be down', async () =>
      (await cluster.scheduler.client.listAllNodes()).nodes.some(
        (n) => n.id === nodeId && n.state === 'NODE_STATE_DOWN',
      ),
    );
    await cluster.scheduler.client.removeNode('audit-gone');
    expect(linesFor(cluster.scheduler, 'Scheduler/RemoveNode')).toContainEqual(
      expect.objectContaining({ targets: { node: 'audit-gone' }, code: 'OK' }),
    );

    const methods = new Set(auditOf(cluster.scheduler).map((r) => r.method));
    for (const quiet of ['NodeRegistry/Heartbeat', 'Scheduler/ListNodes', 'Scheduler/GetScheduledWorkload']) {
      expect(methods).not.toContain(`/mo.v1.${quiet}`);
    }
    expect(new Set(auditOf(cluster.agents[0]!).map((r) => r.method))).not.toContain('/mo.v1.NodeAgent/GetNodeStatus');
  });

  it('names the caller by its token, never writes a secret, and records refusals with who was refused', async () => {
    const bootstrap = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
    const admin = new TokenClient(cluster.scheduler.grpcAddress, testTokenOptions(bootstrap));
    cleanup.push(async () => admin.close());
    const made = await admin.create({ name: 'audit-reader', access: 'ACCESS_LEVEL_READ' });
    expect(linesFor(cluster.scheduler, 'Tokens/CreateToken')).toContainEqual(
      expect.objectContaining({
        identity: 'token:bootstrap',
        targets: { tokenName: 'audit-reader', token: made.token!.id },
        code: 'OK',
      }),
    );

    const reader = new SchedulerClient(cluster.scheduler.grpcAddress, testTokenOptions(made.secret));
    cleanup.push(async () => reader.close());
    await reader.listWorkloads(); // a read it may make: no line
    await expect(reader.submitWorkload({ spec: { argv: ['true'] } })).rejects.toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
    });
    const forged = new SchedulerClient(
      cluster.scheduler.grpcAddress,
      testTokenOptions(`${made.secret.slice(0, -4)}AAAA`),
    );
    cleanup.push(async () => forged.close());
    await expect(forged.listWorkloads()).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    await admin.revoke('audit-reader');

    expect(linesFor(cluster.scheduler, 'Scheduler/SubmitWorkload')).toContainEqual(
      expect.objectContaining({
        identity: 'token:audit-reader',
        code: 'PERMISSION_DENIED',
        message: expect.stringContaining('needs operate'),
      }),
    );
    expect(linesFor(cluster.scheduler, 'Scheduler/ListWorkloads')).toContainEqual(
      expect.objectContaining({ identity: 'unauthenticated', code: 'UNAUTHENTICATED' }),
    );
    expect(auditOf(cluster.scheduler).filter((r) => r.identity === 'token:audit-reader')).toHaveLength(1);
    expect(linesFor(cluster.scheduler, 'Tokens/RevokeToken')).toContainEqual(
      expect.objectContaining({ identity: 'token:bootstrap', targets: { token: 'audit-reader' }, code: 'OK' }),
    );
    const file = readFileSync(join(cluster.scheduler.dataDir, 'audit.jsonl'), 'utf8');
    for (const secret of [bootstrap, made.secret, made.secret.slice(-20)]) expect(file).not.toContain(secret);
  });

  it('records refused calls, reads included: bad input, malformed bytes, a stream past its cap', async () => {
    await expect(cluster.scheduler.client.submitWorkload({ spec: { argv: [] } })).rejects.toThrow(/spec\.argv/);
    expect(linesFor(cluster.scheduler, 'Scheduler/SubmitWorkload')).toContainEqual(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^spec\.argv/), targets: {} }),
    );

    // Bytes that are not protobuf, to a read: refused before any handler, recorded all the same.
    const raw = new grpc.Client(cluster.scheduler.grpcAddress, testChannelCredentials());
    cleanup.push(async () => raw.close());
    const code = await new Promise<number>((resolve) =>
      raw.makeUnaryRequest(
        '/mo.v1.Scheduler/ListWorkloads',
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.from([0x0a, 0xff, 0xff, 0xff]),
        (err) => resolve(err?.code ?? 0),
      ),
    );
    expect(code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(linesFor(cluster.scheduler, 'Scheduler/ListWorkloads')).toContainEqual(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('malformed') }),
    );

    // One watch at a time (--max-streams watch=1): the second is refused and recorded.
    const abort = new AbortController();
    const first = cluster.scheduler.client.watch({}, abort.signal);
    void first.next().catch(() => undefined);
    await waitFor('the first watch to be open', async () => {
      const second = cluster.scheduler.client.watch({}, abort.signal);
      try {
        await second.next();
        return false;
      } catch (err) {
        return (err as MoError).code === grpc.status.RESOURCE_EXHAUSTED;
      }
    });
    abort.abort();
    expect(linesFor(cluster.scheduler, 'Scheduler/Watch')).toContainEqual(
      expect.objectContaining({ code: 'RESOURCE_EXHAUSTED' }),
    );
    expect(linesFor(cluster.scheduler, 'Scheduler/Watch').every((r) => r.code === 'RESOURCE_EXHAUSTED')).toBe(true);
  });
});

describe('audit log rotation', () => {
  let scheduler: SchedulerProcess;
  beforeAll(async () => {
    scheduler = await startSchedulerProcess({
      // 1,000 changes in a few seconds from one caller: past the default rate, which is not tested here.
      extraArgs: ['--audit-log-max-bytes', '64Ki', '--audit-log-keep', '2', '--rate-limit', 'mutating=off'],
    });
    cleanup.push(() => scheduler.kill('SIGTERM'));
  });

  it('rotates past --audit-log-max-bytes and keeps --audit-log-keep files, every line whole', async () => {
    // ~250 bytes a line: 1,000 calls make ~250 KiB, past three files of 64 KiB.
    const ids = Array.from({ length: 1000 }, (_, i) => `01ROTATE${String(i).padStart(18, '0')}`);
    for (let i = 0; i < ids.length; i += 50) {
      await Promise.all(ids.slice(i, i + 50).map((id) => scheduler.client.stopWorkload(id).catch(() => undefined)));
    }
    const files = readdirSync(scheduler.dataDir).filter((f) => f.startsWith('audit.jsonl'));
    expect(files.sort()).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    for (const f of files) expect(statSync(join(scheduler.dataDir, f)).size).toBeLessThanOrEqual(64 * 1024);
    const kept = ['audit.jsonl.2', 'audit.jsonl.1', 'audit.jsonl'].flatMap((f) => auditOf(scheduler, f));
    expect(kept.length).toBeGreaterThan(400);
    expect(kept.length).toBeLessThan(1000); // the oldest were rotated out
    // The newest calls are all there, in the current file or the last rotated one.
    const recorded = new Set(kept.map((r) => r.targets.workload));
    expect(ids.slice(-300).filter((id) => !recorded.has(id))).toEqual([]);
    expect(kept.every((r) => r.code === 'NOT_FOUND')).toBe(true);
  });
});
