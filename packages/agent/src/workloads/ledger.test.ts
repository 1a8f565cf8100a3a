// The WorkloadLedger alone, its store a literal that notes each write: what a transition records,
// saves and tells, and how many ended workloads it keeps.
import { describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { InvalidArgumentError, NotFoundError } from '@mo/api';
import { WorkloadLedger, type TransitionEvent } from './ledger.js';
import { MAX_EVENTS, type WorkloadRecord, type WorkloadStateName } from './record.js';

const ID = (n: number) => `01HZ${String(n).padStart(22, '0')}`;

function recordOf(n: number, state: WorkloadStateName = 'starting'): WorkloadRecord {
  const spec = {
    id: ID(n),
    name: `w${n}`,
    argv: ['x'],
    env: {},
    workingDir: '/',
    cpuMillis: 0,
    memoryBytes: 0,
    labels: {},
    gracePeriodMs: 1000,
    driver: 'process',
  };
  return { spec, state, reason: state, createdAtMs: n, startedAtMs: 0, events: [] };
}

function ledgerOf(maxRetainedEnded = 100) {
  const writes: string[] = [];
  const store = {
    save: (r: WorkloadRecord) => (writes.push(`save ${r.spec.name} ${r.state}`), Promise.resolve()),
    saveLater: (r: WorkloadRecord) => void writes.push(`later ${r.spec.name} ${r.state}`),
    remove: (id: string) => (writes.push(`remove ${id}`), Promise.resolve()),
  };
  const ledger = new WorkloadLedger({ store, logger: { info: () => undefined }, maxRetainedEnded });
  const told: TransitionEvent[] = [];
  ledger.onTransition((e) => told.push({ ...e }));
  return { ledger, writes, told };
}

describe('WorkloadLedger', () => {
  it('records, saves and tells each transition: a start at once, an end once starts pause', () => {
    const { ledger, writes, told } = ledgerOf();
    const r = recordOf(1);
    ledger.add(r);
    ledger.transition(r, 'running', 'started (pid 7)');
    ledger.transition(r, 'failed', 'exited with code 1');
    expect(r.events.map((e) => `${e.state}: ${e.reason}`)).toEqual([
      'running: started (pid 7)',
      'failed: exited with code 1',
    ]);
    expect(writes).toEqual(['save w1 running', 'later w1 failed']);
    expect(told.map((e) => `${e.from ?? '-'} -> ${e.record.spec.name}`)).toEqual([
      '- -> w1',
      'starting -> w1',
      'running -> w1',
    ]);
    expect(ledger.counts()).toMatchObject({ starting: 0, running: 0, failed: 1 });
  });

  it('marks the changes made while the start that brought them is unanswered (its answer tells them)', async () => {
    const { ledger, told } = ledgerOf();
    const r = recordOf(1);
    await ledger.arrive(r.spec.id, async () => {
      ledger.add(r);
      ledger.transition(r, 'running', 'started (pid 7)');
      return r;
    });
    ledger.transition(r, 'succeeded', 'exit 0');
    // Starting and running while it arrived; its end after the answer.
    expect(told.map((e) => [e.from ?? '-', e.inStartAnswer ?? false])).toEqual([
      ['-', true],
      ['starting', true],
      ['running', false],
    ]);
  });

  it('saves nothing for a state the driver keeps itself', () => {
    const { ledger, writes } = ledgerOf();
    const r = recordOf(1);
    ledger.add(r);
    ledger.transition(r, 'running', 'started', 'no');
    expect(writes).toEqual([]);
  });

  it(`keeps the last ${MAX_EVENTS} events of a workload`, () => {
    const { ledger } = ledgerOf();
    const r = recordOf(1);
    ledger.add(r);
    for (let i = 0; i < MAX_EVENTS + 5; i++) ledger.transition(r, 'running', `beat ${i}`);
    expect(r.events).toHaveLength(MAX_EVENTS);
    expect(r.events[0]!.reason).toBe('beat 5');
  });

  it('resolves whenEnded at the first terminal state, and at once for one loaded ended', async () => {
    const { ledger } = ledgerOf();
    const r = recordOf(1);
    ledger.add(r);
    let ended = false;
    void ledger.whenEnded(r.spec.id).then(() => (ended = true));
    ledger.transition(r, 'running', 'started');
    await Promise.resolve();
    expect(ended).toBe(false);
    ledger.transition(r, 'succeeded', 'exited with code 0');
    await Promise.resolve();
    expect(ended).toBe(true);
    ledger.load(recordOf(2, 'stopped'));
    await expect(ledger.whenEnded(ID(2))).resolves.toBeUndefined();
  });

  it('deletes the oldest ended workloads past the limit, one for each that ends, and never a running one', () => {
    const { ledger, writes } = ledgerOf(10);
    const running = recordOf(0, 'running');
    ledger.load(running);
    for (let n = 1; n <= 10; n++) ledger.load(recordOf(n, 'succeeded'));
    ledger.collectGarbage();
    expect(ledger.list()).toHaveLength(11);
    const r = recordOf(11);
    ledger.add(r);
    ledger.transition(r, 'failed', 'exited with code 1');
    expect(writes.filter((w) => w.startsWith('remove'))).toEqual([`remove ${ID(1)}`]);
    expect(ledger.list().map((x) => x.spec.name)).toEqual([
      'w0',
      ...[2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((n) => `w${n}`),
    ]);
    // Over the limit at start-up (a lowered --max-ended): trimmed to it, oldest first.
    const small = ledgerOf(3);
    for (let n = 1; n <= 6; n++) small.ledger.load(recordOf(n, 'succeeded'));
    small.ledger.collectGarbage();
    expect(small.ledger.list().map((x) => x.spec.name)).toEqual(['w4', 'w5', 'w6']);
  });

  it('names the field of a bad or unknown workload id', () => {
    const { ledger } = ledgerOf();
    expect(() => ledger.get('not an id!')).toThrow(InvalidArgumentError);
    expect(() => ledger.get(ID(9))).toThrow(NotFoundError);
    expect(ledger.find(ID(9))).toBeUndefined();
  });

  it('a start on its way in is UNAVAILABLE ("ask again"), not NOT_FOUND, until it settles either way', async () => {
    const { ledger } = ledgerOf();
    let land!: () => void;
    const landed = ledger.arrive(ID(1), async () => {
      await new Promise<void>((r) => (land = r));
      ledger.add(recordOf(1));
      return 'started';
    });
    expect(() => ledger.get(ID(1))).toThrow(
      expect.objectContaining({
        code: grpc.status.UNAVAILABLE,
        message: expect.stringMatching(/on its way in; ask again/),
      }),
    );
    land();
    await expect(landed).resolves.toBe('started');
    expect(ledger.get(ID(1)).state).toBe('starting');

    // A start that fails leaves nothing arriving: the scheduler's question is answered NOT_FOUND.
    const failed = ledger.arrive(ID(2), () => Promise.reject(new Error('spawn failed')));
    expect(() => ledger.get(ID(2))).toThrow(expect.objectContaining({ code: grpc.status.UNAVAILABLE }));
    await expect(failed).rejects.toThrow('spawn failed');
    expect(() => ledger.get(ID(2))).toThrow(NotFoundError);
  });
});
