// `mo start --count N`: the built `mo` against a real scheduler and two real agents. An array of 50
// waited on to its end (each member saw its own $MO_INDEX, as its $MO_OUTPUT shows), listed by
// group; the exit code of a wait is the worst member's; bad counts are refused by name.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, startCluster, type Cluster, type MoResult } from '@mo/testkit';

let cluster: Cluster;

function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress }, timeoutMs: 90_000 });
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 2 });
});

afterAll(async () => {
  await cluster.stop();
});

describe('mo start --count', () => {
  it('runs an array of 50 to its end, each member with its own $MO_INDEX, one group listing all 50', async () => {
    const script = 'echo "index=$MO_INDEX" >> "$MO_OUTPUT"; echo "of=$MO_COUNT/$MO_GROUP" >> "$MO_OUTPUT"';
    const res = await mo(
      'start',
      '--count',
      '50',
      '--name',
      'shard',
      '--wait=exit',
      '--json',
      '--',
      'sh',
      '-c',
      script,
    );
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const doc = JSON.parse(res.stdout) as {
      groupId: string;
      workloadIds: string[];
      states: Record<string, number>;
      failed: string[];
    };
    expect(doc.workloadIds).toHaveLength(50);
    expect(doc.states).toEqual({ succeeded: 50 });
    expect(doc.failed).toEqual([]);

    // Paged by group (page size 20: three pages), newest (highest index) first.
    const listed = await cluster.scheduler.client.listAllWorkloads({ groupId: doc.groupId, pageSize: 20 });
    expect(listed.total).toBe(50);
    expect(listed.workloads.map((w) => w.id)).toEqual([...doc.workloadIds].reverse());
    for (const w of listed.workloads) {
      expect([w.state, w.groupId, w.spec?.name]).toEqual([
        'WORKLOAD_STATE_SUCCEEDED',
        doc.groupId,
        `shard-${w.groupIndex}`,
      ]);
      expect(w.outputs).toEqual({ index: String(w.groupIndex), of: `50/${doc.groupId}` });
    }
  });

  it('mo wait GROUP waits on all 50 members, mo ps --group lists them', async () => {
    const sub = await mo(
      'start',
      '--count',
      '50',
      '--json',
      '--',
      'sh',
      '-c',
      'sleep 0.$((MO_INDEX % 5)); exit $((MO_INDEX == 7))',
    );
    expect(sub.code).toBe(0);
    const { groupId, workloadIds } = JSON.parse(sub.stdout) as { groupId: string; workloadIds: string[] };

    // The group id stands for every member: 49 succeed, member 7 fails, so the worst is exit 4.
    const waited = await mo('wait', groupId, '--json');
    expect(waited.code).toBe(4);
    const doc = JSON.parse(waited.stdout) as { workloads: { id: string; state: string }[]; waiting: string[] };
    expect(doc.waiting).toEqual([]);
    expect(new Set(doc.workloads.map((w) => w.id))).toEqual(new Set(workloadIds));
    expect(doc.workloads.filter((w) => w.state !== 'WORKLOAD_STATE_SUCCEEDED').map((w) => w.id)).toEqual([
      workloadIds[7],
    ]);

    // Ended now: live-only `ps --group` shows none, --all shows all 50 (as a table and as JSON).
    const live = await mo('ps', '--group', groupId, '--json');
    expect(JSON.parse(live.stdout)).toEqual({ workloads: [] });
    const all = await mo('ps', '--group', groupId, '--all', '--json');
    const listed = (JSON.parse(all.stdout) as { workloads: { id: string; groupId: string }[] }).workloads;
    expect(listed.map((w) => w.id).sort()).toEqual([...workloadIds].sort());
    expect(listed.every((w) => w.groupId === groupId)).toBe(true);
    const table = await mo('ps', '--group', groupId, '--all');
    expect(table.stdout.trim().split('\n')).toHaveLength(51); // header + 50
    const bad = await mo('ps', '--group', 'nope');
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('--group')]);
  });

  it('prints the group and its size, and waits with --wait=exit to the worst exit code', async () => {
    const plain = await mo('start', '--count', '3', '--', 'true');
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^[0-9A-Z]{26} array of 3 workloads\n$/);

    const res = await mo('start', '--count', '4', '--wait=exit', '--', 'sh', '-c', 'exit $((MO_INDEX % 2))');
    expect(res.code).toBe(4);
    expect(res.stdout).toMatch(/^[0-9A-Z]{26} array of 4 workloads: /);
    expect(res.stdout).toContain('2 succeeded');
    expect(res.stdout).toContain('2 failed');
    expect(res.stderr).toMatch(/2 of 4 workloads of array [0-9A-Z]{26} did not succeed:\n\s+\[1\] \S+ failed/);
    expect(res.stderr).toMatch(/\n\s+\[3\] \S+ failed/);
  });

  it('returns the same group for a retried --idempotency-key', async () => {
    const key = `arr-${process.pid}`;
    const first = await mo('start', '--count', '2', '--idempotency-key', key, '--json', '--', 'true');
    const again = await mo('start', '--count', '2', '--idempotency-key', key, '--json', '--', 'true');
    const [a, b] = [first, again].map((r) => JSON.parse(r.stdout) as { groupId: string; existing: boolean });
    expect([b!.groupId, a!.existing, b!.existing]).toEqual([a!.groupId, false, true]);
  });

  it.each([
    [['--count', '0'], 2, '--count: must be at least 1'],
    [['--count', 'many'], 2, '--count: expected a whole number'],
    [['--count', '10001'], 2, '--count: must be at most 10000'],
    [['--count', '2', '--env', 'MO_INDEX=7'], 1, 'spec.env["MO_INDEX"]: is set by the scheduler for an array'],
    [['--count', '1000', '--name', 'x'.repeat(60)], 1, 'spec.name: is too long for an array of 1000'],
  ])('refuses %j (exit %d)', async (flags, code, message) => {
    const res = await mo('start', ...flags, '--', 'true');
    expect(res.code).toBe(code);
    expect(res.stderr).toContain(message);
  });
});
