import { describe, expect, it } from '@jest/globals';
import type {
  Deployment__Output,
  Job__Output,
  JobHistoryResponse__Output,
  JobInstance__Output,
  JobPlan__Output,
  RunJobResponse__Output,
  Service__Output,
} from '@mo/api';
import {
  addressText,
  deploymentText,
  jobEventText,
  renderChanges,
  renderHistory,
  renderJob,
  renderJobList,
  renderPlan,
  renderRunResult,
  renderService,
} from './job.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);

function deployment(over: Partial<Deployment__Output> = {}): Deployment__Output {
  return {
    version: 2,
    state: 'running',
    desired: 3,
    placed: 2,
    healthy: 1,
    unhealthy: 0,
    succeeded: 0,
    startedAtMs: NOW - 60_000,
    endedAtMs: 0,
    reason: '',
    ...over,
  };
}

function instance(over: Partial<JobInstance__Output> = {}): JobInstance__Output {
  return {
    workloadId: '01JW0',
    version: 2,
    index: 0,
    attempt: 1,
    state: 'WORKLOAD_STATE_RUNNING',
    reason: '',
    health: 'HEALTH_HEALTHY',
    nodeId: 'n-1',
    nodeName: 'dev-0',
    host: '127.0.0.1',
    ports: [{ name: 'http', hostPort: 31000, containerPort: 0, hostIp: '0.0.0.0' }],
    startedAtMs: NOW - 30_000,
    ...over,
  };
}

function job(over: Partial<Job__Output> = {}): Job__Output {
  return {
    name: 'web',
    type: 'service',
    version: 2,
    count: 3,
    stopped: false,
    spec: '{}',
    deployment: deployment(),
    lastGoodVersion: 1,
    instances: [],
    running: 2,
    healthy: 1,
    pending: 1,
    createdAtMs: NOW - 3_600_000,
    updatedAtMs: NOW - 60_000,
    ...over,
  };
}

const change = (path: string, from: string, to: string) => ({ path, from, to });

describe('renderRunResult', () => {
  const res = (
    kind: string,
    changed: boolean,
    over: Partial<Job__Output> = {},
    changes = [change('count', '3', '5')],
  ) => ({ kind, changed, changes, job: job(over) }) as RunJobResponse__Output;

  it.each([
    [
      'create',
      res('create', true, { version: 1, deployment: deployment({ version: 1, placed: 0, healthy: 0 }) }, []),
      'job web: created version 1 (service, count 3)\n' +
        'deployment version 1 running: 3 desired, 0 placed, 0 healthy, 0 unhealthy\n',
    ],
    ['none', res('none', false), 'job web: unchanged (version 2)\n'],
    [
      'update',
      res('update', true, {}, [change('task.env.DEBUG', '', '"1"'), change('checks[ready].intervalMs', '10000', '')]),
      'job web: new version 2\n' +
        '  task.env.DEBUG: (none) → "1"\n' +
        '  checks[ready].intervalMs: 10000 → (none)\n' +
        'deployment version 2 running: 3 desired, 2 placed, 1 healthy, 0 unhealthy\n',
    ],
    [
      "update (the reply still holding the previous version's deployment)",
      res('update', true, { version: 3 }, [change('count', '3', '4')]),
      'job web: new version 3\n  count: 3 → 4\n',
    ],
    [
      'scale',
      res('scale', true, { count: 5 }),
      'job web: scaled to 5 (version 2)\n  count: 3 → 5\n' +
        'deployment version 2 running: 3 desired, 2 placed, 1 healthy, 0 unhealthy\n',
    ],
  ])('says what %s did', (_kind, r, text) => {
    expect(renderRunResult(r)).toBe(text);
  });
});

describe('deploymentText', () => {
  it('adds the reason, and the done count of a batch job', () => {
    expect(deploymentText(deployment({ state: 'failed', reason: 'instance 1 unhealthy for 5m' }))).toBe(
      'version 2 failed: 3 desired, 2 placed, 1 healthy, 0 unhealthy (instance 1 unhealthy for 5m)',
    );
    expect(deploymentText(deployment({ succeeded: 2 }), 'batch')).toMatch(/, 2 succeeded$/);
  });
});

