// --audit-strict on a disk that really fills up (a small tmpfs holds the audit log; needs root):
// once a change's line cannot be written the change is refused with UNAVAILABLE and not made
// (nothing stored: its idempotency key is still free), reads go on, and changes are taken again
// once there is room. Without --audit-strict the same daemon keeps taking changes and says why
// their lines are missing.
import { afterAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { AUDIT_UNAVAILABLE_MESSAGE, MoError, type AuditRecord } from '@mo/api';
import {
  canMountTmpfs,
  mountTmpfs,
  requireTool,
  startSchedulerProcess,
  waitFor,
  type SchedulerProcess,
  type Tmpfs,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const cleanup: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

async function scheduler(args: string[]): Promise<SchedulerProcess> {
  const s = await startSchedulerProcess({ extraArgs: args });
  cleanup.push(() => s.kill('SIGTERM'));
  return s;
}

describe('--audit-strict on a full disk', () => {
  it('refuses a change whose line cannot be written, makes none of it, and recovers with room', async () => {
    if (!requireTool(canMountTmpfs(), 'root (to mount a tmpfs)')) return;
    const disk: Tmpfs = mountTmpfs('mo-audit-strict', 256 * 1024);
    cleanup.push(() => disk.unmount());
    const path = join(disk.dir, 'strict.jsonl');
    const strict = await scheduler(['--audit-log', path, '--audit-strict']);
    const submit = (key: string) =>
      strict.client.submitWorkload({ spec: { argv: ['sleep', '1'] }, idempotencyKey: key });

    const first = await submit('k-0');
    expect(first.existing).toBe(false);
    // Each change: a "received" line first (before anything is done), then its outcome.
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(lines).toEqual([
      expect.objectContaining({ method: '/mo.v1.Scheduler/SubmitWorkload', stage: 'received', targets: {} }),
      expect.objectContaining({ code: 'OK', targets: { workload: first.workload!.id } }),
    ]);

    disk.fill();
    // The file's last page may still take a few lines; then a submit is refused.
    let accepted = 1;
    let refusal: unknown;
    for (let i = 1; i < 50 && refusal === undefined; i++) {
      try {
        await submit(`k-${i}`);
        accepted++;
      } catch (err) {
        refusal = err;
      }
    }
    expect(refusal).toBeInstanceOf(MoError);
    expect((refusal as MoError).code).toBe(grpc.status.UNAVAILABLE);
    expect((refusal as MoError).message).toContain(AUDIT_UNAVAILABLE_MESSAGE);
    const refusedKey = `k-${accepted}`;
    for (let i = 0; i < 3; i++) {
      await expect(submit(`k-more-${i}`)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    }
    // Nothing of the refused ones was made; reads go on.
    expect((await strict.client.listAllWorkloads()).workloads).toHaveLength(accepted);

    disk.unfill();
    const again = await submit(refusedKey);
    expect(again.existing).toBe(false); // its key was never used: the refused submit stored nothing
    expect((await strict.client.listAllWorkloads()).workloads).toHaveLength(accepted + 1);
    expect(readFileSync(path, 'utf8')).toContain(`"workload":"${again.workload!.id}"`);
    expect(strict.logs()).toContain('"msg":"audit log: lines cannot be written"');
    expect(strict.logs()).toContain('"msg":"audit log: lines are written again"');

    // Without --audit-strict: changes go on while the disk is full, and the daemon says why.
    const lenient = await scheduler(['--audit-log', join(disk.dir, 'lenient.jsonl')]);
    disk.fill();
    for (let i = 0; i < 50; i++) await lenient.client.submitWorkload({ spec: { argv: ['sleep', '1'] } });
    await waitFor('the warning', () => lenient.logs().includes('"msg":"audit log: lines cannot be written"'));
    expect((await lenient.client.listAllWorkloads()).workloads).toHaveLength(50);
    disk.unfill();
  });
});
