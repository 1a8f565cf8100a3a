// Bearer tokens on a real scheduler process (TLS; the clients below present no certificate, so
// the token is their only credential: every call sends one unless it says otherwise): the bootstrap token and its
// file, read/operate/admin as the access table says, refusals that store nothing, revoked,
// expired, unknown and malformed tokens, the approver recorded as the token, and tokens across a
// SIGKILL and restart.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { MoError, PipelineClient, SchedulerClient, TokenClient, type AccessLevel } from '@mo/api';
import { startSchedulerProcess, waitFor, waitForPipeline, type SchedulerProcess, testTokenOptions } from '@mo/testkit';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

let scheduler: SchedulerProcess;
const closers: Array<{ close(): void }> = [];
let bootstrap: string;
let admin: TokenClient;

function track<C extends { close(): void }>(c: C): C {
  closers.push(c);
  return c;
}
const schedulerAs = (token?: string) => track(new SchedulerClient(scheduler.grpcAddress, testTokenOptions(token)));
const pipelinesAs = (token?: string) => track(new PipelineClient(scheduler.grpcAddress, testTokenOptions(token)));

async function makeToken(name: string, access: AccessLevel, ttlMs = 0): Promise<string> {
  return (await admin.create({ name, access, ttlMs })).secret;
}

/** The error a promise rejects with, as MoError (fails the test if it resolves). */
async function refusal(p: Promise<unknown>): Promise<MoError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(MoError);
  return err as MoError;
}

const sleepSpec = { spec: { name: 'sleeper', argv: ['sleep', '600'] } };