describe('addressText', () => {
  const p = (name: string, hostPort: number) => ({ name, hostPort, containerPort: 0, hostIp: '0.0.0.0' });
  it.each([
    ['no named port: the host', [], '10.0.0.2'],
    ['one: host:port', [p('http', 31000)], '10.0.0.2:31000'],
    ['several: by name', [p('http', 31000), p('admin', 31001)], 'http=10.0.0.2:31000, admin=10.0.0.2:31001'],
    ['a docker port without a name is not an address', [p('', 32768)], '10.0.0.2'],
  ])('%s', (_what, ports, text) => {
    expect(addressText('10.0.0.2', ports)).toBe(text);
  });
});

describe('renderJob', () => {
  it('shows the job, its deployment and one row per instance by index', () => {
    const out = renderJob(
      job({
        instances: [
          instance({ index: 1, workloadId: '01JW1', health: 'HEALTH_STARTING', nodeName: 'dev-1', host: '10.0.0.3' }),
          instance({ reason: 'running on dev-0 (pid 42)' }),
          instance({
            version: 1,
            workloadId: '01JV0',
            state: 'WORKLOAD_STATE_STOPPED',
            reason: 'stopped by request',
          }),
          instance({
            index: 2,
            workloadId: '01JW2',
            state: 'WORKLOAD_STATE_PENDING',
            health: 'HEALTH_UNSPECIFIED',
            nodeName: '',
            host: '',
            ports: [],
            reason: '3 nodes: 3 lacked memory',
          }),
        ],
      }),
      NOW,
    );
    expect(out).toContain('version     2 (last good: 1)\n');
    expect(out).toContain('state       deploying\n');
    expect(out).toContain('instances   2 running, 1 healthy, 1 pending\n');
    expect(out).toContain('deployment  version 2 running: 3 desired, 2 placed, 1 healthy, 0 unhealthy\n');
    expect(out.slice(out.indexOf('INSTANCES')).split('\n')).toEqual([
      'INSTANCES',
      'INDEX  WORKLOAD  VERSION  STATE    HEALTH    NODE   ADDRESS          REASON',
      '    0  01JV0           1  stopped  -         dev-0  -                stopped by request',
      '    0  01JW0           2  running  healthy   dev-0  127.0.0.1:31000',
      '    1  01JW1           2  running  starting  dev-1  10.0.0.3:31000',
      '    2  01JW2           2  pending  -         -      -                3 nodes: 3 lacked memory',
      '',
    ]);
  });

  it('says a stopped job is stopped, and a job without instances has none', () => {
    const out = renderJob(job({ stopped: true }), NOW);
    expect(out).toContain('state       stopped (mo run -f starts it again)\n');
    expect(out).toMatch(/INSTANCES\nno instances\n$/);
  });
});

describe('renderJobList', () => {
  it('lists jobs with counts and state', () => {
    const out = renderJobList(
      [
        job(),
        job({ name: 'etl', type: 'batch', version: 1, count: 50, deployment: deployment({ state: 'succeeded' }) }),
      ],
      NOW,
    );
    expect(out.split('\n')).toEqual([
      'NAME  TYPE     VERSION  COUNT  RUNNING  HEALTHY  STATE       UPDATED',
      'web   service        2      3        2        1  deploying  1m0s ago',
      'etl   batch          1     50        2        1  complete   1m0s ago',
      '',
    ]);
  });

  it('says how to make one when there is none', () => {
    expect(renderJobList([], NOW)).toBe('no jobs (mo run -f FILE makes one)\n');
  });
});

describe('renderHistory', () => {
  it('lists versions newest first with their changes, then the deployments', () => {
    const h: JobHistoryResponse__Output = {
      versions: [
        {
          version: 2,
          hash: 'abcdef0123456789',
          submittedAtMs: NOW - 60_000,
          spec: '{}',
          changes: [change('count', '1', '3')],
        },
        { version: 1, hash: '0123456789abcdef', submittedAtMs: NOW - 120_000, spec: '{}', changes: [] },
      ],
      deployments: [
        deployment({ state: 'succeeded', healthy: 3, placed: 3, endedAtMs: NOW - 30_000 }),
        deployment({
          version: 1,
          state: 'succeeded',
          desired: 1,
          placed: 1,
          healthy: 1,
          startedAtMs: NOW - 120_000,
          endedAtMs: NOW - 100_000,
        }),
      ],
    };
    const out = renderHistory('web', h, NOW);
    expect(out.split('\n')).toEqual([
      'VERSIONS of web, newest first',
      'version 2  2026-12-02T11:59:00.000Z (1m0s ago)  abcdef012345',
      '  count: 1 → 3',
      'version 1  2026-12-02T11:58:00.000Z (2m0s ago)  0123456789ab',
      '  (created)',
      '',
      'DEPLOYMENTS',
      'VERSION  STATE      DESIRED  PLACED  HEALTHY  UNHEALTHY  STARTED                   TOOK  REASON',
      '      2  succeeded        3       3        3          0  2026-12-02T11:59:00.000Z   30s',
      '      1  succeeded        1       1        1          0  2026-12-02T11:58:00.000Z   20s',
      '',
    ]);
  });
});

