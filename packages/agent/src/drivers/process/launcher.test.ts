import { describe, expect, it } from '@jest/globals';
import { newStringMap } from '@mo/api';
import { encodeFrame, type LaunchRequest } from './launcher.js';

/** The frame as the protocol defines it (launcher.ts, native/mo-shim/launcher.c), built the obvious way. */
function reference(id: string, req: LaunchRequest): Buffer {
  const env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
  const fields = [
    id,
    req.taskDir,
    String(req.logMaxBytes),
    req.workingDir,
    String(req.memoryBytes ?? 0),
    String(req.cpuMillis ?? 0),
    String(req.pidsLimit ?? 0),
    req.user ? [req.user.uid, req.user.gid, req.user.groups.join(',')].join(':') : '',
    String(env.length),
    ...env,
    String(req.argv.length),
    ...req.argv,
  ];
  const payload = Buffer.from(fields.join('\0') + '\0');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(payload.length, 0);
  return Buffer.concat([length, payload]);
}

describe('encodeFrame', () => {
  it('writes the same bytes as the protocol: ASCII, UTF-8, empty strings, a __proto__ variable', () => {
    const req: LaunchRequest = {
      taskDir: '/data/workloads/01ABC',
      logMaxBytes: 10 * 1024 * 1024,
      workingDir: '/tmp/wörk dir',
      memoryBytes: 64 * 1024 * 1024,
      cpuMillis: 250,
      user: { uid: 65534, gid: 65534, groups: [65534, 27] },
      env: newStringMap([
        ['PATH', '/usr/bin:/bin'],
        ['EMPTY', ''],
        ['__proto__', 'x'],
        ['GREETING', 'héllo, 世界 🙂'],
      ]),
      argv: ['sh', '-c', 'echo "$GREETING"', '', 'ünïcode'],
    };
    expect(encodeFrame('7', req)).toEqual(reference('7', req));
  });

  it('writes a maximum-size request (long values, no env, pids limit) the same way', () => {
    const long = 'a'.repeat(2000);
    const req: LaunchRequest = {
      taskDir: '/d',
      logMaxBytes: 0,
      workingDir: '/',
      pidsLimit: 100,
      env: newStringMap(Array.from({ length: 60 }, (_, i): [string, string] => [`V${i}`, long])),
      argv: ['true', ...Array.from({ length: 60 }, () => long)],
    };
    // Buffer.equals: jest's deep equality walks ~250 KiB byte by byte.
    expect(encodeFrame('12345', req).equals(reference('12345', req))).toBe(true);
    const noEnv = { ...req, env: newStringMap([]) };
    expect(encodeFrame('1', noEnv).equals(reference('1', noEnv))).toBe(true);
  });
});
