// What a node may send is validated and bounded, and the registry can be cleaned: against a real
// scheduler over gRPC, a 3 MB cpu_model, NaN and negative metrics are refused naming the field and
// ListNodes keeps working; a heartbeat flood ends its stream with RESOURCE_EXHAUSTED; registrations
// per address are rate-limited; `mo node rm` forgets a down node (not an up one); down nodes are
// forgotten after --forget-down-after, for good; oversized facts an older scheduler stored are cut
// on load.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { RegistryClient, type HeartbeatResponse__Output, type MoError, type RegisterRequest } from '@mo/api';
import { freePort, runMo, startSchedulerProcess, waitFor, type SchedulerProcess } from '@mo/testkit';
import Database from 'better-sqlite3';
import { join } from 'node:path';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

const TAG = `P${process.pid}`;
let seq = 0;
/** A valid registration of a made-up node (nothing dials it). */
function registration(patch: Partial<RegisterRequest> = {}): RegisterRequest {
  const n = ++seq;
  return {
    nodeId: `${TAG}X${n}`,
    nodeName: `fake-${process.pid}-${n}`,
    address: '127.0.0.1:1',
    facts: { cpuModel: 'Test CPU', cpuCores: 2, memoryTotalBytes: 1 << 30, drivers: ['process'] },
    capacity: { cpuMillis: 2000, memoryBytes: 1 << 30 },
    metrics: { cpuUtilization: 0.1, memoryTotalBytes: 1 << 30, memoryAvailableBytes: 1 << 29, load1: 0.5 },
    ...patch,
  };
}

async function refusal(p: Promise<unknown>): Promise<MoError> {
  return p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (err: unknown) => err as MoError,
  );
}

/**
 * Opens a heartbeat stream, lets `send` write, and resolves with how it ended (its status), or
 * with OK once `stopAfter` answers came (then it is cancelled).
 */
function heartbeatEnd(
  registry: RegistryClient,
  send: (write: (m: object) => void) => void,
  stopAfter = Infinity,
): Promise<{ code: number; details: string; answers: number }> {
  return new Promise((resolve) => {
    const stream = registry.heartbeat();
    let answers = 0;
    stream.on('data', (_r: HeartbeatResponse__Output) => {
      if (++answers < stopAfter) return;
      resolve({ code: grpc.status.OK, details: '', answers });
      stream.cancel();
    });
    stream.on('error', (err: grpc.ServiceError) => resolve({ code: err.code, details: err.details, answers }));
    stream.on('end', () => resolve({ code: grpc.status.OK, details: '', answers }));
    send((m) => stream.write(m));
  });
}

