// The manager applying decisions, in a harness: a fake workload manager (submits are recorded and
// deduplicated by idempotency key; the test ends workloads), a fake clock whose timers fire when
// the test moves time, and an in-memory store. No processes, sockets or sleeps: a `tick` lets
// promise callbacks and the coalesced write run.
import { describe, expect, it } from '@jest/globals';
import { createLogger, type SubmitWorkloadRequest__Output, type Timer } from '@mo/api';
import type { Store, StoreKind, StoredRecord } from '../store/store.js';
import type { WorkloadRecord, WorkloadStateName } from '../workloads/record.js';
import { PipelineManager, type PipelineClock, type StepWorkloads } from './manager.js';
import type { PipelineRecord } from './record.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

class FakeClock implements PipelineClock {
  t = 1_000_000;
  private timers: Array<{ due: number; fn: () => void; live: boolean }> = [];
  now(): number {
    return this.t;
  }
  after(ms: number, fn: () => void): Timer {
    const timer = { due: this.t + Math.max(0, ms), fn, live: true };
    this.timers.push(timer);
    return { cancel: () => void (timer.live = false), refresh: () => void (timer.due = this.t + ms) };
  }
  /** Moves time on, firing the timers that come due, in order. */
  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.live && x.due <= until).sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      due.live = false;
      this.t = due.due;
      due.fn();
    }
    this.t = until;
  }
  get armed(): number {
    return this.timers.filter((x) => x.live).length;
  }
}

class FakeWorkloads implements StepWorkloads {
  readonly byKey = new Map<string, WorkloadRecord>();
  readonly stopped: string[] = [];
  /** Keys of every submit, in order (a re-submit after a restart shows twice). */
  readonly submits: string[] = [];
  readonly requests = new Map<string, SubmitWorkloadRequest__Output>();
  refuse?: (req: SubmitWorkloadRequest__Output) => Error | undefined;
  /** Set: a stop ends the workload at once and reports it (as for a workload not yet placed). */
  stopsAtOnce = false;
  manager?: PipelineManager;

  async submit(req: SubmitWorkloadRequest__Output): Promise<{ record: WorkloadRecord }> {
    this.submits.push(req.idempotencyKey);
    const err = this.refuse?.(req);
    if (err) throw err;
    let record = this.byKey.get(req.idempotencyKey);
    if (!record) {
      const fields = { id: `w${this.byKey.size + 1}`, state: 'running', reason: 'running', nodeName: 'node-1' };
      record = fields as unknown as WorkloadRecord;
      this.byKey.set(req.idempotencyKey, record);
      this.requests.set(req.idempotencyKey, req);
    }
    return { record };
  }

  async stop(id: string): Promise<WorkloadRecord> {
    this.stopped.push(id);
    const r = this.get(id);
    if (this.stopsAtOnce) this.end(r, 'stopped', 'stopped before it was placed');
    return r;
  }

  get(id: string): WorkloadRecord {
    const r = [...this.byKey.values()].find((x) => x.id === id);
    if (!r) throw new Error(`no workload ${id}`);
    return r;
  }

  /** Ends the workload submitted with `key` and reports it, as the workload manager's onChange. */
  end(keyOrRecord: string | WorkloadRecord, state: WorkloadStateName, reason = '', outputs?: Record<string, string>) {
    const r = typeof keyOrRecord === 'string' ? this.byKey.get(keyOrRecord) : keyOrRecord;
    if (!r) throw new Error(`nothing submitted with key ${String(keyOrRecord)}`);
    Object.assign(r, { state, reason: reason || state, ...(outputs && { outputs }) });
    this.manager!.workloadChanged(r);
  }
}

class MemoryStore implements Store {
  readonly rows = new Map<string, unknown>();
  async load(kind: StoreKind): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for (const [k, value] of this.rows) if (k.startsWith(`${kind}/`)) out.push({ id: k.slice(kind.length + 1), value });
    return out;
  }
  async commit(ops: readonly { kind: StoreKind; id: string; value: unknown }[]): Promise<void> {
    // Stored as JSON, as SQLite would: later changes to the live record do not leak in.
    for (const op of ops) {
      if (op.value === null) this.rows.delete(`${op.kind}/${op.id}`);
      else this.rows.set(`${op.kind}/${op.id}`, JSON.parse(JSON.stringify(op.value)));
    }
  }
  async close(): Promise<void> {}
}

