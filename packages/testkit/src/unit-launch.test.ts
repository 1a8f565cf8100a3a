// unitLaunchScript: the script follows the unit's lines, and refuses what it cannot follow.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unitLaunchScript } from './unit-launch.js';

const unit = (service: string) =>
  `[Unit]\nDescription=x\n[Service]\n${service}\n[Install]\nWantedBy=multi-user.target\n`;

describe('unitLaunchScript', () => {
  it('sets Environment= first, lets EnvironmentFile= override it, and execs ExecStart=', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mo-unit-launch-'));
    try {
      const envFile = join(dir, 'x.env');
      writeFileSync(envFile, '# a comment\nB=from-file\n');
      const out = join(dir, 'out');
      const text = unit(
        `Environment=A=1 B=unit\nEnvironmentFile=-${envFile}\nEnvironmentFile=-${dir}/missing.env\nExecStart=/bin/sh -c 'echo "$A $B" > ${out}'`,
      );
      const script = unitLaunchScript(text, { unitName: 'x.service' }).replaceAll('/run/credentials', `${dir}/cred`);
      const r = spawnSync('/bin/sh', ['-c', script], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(readFileSync(out, 'utf8')).toBe('1 from-file\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('copies credentials, expands %d, makes state directories, and drops to a uid for DynamicUser=', () => {
    const script = unitLaunchScript(
      unit(
        'DynamicUser=yes\nStateDirectory=mo/s\nLoadCredential=key.pem:/etc/k.pem\nEnvironment=K=%d/key.pem\nExecStart=/usr/bin/d --x',
      ),
      { unitName: 's.service', dynamicUser: '7:8' },
    );
    expect(script.split('\n')).toEqual(
      expect.arrayContaining([
        "cp '/etc/k.pem' '/run/credentials/s.service/key.pem'",
        "mkdir -p '/var/lib/mo/s'",
        "chown -R 7:8 '/var/lib/mo/s'",
        "K='/run/credentials/s.service/key.pem'",
        'exec setpriv --reuid=7 --regid=8 --clear-groups /usr/bin/d --x',
      ]),
    );
  });

  it.each([
    ['no ExecStart=', 'Type=exec', /ExecStart: expected one line, found 0/],
    [
      'a malformed LoadCredential=',
      'LoadCredential=nocolon\nExecStart=/bin/true',
      /LoadCredential: expected NAME:PATH/,
    ],
    ['a quoted Environment=', 'Environment="A=1"\nExecStart=/bin/true', /Environment: expected NAME=value/],
  ])('refuses %s', (_, service, message) => {
    expect(() => unitLaunchScript(unit(service), { unitName: 'x.service' })).toThrow(message);
  });
});