describe('a scheduler refusing bad node input', () => {
  let scheduler: SchedulerProcess;
  let registry: RegistryClient;
  beforeAll(async () => {
    // Plaintext: these fake nodes test what a node may send, under many names; a certificate binds
    // a node to one name (tls.test.ts and node-binding.test.ts test that).
    scheduler = await startSchedulerProcess({
      extraArgs: ['--heartbeat-interval', '300ms', '--down-after', '1s'],
      insecure: true,
    });
    cleanup.push(() => scheduler.kill('SIGTERM'));
    registry = new RegistryClient(scheduler.grpcAddress, { deadlineMs: 10_000, insecure: true });
    cleanup.push(async () => registry.close());
  });

  it('refuses a 3 MB cpu_model naming facts.cpu_model, echoes none of it, and ListNodes still works', async () => {
    const req = registration({ facts: { cpuModel: 'x'.repeat(3_000_000) } });
    const err = await refusal(registry.register(req));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.message).toBe('facts.cpu_model: is 3000000 characters, at most 256');
    const { nodes } = await scheduler.client.listNodes();
    expect(nodes.map((n) => n.name)).not.toContain(req.nodeName);
  });

  it.each([
    ['NaN CPU utilisation', 'metrics.cpu_utilization', { cpuUtilization: NaN }],
    ['a negative load', 'metrics.load1', { load1: -1 }],
    ['negative available memory', 'metrics.memory_available_bytes', { memoryAvailableBytes: -5 }],
  ])('refuses %s at Register, naming %s', async (_what, field, metrics) => {
    const err = await refusal(registry.register(registration({ metrics })));
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.message.startsWith(`${field}: `)).toBe(true);
  });

  it('ends a heartbeat stream whose metrics are NaN, naming the field', async () => {
    const req = registration();
    await registry.register(req);
    const end = await heartbeatEnd(registry, (write) => {
      write({ nodeId: req.nodeId, metrics: { cpuUtilization: 0.2 } });
      write({ metrics: { cpuUtilization: 0.2, load5: NaN } });
    });
    expect(end.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(end.details).toMatch(/^metrics\.load5: must be a finite number ≥ 0, got NaN$/);
    expect(end.answers).toBe(1);
  });

  it('ends a heartbeat stream that carries more than 1,000 changes in one message', async () => {
    const req = registration();
    await registry.register(req);
    const end = await heartbeatEnd(registry, (write) => {
      write({ nodeId: req.nodeId, changes: Array.from({ length: 1001 }, () => ({})) });
    });
    expect(end.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(end.details).toMatch(/^changes: has 1001 entries, at most 1000 per message/);
  });

  it('ends a flooding heartbeat stream with RESOURCE_EXHAUSTED (the audit: 2,064 × 2,000 changes in 8 s)', async () => {
    const req = registration();
    await registry.register(req);
    const changes = Array.from({ length: 1000 }, () => ({}));
    const end = await heartbeatEnd(registry, (write) => {
      write({ nodeId: req.nodeId });
      for (let i = 0; i < 100; i++) write({ changes });
    });
    expect(end.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(end.details).toMatch(/^heartbeat stream: more than 20000 changes\/s/);
    // Cut before the end: not every one of the 101 messages was answered (how many were depends on
    // how fast the tokens refill while they arrive).
    expect(end.answers).toBeLessThan(101);
  });

  it('takes a paged inventory: the stream waits for the last page, a stale registration id is refused', async () => {
    const req = registration({ inventoryFollows: true });
    const { registrationId } = await registry.register(req);
    expect(registrationId).not.toBe('');
    const early = await heartbeatEnd(registry, (write) => write({ nodeId: req.nodeId }));
    expect(early.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(early.details).toMatch(/inventory pages are not all in; register again/);
    const stale = await refusal(
      registry.syncInventory({ nodeId: req.nodeId, registrationId: 'not-it', inventoryFollows: false }),
    );
    expect(stale.code).toBe(grpc.status.FAILED_PRECONDITION);
    await registry.syncInventory({ nodeId: req.nodeId, registrationId, inventoryFollows: true });
    await registry.syncInventory({ nodeId: req.nodeId, registrationId, inventoryFollows: false });
    const done = await refusal(registry.syncInventory({ nodeId: req.nodeId, registrationId, inventoryFollows: false }));
    expect(done.code).toBe(grpc.status.FAILED_PRECONDITION); // closed with the last page
    const ok = await heartbeatEnd(
      registry,
      (write) => {
        write({ nodeId: req.nodeId });
        write({});
      },
      2,
    );
    expect(ok).toEqual({ code: grpc.status.OK, details: '', answers: 2 });
  });

  it('removes a down node with `mo node rm`, and refuses an up one', async () => {
    const req = registration();
    await registry.register(req);
    const env = { MO_SCHEDULER_ADDR: scheduler.grpcAddress };
    // Heartbeats keep it up while `mo` starts: with --down-after 1s, a slow start found it down.
    const beats = registry.heartbeat();
    beats.on('data', () => undefined);
    beats.on('error', () => undefined);
    beats.write({ nodeId: req.nodeId });
    const beat = setInterval(() => beats.write({ nodeId: req.nodeId }), 200);
    const up = await runMo(['--insecure', 'node', 'rm', req.nodeName!], { env }).finally(() => {
      clearInterval(beat);
      beats.cancel();
    });
    expect(up.code).toBe(1);
    expect(up.stderr).toMatch(/is up .*only a down node can be removed/);
    await waitFor('the silent node down', async () =>
      (await scheduler.client.listNodes()).nodes.some((n) => n.id === req.nodeId && n.state === 'NODE_STATE_DOWN'),
    );
    const rm = await runMo(['--insecure', 'node', 'rm', req.nodeId!], { env });
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    expect(rm.stdout).toBe(`removed node ${req.nodeName} (${req.nodeId})\n`);
    expect((await scheduler.client.listNodes()).nodes.map((n) => n.id)).not.toContain(req.nodeId);
    const again = await runMo(['--insecure', 'node', 'rm', req.nodeId!], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no node/);
  });

  // Last in this scheduler: it spends the address's registration budget.
  it('limits registrations per source address (10/s, burst 20) with RESOURCE_EXHAUSTED', async () => {
    const t0 = Date.now();
    const results = await Promise.allSettled(Array.from({ length: 60 }, () => registry.register(registration())));
    const seconds = (Date.now() - t0) / 1000;
    const refused = results.filter((r) => r.status === 'rejected').map((r) => r.reason as MoError);
    const accepted = results.length - refused.length;
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(20 + Math.ceil(10 * seconds));
    for (const err of refused) {
      expect(err.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(err.message).toMatch(/^registrations from 127\.0\.0\.1: more than 10\/s \(burst 20\); retry later$/);
    }
  });
});

describe('forgetting down nodes', () => {
  it('forgets a node down past --forget-down-after, for good, and cuts oversized stored facts on load', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const args = ['--heartbeat-interval', '300ms', '--down-after', '1s', '--forget-down-after', '2s'];
    let scheduler = await startSchedulerProcess({ grpcListen: listen, extraArgs: args, insecure: true });
    cleanup.push(() => scheduler.kill('SIGTERM'));
    const registry = new RegistryClient(listen, { deadlineMs: 10_000, insecure: true });
    cleanup.push(async () => registry.close());
    const silent = registration();
    await registry.register(silent);
    await waitFor('the node down', async () =>
      (await scheduler.client.listNodes()).nodes.some((n) => n.state === 'NODE_STATE_DOWN'),
    );
    await waitFor('the node forgotten', async () => (await scheduler.client.listNodes()).nodes.length === 0, {
      timeoutMs: 10_000,
    });
    expect(scheduler.logs()).toMatch(/"msg":"node forgotten".*"reason":"down for more than 2s"/);

    // A node an older scheduler stored with a 3 MB cpu_model (before facts were checked).
    const kept = registration();
    await registry.register(kept);
    await scheduler.kill('SIGTERM');
    const db = new Database(join(scheduler.dataDir, 'scheduler.db'));
    try {
      const row = db.prepare("SELECT value FROM records WHERE kind = 'node' AND id = ?").get(kept.nodeId) as {
        value: string;
      };
      const record = JSON.parse(row.value) as { facts: { cpuModel: string } };
      record.facts.cpuModel = 'y'.repeat(3_000_000);
      db.prepare("UPDATE records SET value = ? WHERE kind = 'node' AND id = ?").run(
        JSON.stringify(record),
        kept.nodeId,
      );
      const ids = db.prepare("SELECT id FROM records WHERE kind = 'node'").all() as Array<{ id: string }>;
      expect(ids.map((r) => r.id)).toEqual([kept.nodeId]); // the forgotten one's record is gone
    } finally {
      db.close();
    }
    scheduler = await startSchedulerProcess({
      dataDir: scheduler.dataDir,
      grpcListen: listen,
      extraArgs: args,
      insecure: true,
    });
    const { nodes } = await scheduler.client.listNodes();
    expect(nodes.map((n) => n.id)).toEqual([kept.nodeId]);
    expect(nodes[0]!.facts!.cpuModel).toBe('y'.repeat(256));
    const status = await runMo(['--insecure', 'status'], { env: { MO_SCHEDULER_ADDR: listen } });
    expect(status.code).toBe(0);
  });
});
