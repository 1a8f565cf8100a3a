import { describe, expect, it } from '@jest/globals';
import type { ScheduledWorkload__Output } from '@mo/api';
import { renderPsTable, shortIdLength } from './ps.js';

describe('shortIdLength', () => {
  it.each([
    [['01JABCDEFGHJKMNPQRSTVWXYZ0', '01JABCDEFGHXXXXXXXXXXXXXX0'], 12],
    [['01JABCDEFGAB000000000000000', '01JABCDEFGAB100000000000000', '01JABCDEFGAB200000000000000'], 13],
    [['01JABCDEFGABCDE00000000000', '01JABCDEFGABCDE10000000000'], 16],
    [[], 12],
  ])('%j: %i characters', (ids, len) => {
    expect(shortIdLength(ids)).toBe(len);
  });
});

describe('renderPsTable', () => {
  const base = { nodeName: '', exit: null, reason: '', createdAtMs: 1_000 } as const;
  const w = (over: object) => ({ ...base, ...over }) as unknown as ScheduledWorkload__Output;

  it('shows short ids, the exit of an ended one, the image of a docker one, the reason of a pending one', () => {
    const out = renderPsTable(
      [
        w({
          id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
          state: 'WORKLOAD_STATE_RUNNING',
          nodeName: 'n1',
          spec: { name: 'web', argv: ['sleep', '9'] },
        }),
        w({
          id: '01JABCDEFGHXXXXXXXXXXXXXX0',
          state: 'WORKLOAD_STATE_FAILED',
          nodeName: 'n2',
          exit: { exited: true, exitCode: 3, signal: '' },
          spec: { name: '', argv: ['sh', '-c', 'exit 3'], docker: { image: 'busybox' } },
        }),
        w({
          id: '01JABCDEFGHYYYYYYYYYYYYYY0',
          state: 'WORKLOAD_STATE_PENDING',
          reason: 'no nodes',
          spec: { argv: ['x'] },
        }),
      ],
      61_000,
    );
    expect(out.split('\n')).toEqual([
      'ID            NAME  STATE            NODE   AGE  COMMAND',
      '01JABCDEFGHJ  web   running          n1    1m0s  sleep 9',
      "01JABCDEFGHX  -     failed (exit 3)  n2    1m0s  [busybox] sh -c 'exit 3'",
      '01JABCDEFGHY  -     pending          -     1m0s  (no nodes)',
      '',
    ]);
  });
});

describe('renderPsTable: health and named ports', () => {
  const w = (over: object) =>
    ({
      nodeName: 'n1',
      exit: null,
      reason: '',
      createdAtMs: 1_000,
      spec: { argv: ['srv'] },
      ...over,
    }) as unknown as ScheduledWorkload__Output;

  it('adds HEALTH and PORTS columns only when a listed workload has checks or named ports', () => {
    const out = renderPsTable(
      [
        w({
          id: '01JABCDEFGHJKMNPQRSTVWXYZ0',
          state: 'WORKLOAD_STATE_RUNNING',
          health: 'HEALTH_HEALTHY',
          ports: [
            { name: 'http', hostPort: 31000, containerPort: 0, hostIp: '' },
            { name: 'admin', hostPort: 31001, containerPort: 0, hostIp: '' },
          ],
        }),
        w({ id: '01JABCDEFGHXXXXXXXXXXXXXX0', state: 'WORKLOAD_STATE_RUNNING', health: 'HEALTH_UNSPECIFIED' }),
      ],
      61_000,
    );
    expect(out.split('\n')).toEqual([
      'ID            NAME  STATE    HEALTH   NODE   AGE  PORTS                   COMMAND',
      '01JABCDEFGHJ  -     running  healthy  n1    1m0s  http=31000,admin=31001  srv',
      '01JABCDEFGHX  -     running  -        n1    1m0s  -                       srv',
      '',
    ]);
    expect(
      renderPsTable([w({ id: '01JABCDEFGHXXXXXXXXXXXXXX0', state: 'WORKLOAD_STATE_RUNNING' })], 61_000),
    ).not.toMatch(/HEALTH|PORTS/);
  });
});