describe('renderPlan', () => {
  const plan = (over: Partial<JobPlan__Output>): JobPlan__Output => ({
    kind: 'update',
    changes: [],
    version: 3,
    starts: 0,
    stops: 0,
    placements: [],
    ...over,
  });

  it('shows the changes, what starts and stops, and where new instances go or why they cannot', () => {
    const out = renderPlan(
      plan({
        changes: [change('task.image', '"app:1"', '"app:2"')],
        starts: 2,
        stops: 1,
        placements: [
          { index: 1, nodeId: '', nodeName: '', reason: '3 nodes: 3 lacked memory' },
          { index: 0, nodeId: 'n-1', nodeName: 'dev-0', reason: '' },
        ],
      }),
    );
    expect(out.split('\n')).toEqual([
      'plan: update to version 3',
      'changes:',
      '  task.image: "app:1" → "app:2"',
      'starts 2, stops 1 now',
      'placements (1 cannot be placed now):',
      'INDEX  NODE',
      '    0  dev-0',
      '    1  (not placed: 3 nodes: 3 lacked memory)',
      '',
    ]);
  });

  it('says when there is nothing to do', () => {
    expect(renderPlan(plan({ kind: 'none', version: 2 }))).toBe('plan: nothing to do: the file is version 2 already\n');
  });
});

describe('renderService', () => {
  const svc: Service__Output = {
    name: 'web',
    instances: [
      {
        workloadId: '01JW1',
        version: 2,
        index: 1,
        health: 'HEALTH_HEALTHY',
        state: 'WORKLOAD_STATE_RUNNING',
        nodeName: 'dev-1',
        host: '10.0.0.3',
        ports: [{ name: 'http', hostPort: 31002, containerPort: 8080, hostIp: '0.0.0.0' }],
        address: '10.0.0.3:31002',
      },
      {
        workloadId: '01JW0',
        version: 2,
        index: 0,
        health: 'HEALTH_HEALTHY',
        state: 'WORKLOAD_STATE_RUNNING',
        nodeName: 'dev-0',
        host: '10.0.0.2',
        ports: [
          { name: 'http', hostPort: 31000, containerPort: 8080, hostIp: '0.0.0.0' },
          { name: 'admin', hostPort: 31001, containerPort: 9000, hostIp: '0.0.0.0' },
        ],
        address: '10.0.0.2:31000',
      },
    ],
  };

  it('lists instances by index with address, health, version and node', () => {
    expect(renderService(svc, false).split('\n')).toEqual([
      'INDEX  ADDRESS         HEALTH   STATE    VERSION  NODE   PORTS                   WORKLOAD',
      '    0  10.0.0.2:31000  healthy  running        2  dev-0  http=31000,admin=31001  01JW0',
      '    1  10.0.0.3:31002  healthy  running        2  dev-1  http=31002              01JW1',
      '',
    ]);
  });

  it('says when no instance is healthy, and how to see the others', () => {
    expect(renderService({ name: 'web', instances: [] }, false)).toBe(
      'service web: no healthy instances (--all: every instance)\n',
    );
  });
});

describe('jobEventText', () => {
  it.each([
    [{ name: 'web', what: 'version', job: job({ version: 3 }) }, 'job web version 3'],
    [
      { name: 'web', what: 'deployment', job: job() },
      'job web deployment version 2 running: 3 desired, 2 placed, 1 healthy, 0 unhealthy',
    ],
    [
      { name: 'web', what: 'instances', service: { name: 'web', instances: [{ address: '10.0.0.2:31000' }] } },
      'job web healthy instances: 10.0.0.2:31000',
    ],
    [{ name: 'web', what: 'stopped' }, 'job web stopped'],
  ])('words a job event %#', (e, text) => {
    expect(jobEventText(e as Parameters<typeof jobEventText>[0])).toBe(text);
  });
});

describe('renderChanges', () => {
  it('cuts long values', () => {
    expect(renderChanges([change('task.command', '', JSON.stringify(['x'.repeat(100)]))])).toMatch(/…\n$/);
  });
});
