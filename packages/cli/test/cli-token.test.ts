// `mo token create|list|revoke` and `--token` / MO_TOKEN (the built executable) against a real
// scheduler: the token is printed once, roles hold for the commands people run, a revoked token
// is refused, and no secret ever shows in output it should not.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runMo, startSchedulerProcess, type MoResult, type SchedulerProcess } from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

let scheduler: SchedulerProcess;
let bootstrap: string;

function mo(token: string | undefined, ...args: string[]): Promise<MoResult> {
  return runMo(args, {
    env: { MO_SCHEDULER_ADDR: scheduler.grpcAddress, ...(token !== undefined ? { MO_TOKEN: token } : {}) },
  });
}

beforeAll(async () => {
  scheduler = await startSchedulerProcess();
  bootstrap = readFileSync(join(scheduler.dataDir, 'bootstrap-token'), 'utf8').trim();
});

afterAll(async () => {
  await scheduler?.kill();
});

describe('mo token', () => {
  it('creates a token, printing only its text on stdout, and lists it without the secret', async () => {
    const made = await mo(bootstrap, 'token', 'create', '--name', 'ci', '--role', 'operate', '--ttl', '30d');
    expect(made.code).toBe(0);
    const token = made.stdout.trim();
    expect(made.stdout).toMatch(/^mo_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}\n$/);
    expect(made.stderr).toMatch(
      /^token ci \(operate, id [0-9A-Z]{26}, expires \d{4}-\d\d-\d\dT[\d:]+Z\): shown only now/,
    );

    const list = await mo(bootstrap, 'token', 'list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+ROLE\s+STATE\s+CREATED\s+BY\s+EXPIRES\n/);
    expect(list.stdout).toMatch(/\sci\s+operate\s+active\s+\S+\s+token:bootstrap\s+\d{4}-/);
    expect(list.stdout).toMatch(/\sbootstrap\s+admin\s+active\s+\S+\s+scheduler\s+never\n/);
    const json = await mo(bootstrap, '--json', 'token', 'list');
    expect(JSON.parse(json.stdout)).toMatchObject({ tokens: expect.any(Array), total: 2 });
    for (const out of [list.stdout, json.stdout]) {
      expect(out).not.toContain(token.slice(-43));
      expect(out).not.toContain(bootstrap.slice(-43));
    }

    // The operate token starts and stops workloads; it cannot make tokens.
    const started = await mo(token, '--json', 'start', '--name', 'from-ci', '--', 'sleep', '600');
    expect(started.code).toBe(0);
    const id = (JSON.parse(started.stdout) as { workload: { id: string } }).workload.id;
    expect((await mo(token, 'stop', id)).code).toBe(0);
    const denied = await mo(token, 'token', 'create', '--name', 'more', '--role', 'admin');
    expect(denied.code).toBe(1);
    expect(denied.stderr).toBe('mo: CreateToken needs admin access; token:ci has operate\n');
  });

  it('--json create holds the token once, for scripts', async () => {
    const r = await mo(bootstrap, '--json', 'token', 'create', '--name', 'scripted', '--role', 'read');
    const doc = JSON.parse(r.stdout) as { token: { name: string; access: string; state: string }; secret: string };
    expect(doc.token).toMatchObject({ name: 'scripted', access: 'ACCESS_LEVEL_READ', state: 'active' });
    expect(doc.secret).toMatch(/^mo_/);
  });

  it('refuses a read token the commands that change things, naming the access needed', async () => {
    const reader = (await mo(bootstrap, 'token', 'create', '--name', 'viewer', '--role', 'read')).stdout.trim();
    const start = await mo(reader, 'start', '--', 'true');
    expect(start.code).toBe(1);
    expect(start.stderr).toBe('mo: SubmitWorkload needs operate access; token:viewer has read\n');
    // Reads work, on the fast path (`mo status`, wire client) and with --token over MO_TOKEN.
    expect((await mo('garbage', '--token', reader, 'status')).code).toBe(0);
    expect((await mo(reader, 'nodes')).code).toBe(0);
  });

  it('revokes by name: the token is refused from then on (exit 1, UNAUTHENTICATED)', async () => {
    const t = (await mo(bootstrap, 'token', 'create', '--name', 'leaving', '--role', 'read')).stdout.trim();
    expect((await mo(t, 'status')).code).toBe(0);
    const revoked = await mo(bootstrap, 'token', 'revoke', 'leaving');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/^revoked token leaving \([0-9A-Z]{26}\) at \d{4}-/);
    const after = await mo(t, '--json', 'status');
    expect(after.code).toBe(1);
    expect(JSON.parse(after.stdout)).toEqual({
      error: {
        code: 'UNAUTHENTICATED',
        message: expect.stringMatching(/^bearer token refused: token leaving was revoked/),
      },
    });
    const unknown = await mo(bootstrap, 'token', 'revoke', 'leaving');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^mo: token: no token with the id or name "leaving"/);
  });
});
