// `mo pipeline …` (the built executable) against a real scheduler and one agent: run --wait with
// plain progress lines and the result as exit code, status, list, approve, logs, cancel.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, startCluster, waitFor, type Cluster, type MoResult } from '@mo/testkit';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cluster: Cluster;
const dir = mkdtempSync(join(tmpdir(), 'mo-cli-pipeline-'));
const EXAMPLES = fileURLToPath(new URL('../../../deploy/examples/', import.meta.url));

function mo(...args: string[]): Promise<MoResult> {
  return runMo(args, { env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress, USER: 'carol' } });
}

function specFile(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

beforeAll(async () => {
  cluster = await startCluster({ agents: 1 });
});

afterAll(async () => {
  await cluster.stop();
});

describe('mo pipeline', () => {
  it('runs the diamond example with --wait: plain event lines, the step table, exit 0', async () => {
    const r = await mo('pipeline', 'run', join(EXAMPLES, 'diamond.yaml'), '--wait');
    expect(r.stderr).toMatch(/step generate: running/);
    expect(r.stderr).toMatch(/pipeline diamond: succeeded/);
    expect(r.stdout).toMatch(/state\s+succeeded/);
    expect(r.stdout).toMatch(/package\s+succeeded/);
    expect(r.code).toBe(0);
    const list = await mo('pipeline', 'list', '--name', 'diamond');
    expect(list.stdout).toMatch(/diamond\s+succeeded\s+4\/4/);
  });

  it('exits 4 when the pipeline fails, and prints why', async () => {
    const f = specFile('fail.yaml', 'name: fails\nsteps:\n  - {id: boom, command: [sh, -c, "echo out; exit 5"]}\n');
    const r = await mo('pipeline', 'run', f, '--wait');
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/mo: pipeline \S+ failed: step boom failed: exited with code 5/);
    const id = /^id\s+(\S+)$/m.exec(r.stdout)![1]!;
    const logs = await mo('pipeline', 'logs', id, 'boom');
    expect(logs.stdout).toBe('out\n');
  });

  it('names the field of an invalid spec (refused: exit 1)', async () => {
    const f = specFile('bad.yaml', 'name: bad\nsteps:\n  - {id: a, needs: [nope], command: [x]}\n');
    const r = await mo('pipeline', 'run', f);
    expect(r.stderr).toMatch(/steps\[0\]\.needs\[0\]: unknown step "nope"/);
    expect(r.code).toBe(1);
  });

  it('approves a gated step (who = the caller token, not $USER), and cancels a running pipeline', async () => {
    const admin = readFileSync(join(cluster.scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
    const made = await runMo(['token', 'create', '--name', 'releaser', '--role', 'operate'], {
      env: { MO_SCHEDULER_ADDR: cluster.scheduler.grpcAddress, MO_TOKEN: admin },
    });
    const releaser = made.stdout.trim();
    const run = await mo('--json', 'pipeline', 'run', join(EXAMPLES, 'deploy-with-approval.yaml'));
    const id = (JSON.parse(run.stdout) as { pipeline: { id: string } }).pipeline.id;
    await waitFor(
      'the pipeline to await approval',
      async () => (await mo('pipeline', 'status', id)).stdout.includes('awaiting_approval'),
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const ok = await mo('--token', releaser, 'pipeline', 'approve', id, 'release', '--reason', 'ship it');
    expect(ok.stdout).toMatch(/step release approved/);
    const watched = await mo('pipeline', 'watch', id);
    expect(watched.stdout).toMatch(/step release: approved \(approved by token:releaser: ship it\)/);
    expect(watched.stdout).toMatch(/pipeline deploy: succeeded/);

    const f = specFile('long.yaml', 'name: long\nsteps:\n  - {id: sleep, command: [sleep, "600"]}\n');
    const long = await mo('--json', 'pipeline', 'run', f);
    const lid = (JSON.parse(long.stdout) as { pipeline: { id: string } }).pipeline.id;
    const cancel = await mo('pipeline', 'cancel', lid, '--reason', 'enough');
    expect(cancel.code).toBe(0);
    const st = await mo('pipeline', 'watch', lid);
    expect(st.stdout).toMatch(/pipeline long: cancelled \(cancelled: enough\)/);
  });
});
