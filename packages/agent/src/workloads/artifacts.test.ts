import { afterAll, describe, expect, it } from '@jest/globals';
import { FailedPreconditionError } from '@mo/api';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SchedulerArtifacts } from './artifacts.js';

const dir = mkdtempSync(join(tmpdir(), `mo-artifacts-${process.pid}-`));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('artifact uploads', () => {
  it("refuses a file that is not the workload user's before sending anything", async () => {
    mkdirSync(join(dir, 'dist'));
    writeFileSync(join(dir, 'dist', 'app'), 'x');
    const mine = process.getuid?.() ?? 0;
    // No scheduler at this address: the refusal must come before any call.
    const transfer = new SchedulerArtifacts('127.0.0.1:1', { insecure: true });
    const a = { pipelineId: 'p', stepId: 's', upload: ['dist/app'], inputs: [], maxBytes: 1024 };
    const err = await transfer.upload(a, dir, mine + 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FailedPreconditionError);
    expect((err as Error).message).toBe(
      `artifact dist/app belongs to uid ${mine}, not to the workload's user (uid ${mine + 1})`,
    );
    transfer.close();
  });
});