async function harness(options: { maxRunning?: number; store?: MemoryStore; workloads?: FakeWorkloads } = {}) {
  const clock = new FakeClock();
  const store = options.store ?? new MemoryStore();
  const workloads = options.workloads ?? new FakeWorkloads();
  const manager = new PipelineManager({
    store,
    workloads,
    logger: createLogger('error'),
    maxRunning: options.maxRunning ?? 10,
    maxQueued: 10,
    clock,
    random: () => 0.5,
  });
  workloads.manager = manager;
  await manager.load();
  manager.start();
  const submit = async (spec: object) => {
    const { pipeline } = await manager.submit(JSON.stringify(spec), '');
    await tick();
    return pipeline;
  };
  /** The pipeline's events as `step state` lines ('-' for the pipeline itself). */
  const events = (p: PipelineRecord) => manager.eventsAfter(0, p.id).map((e) => `${e.stepId || '-'} ${e.state}`);
  const stateOf = (p: PipelineRecord) =>
    Object.fromEntries([['pipeline', p.state], ...p.steps.map((s) => [s.id, s.state])]);
  return { manager, clock, store, workloads, submit, events, stateOf };
}

const step = (id: string, more: object = {}) => ({ id, command: ['true'], ...more });

describe('PipelineManager applying decisions', () => {
  it('runs a diamond: each step submitted once its needs succeed, outputs passed on, the end written', async () => {
    const h = await harness();
    const p = await h.submit({
      name: 'diamond',
      steps: [
        step('a'),
        step('b', { needs: ['a'], command: ['echo', '${{ steps.a.outputs.v }}'] }),
        step('c', { needs: ['a'] }),
        step('d', { needs: ['b', 'c'] }),
      ],
    });
    expect(h.workloads.submits).toEqual([`${p.id}/a/1`]);
    h.workloads.end(`${p.id}/a/1`, 'succeeded', 'exited with code 0', { v: '1.2' });
    await tick();
    expect(h.workloads.submits.slice(1)).toEqual([`${p.id}/b/1`, `${p.id}/c/1`]);
    expect(h.workloads.requests.get(`${p.id}/b/1`)!.spec!.argv).toEqual(['echo', '1.2']);
    h.workloads.end(`${p.id}/b/1`, 'succeeded');
    await tick();
    expect(h.workloads.submits).toHaveLength(3);
    h.workloads.end(`${p.id}/c/1`, 'succeeded');
    await tick();
    h.workloads.end(`${p.id}/d/1`, 'succeeded');
    await tick();
    expect(h.stateOf(p)).toEqual({
      pipeline: 'succeeded',
      a: 'succeeded',
      b: 'succeeded',
      c: 'succeeded',
      d: 'succeeded',
    });
    expect(h.store.rows.get(`pipeline/${p.id}`)).toMatchObject({ state: 'succeeded' });
    expect(h.events(p)).toEqual([
      '- pending',
      '- running',
      'a running',
      'a succeeded',
      'b running',
      'c running',
      'b succeeded',
      'c succeeded',
      'd running',
      'd succeeded',
      '- succeeded',
    ]);
  });

  it('retries a failed attempt when its backoff has passed on the clock, under the next key', async () => {
    const h = await harness();
    const p = await h.submit({ name: 'flaky', steps: [step('s', { retries: { attempts: 2, backoff: '1s' } })] });
    h.workloads.end(`${p.id}/s/1`, 'failed', 'exited with code 3');
    await tick();
    expect(p.steps[0]).toMatchObject({ state: 'retrying', notBeforeMs: h.clock.t + 1000 });
    h.clock.advance(999);
    expect(h.workloads.submits).toEqual([`${p.id}/s/1`]);
    h.clock.advance(1);
    await tick();
    expect(h.workloads.submits).toEqual([`${p.id}/s/1`, `${p.id}/s/2`]);
    h.workloads.end(`${p.id}/s/2`, 'failed', 'exited with code 3');
    await tick();
    expect(p).toMatchObject({ state: 'failed', reason: 'step s failed: exited with code 3' });
  });

  it('on a failure stops running siblings, then runs compensations one at a time in reverse order', async () => {
    const h = await harness();
    const undo = { command: ['undo'] };
    const p = await h.submit({
      name: 'saga',
      steps: [
        step('reserve', { compensate: undo }),
        step('charge', { needs: ['reserve'], compensate: undo }),
        step('slow', { needs: ['reserve'] }),
        step('ship', { needs: ['charge'] }),
        step('cleanup', { needs: ['ship'], when: 'failure' }),
      ],
    });
    const end = async (id: string, state: WorkloadStateName, reason = '') => {
      h.workloads.end(`${p.id}/${id}`, state, reason);
      await tick();
    };
    await end('reserve/1', 'succeeded');
    await end('charge/1', 'succeeded');
    const slow = h.workloads.byKey.get(`${p.id}/slow/1`)!;
    await end('ship/1', 'failed', 'exited with code 7');
    expect(h.workloads.stopped).toEqual([slow.id]);
    expect(h.workloads.submits.at(-1)).toBe(`${p.id}/cleanup/1`);
    await end('slow/1', 'stopped');
    await end('cleanup/1', 'succeeded');
    expect(p.state).toBe('compensating');
    expect(h.workloads.submits.at(-1)).toBe(`${p.id}/compensate/charge`);
    await end('compensate/charge', 'succeeded');
    expect(h.workloads.submits.at(-1)).toBe(`${p.id}/compensate/reserve`);
    await end('compensate/reserve', 'failed', 'exited with code 1');
    expect(h.stateOf(p)).toEqual({
      pipeline: 'failed',
      reserve: 'succeeded',
      charge: 'succeeded',
      slow: 'cancelled',
      ship: 'failed',
      cleanup: 'succeeded',
    });
    expect(p.compensations.map((c) => [c.stepId, c.state, c.reason])).toEqual([
      ['charge', 'succeeded', 'succeeded'],
      ['reserve', 'failed', 'exited with code 1'],
    ]);
    expect(h.events(p).slice(-11)).toEqual([
      'ship failed',
      '- failing',
      'cleanup running',
      'slow cancelled',
      'cleanup succeeded',
      '- compensating',
      'charge compensating',
      'charge compensation succeeded',
      'reserve compensating',
      'reserve compensation failed',
      '- failed',
    ]);
  });

  it('stops an attempt past its timeout and fails it as timed out', async () => {
    const h = await harness();
    const p = await h.submit({ name: 't', steps: [step('s', { timeout: '500ms' })] });
    h.clock.advance(499);
    expect(h.workloads.stopped).toEqual([]);
    h.clock.advance(1);
    const w = h.workloads.byKey.get(`${p.id}/s/1`)!;
    expect(h.workloads.stopped).toEqual([w.id]);
    h.workloads.end(w, 'stopped');
    await tick();
    expect(p.steps[0]).toMatchObject({ state: 'failed', reason: 'timed out after 500 ms' });
    expect(p.state).toBe('failed');
    expect(h.clock.armed).toBe(0);
  });

  it('stops a compensation past its timeout and records it failed', async () => {
    const h = await harness();
    const p = await h.submit({
      name: 'ct',
      steps: [step('a', { compensate: { command: ['undo'], timeout: '2s' } }), step('b', { needs: ['a'] })],
    });
    h.workloads.end(`${p.id}/a/1`, 'succeeded');
    await tick();
    h.workloads.end(`${p.id}/b/1`, 'failed');
    await tick();
    h.clock.advance(2000);
    const c = h.workloads.byKey.get(`${p.id}/compensate/a`)!;
    expect(h.workloads.stopped).toEqual([c.id]);
    h.workloads.end(c, 'stopped');
    await tick();
    expect(p.compensations).toEqual([
      { stepId: 'a', workloadId: c.id, state: 'failed', reason: 'timed out after 2000 ms' },
    ]);
    expect(p.state).toBe('failed');
  });

  it('holds a gated step until approved, and refuses a second decision', async () => {
    const h = await harness();
    const p = await h.submit({
      name: 'g',
      steps: [step('build'), step('deploy', { needs: ['build'], approval: true })],
    });
    h.workloads.end(`${p.id}/build/1`, 'succeeded');
    await tick();
    expect(h.stateOf(p)).toMatchObject({ pipeline: 'awaiting_approval', deploy: 'awaiting_approval' });
    h.manager.approve(p.id, 'deploy', true, 'token:alice', 'ok');
    expect(h.stateOf(p)).toMatchObject({ pipeline: 'running', deploy: 'running' });
    expect(() => h.manager.approve(p.id, 'deploy', false, 'token:bob', '')).toThrow(
      /is running, not awaiting approval/,
    );
    await tick();
    expect(h.workloads.submits.at(-1)).toBe(`${p.id}/deploy/1`);
  });

  it('fails an attempt whose submit is refused, with the reason', async () => {
    const h = await harness();
    h.workloads.refuse = () => new Error('scheduling.node: unknown node "x"');
    const p = await h.submit({ name: 'r', steps: [step('s')] });
    await tick();
    expect(p.steps[0]).toMatchObject({
      state: 'failed',
      reason: 'could not submit its workload: scheduling.node: unknown node "x"',
    });
    expect(p.state).toBe('failed');
  });

  it('queues past maxRunning, cancels a pending pipeline at once, and admits the next when one ends', async () => {
    const h = await harness({ maxRunning: 1 });
    const first = await h.submit({ name: 'first', steps: [step('s')] });
    const second = await h.submit({ name: 'second', steps: [step('s')] });
    const third = await h.submit({ name: 'third', steps: [step('s')] });
    expect([first.state, second.state, third.state]).toEqual(['running', 'pending', 'pending']);
    h.manager.cancel(second.id, '');
    expect(h.stateOf(second)).toEqual({ pipeline: 'cancelled', s: 'cancelled' });
    expect(second.reason).toBe('cancelled by request');
    h.workloads.end(`${first.id}/s/1`, 'succeeded');
    await tick();
    expect(third.state).toBe('running');
  });

  it('cancel stops a running step, which ends cancelled, and the pipeline with it', async () => {
    const h = await harness();
    const p = await h.submit({ name: 'c', steps: [step('s'), step('after', { needs: ['s'] })] });
    h.manager.cancel(p.id, 'changed my mind');
    expect(p.state).toBe('running');
    h.workloads.end(`${p.id}/s/1`, 'stopped');
    await tick();
    expect(h.stateOf(p)).toEqual({ pipeline: 'cancelled', s: 'cancelled', after: 'skipped' });
    expect(p.reason).toBe('cancelled: changed my mind');
  });

  it('a step stopped before its workload was placed ends at once, and a `when: always` step still runs', async () => {
    const h = await harness();
    h.workloads.stopsAtOnce = true;
    const p = await h.submit({ name: 'a', steps: [step('s'), step('tidy', { needs: ['s'], when: 'always' })] });
    h.manager.cancel(p.id, '');
    expect(h.stateOf(p)).toEqual({ pipeline: 'running', s: 'cancelled', tidy: 'running' });
    await tick();
    h.workloads.end(`${p.id}/tidy/1`, 'succeeded');
    await tick();
    expect(h.stateOf(p)).toEqual({ pipeline: 'cancelled', s: 'cancelled', tidy: 'succeeded' });
  });

  it('after a restart, submits running steps again under the same key (adopted) and goes on', async () => {
    const store = new MemoryStore();
    const workloads = new FakeWorkloads();
    const before = await harness({ store, workloads });
    const p = await before.submit({ name: 'r', steps: [step('a'), step('b', { needs: ['a'] })] });
    await before.manager.close();
    await tick();

    const after = await harness({ store, workloads });
    await tick();
    expect(workloads.submits).toEqual([`${p.id}/a/1`, `${p.id}/a/1`]);
    expect(workloads.byKey.size).toBe(1);
    workloads.end(`${p.id}/a/1`, 'succeeded');
    await tick();
    workloads.end(`${p.id}/b/1`, 'succeeded');
    await tick();
    expect(after.manager.get(p.id).state).toBe('succeeded');
  });
});