beforeAll(async () => {
  scheduler = await startSchedulerProcess();
  bootstrap = readFileSync(join(scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
  admin = track(new TokenClient(scheduler.grpcAddress, testTokenOptions(bootstrap)));
});

afterAll(async () => {
  for (const c of closers) c.close();
  await scheduler?.kill();
});

describe('bearer tokens on a real scheduler', () => {
  it('writes the bootstrap admin token 0600 to the data dir and logs its path, never the token', async () => {
    const file = join(scheduler.dataDir, 'bootstrap-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(bootstrap).toMatch(/^mo_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/);
    const lines = scheduler
      .logs()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; path?: string });
    expect(lines.find((l) => l.msg === 'bootstrap admin token written')).toMatchObject({ path: file });
    expect(scheduler.logs()).not.toContain(bootstrap.slice(-43));
    const { tokens } = await admin.list();
    expect(tokens).toEqual([
      expect.objectContaining({
        name: 'bootstrap',
        access: 'ACCESS_LEVEL_ADMIN',
        state: 'active',
        createdBy: 'scheduler',
      }),
    ]);
  });

  it('refuses start, stop and approve to a read token (PERMISSION_DENIED naming the access) and stores nothing', async () => {
    const reader = await makeToken('viewer', 'ACCESS_LEVEL_READ');
    const operator = await makeToken('deployer', 'ACCESS_LEVEL_OPERATE');
    const asReader = schedulerAs(reader);
    const asOperator = schedulerAs(operator);
    const before = (await asReader.listWorkloads()).total;

    const submit = await refusal(asReader.submitWorkload(sleepSpec));
    expect(submit.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(submit.message).toBe('SubmitWorkload needs operate access; token:viewer has read');
    expect((await asReader.listWorkloads()).total).toBe(before);

    // No agent: the operator's workload waits pending; the reader cannot stop it.
    const w = (await asOperator.submitWorkload(sleepSpec)).workload!;
    const stop = await refusal(asReader.stopWorkload(w.id));
    expect(stop.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(stop.message).toMatch(/^StopScheduledWorkload needs operate access; token:viewer has read$/);
    expect((await asReader.getWorkload(w.id)).state).toBe('WORKLOAD_STATE_PENDING');

    // A gate on the first step: it waits for approval without needing a node.
    const ops = pipelinesAs(operator);
    const gated = { name: 'gated', steps: [{ id: 'deploy', approval: true, command: ['true'] }] };
    const p = (await ops.submit({ spec: JSON.stringify(gated) })).pipeline!;
    await waitForPipeline(ops, p.id, 'PIPELINE_STATE_AWAITING_APPROVAL');
    const approve = await refusal(pipelinesAs(reader).approve({ pipelineId: p.id, stepId: 'deploy' }));
    expect(approve.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(approve.message).toBe('ApproveStep needs operate access; token:viewer has read');
    const still = await pipelinesAs(reader).get(p.id);
    expect(still.state).toBe('PIPELINE_STATE_AWAITING_APPROVAL');
    expect(still.steps[0]!.approval).toBeNull();

    // The operator can: stop, and approve — recorded as the token, whatever `by` says.
    expect((await asOperator.stopWorkload(w.id)).state).toBe('WORKLOAD_STATE_STOPPED');
    const approved = await ops.approve({ pipelineId: p.id, stepId: 'deploy', by: 'someone-else', reason: 'go' });
    expect(approved.steps[0]!.approval).toMatchObject({ approved: true, by: 'token:deployer', reason: 'go' });
    await ops.cancel({ pipelineId: p.id, reason: 'no node in this test' });
  });

  it('keeps tokens and node removal to admin', async () => {
    const operator = await makeToken('ops', 'ACCESS_LEVEL_OPERATE');
    const asOperator = track(new TokenClient(scheduler.grpcAddress, testTokenOptions(operator)));
    const create = await refusal(asOperator.create({ name: 'mine', access: 'ACCESS_LEVEL_ADMIN' }));
    expect(create.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(create.message).toBe('CreateToken needs admin access; token:ops has operate');
    expect((await refusal(asOperator.list())).code).toBe(grpc.status.PERMISSION_DENIED);
    const rm = await refusal(schedulerAs(operator).removeNode('nope'));
    expect(rm.code).toBe(grpc.status.PERMISSION_DENIED);
    expect((await admin.listAll()).tokens.map((t) => t.name)).not.toContain('mine');
    // Admin passes the guard (and gets the handler's answer).
    expect((await refusal(schedulerAs(bootstrap).removeNode('nope'))).code).toBe(grpc.status.NOT_FOUND);
  });

  it('refuses revoked, expired, unknown and malformed tokens with UNAUTHENTICATED, never echoing them', async () => {
    const revoked = await makeToken('to-revoke', 'ACCESS_LEVEL_READ');
    expect((await schedulerAs(revoked).listWorkloads()).workloads).toBeDefined();
    const r = (await admin.revoke('to-revoke')).token!;
    expect(r).toMatchObject({ state: 'revoked', revokedBy: `token:bootstrap` });
    const shortLived = await admin.create({ name: 'short-lived', access: 'ACCESS_LEVEL_READ', ttlMs: 1 });
    const expired = shortLived.secret;
    const expiresAtMs = Number(shortLived.token!.expiresAtMs);
    expect(expiresAtMs).toBeGreaterThan(0);
    await waitFor('the token to expire', () => Date.now() > expiresAtMs);
    const unknown = `mo_${'0'.repeat(26)}_${'A'.repeat(43)}`;
    const cases: Array<[string, string, RegExp]> = [
      ['revoked', revoked, /^bearer token refused: token to-revoke was revoked at \d{4}-/],
      ['expired', expired, /^bearer token refused: token short-lived expired at \d{4}-/],
      ['unknown', unknown, /^bearer token refused: unknown token$/],
      ['a wrong secret', `${bootstrap.slice(0, -43)}${'B'.repeat(43)}`, /^bearer token refused: unknown token$/],
      ['malformed', 'not-a-token', /^bearer token refused: not a mo token/],
    ];
    for (const [what, token, message] of cases) {
      const err = await refusal(schedulerAs(token).getClusterStatus());
      expect([what, err.code]).toEqual([what, grpc.status.UNAUTHENTICATED]);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(token);
    }
    // Streams are guarded too.
    const watch = schedulerAs(revoked).watch({});
    const err = await refusal(watch.next());
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    // A revoked token's name can be given to a new one.
    const again = await makeToken('to-revoke', 'ACCESS_LEVEL_READ');
    expect((await schedulerAs(again).getClusterStatus()).schedulerVersion).toBeTruthy();
  });

  it('lists tokens without their secrets', async () => {
    const secret = await makeToken('listed', 'ACCESS_LEVEL_READ');
    const all = await admin.listAll();
    expect(all.tokens.find((t) => t.name === 'listed')).toMatchObject({ access: 'ACCESS_LEVEL_READ', state: 'active' });
    const text = JSON.stringify(all);
    expect(text).not.toContain(secret.slice(-43));
    expect(text).not.toContain(bootstrap.slice(-43));
    // Paged like the other lists.
    const first = await admin.list({ pageSize: 1 });
    expect(first.tokens).toHaveLength(1);
    expect(first.nextPageToken).not.toBe('');
    expect(first.total).toBe(all.tokens.length);
  });

  it('keeps tokens, revocations and the bootstrap token across a SIGKILL and restart', async () => {
    const kept = await makeToken('survivor', 'ACCESS_LEVEL_OPERATE');
    const gone = await makeToken('revoked-before-crash', 'ACCESS_LEVEL_OPERATE');
    await admin.revoke('revoked-before-crash');
    const { dataDir, grpcAddress } = scheduler;
    const fileBefore = readFileSync(join(dataDir, 'bootstrap-token'), 'utf8');
    for (const c of closers.splice(0)) c.close();
    await scheduler.kill('SIGKILL');
    scheduler = await startSchedulerProcess({ dataDir, grpcListen: grpcAddress });
    admin = track(new TokenClient(scheduler.grpcAddress, testTokenOptions(bootstrap)));
    expect(readFileSync(join(dataDir, 'bootstrap-token'), 'utf8')).toBe(fileBefore);
    expect(scheduler.logs()).not.toContain('bootstrap admin token written');
    expect((await schedulerAs(kept).submitWorkload(sleepSpec)).workload!.state).toBe('WORKLOAD_STATE_PENDING');
    expect((await refusal(schedulerAs(gone).listWorkloads())).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await admin.listAll()).tokens.filter((t) => t.name === 'bootstrap')).toHaveLength(1);
  });

  it('refuses a call with neither a client certificate nor a token: UNAUTHENTICATED, nothing stored', async () => {
    const anon = pipelinesAs();
    const gated = { name: 'anon-gated', steps: [{ id: 'deploy', approval: true, command: ['true'] }] };
    const err = await refusal(anon.submit({ spec: JSON.stringify(gated) }));
    expect(err.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err.message).toMatch(/no client certificate signed by this cluster's CA .* and no bearer token/);
    const { pipelines } = await pipelinesAs(bootstrap).list({});
    expect(pipelines.map((x) => x.name)).not.toContain('anon-gated');
  });
});
