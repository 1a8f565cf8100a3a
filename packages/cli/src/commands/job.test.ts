import { describe, expect, it } from '@jest/globals';
import type { ClusterEvent__Output, Deployment__Output, Job__Output, ListJobsRequest } from '@mo/api';
import { ExitCode, WaitFailedError } from '../errors.js';
import { listAllJobs, parseJobWait, parseScaleCount, parseVersion, readJobFile } from './job.js';
import { DEFAULT_JOB_WAIT_MS, judgeJob, progressLine, waitForJob } from './job-wait.js';

function deployment(over: Partial<Deployment__Output> = {}): Deployment__Output {
  return {
    version: 2,
    state: 'running',
    desired: 3,
    placed: 3,
    healthy: 1,
    unhealthy: 0,
    succeeded: 0,
    startedAtMs: 1,
    endedAtMs: 0,
    reason: '',
    ...over,
  };
}

function job(over: Partial<Job__Output> = {}, d: Partial<Deployment__Output> | null = {}): Job__Output {
  return {
    name: 'web',
    type: 'service',
    version: 2,
    count: 3,
    stopped: false,
    spec: '{}',
    deployment: d === null ? null : deployment(d),
    lastGoodVersion: 1,
    instances: [],
    running: 3,
    healthy: 1,
    pending: 0,
    createdAtMs: 1,
    updatedAtMs: 1,
    ...over,
  };
}

describe('readJobFile', () => {
  const reads = (text: string) => () => text;
  it('reads the file, or stdin for -', () => {
    const seen: (string | 0)[] = [];
    const read = (f: string | 0) => {
      seen.push(f);
      return 'name: web\n';
    };
    expect(readJobFile('job.yaml', read)).toBe('name: web\n');
    expect(readJobFile('-', read)).toBe('name: web\n');
    expect(seen).toEqual(['job.yaml', 0]);
  });

  it.each([
    [undefined, reads('x'), '-f: needs a job file'],
    ['job.yaml', reads('  \n'), '-f: job.yaml is empty'],
    ['-', reads(''), '-f: stdin is empty'],
    ['big.yaml', reads('x'.repeat(256 * 1024 + 1)), '-f: big.yaml is larger than 256 KiB'],
    [
      'nope.yaml',
      () => {
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      },
      '-f: cannot read nope.yaml: ENOENT',
    ],
  ])('refuses %s with a message naming -f', (file, read, message) => {
    expect(() => readJobFile(file, read)).toThrow(message);
  });
});

describe('argument parsing', () => {
  it.each([
    ['3', 3],
    ['v2', 2],
  ])('VERSION %s is %i', (v, n) => expect(parseVersion(v)).toBe(n));

  it.each([
    ['0', 'VERSION: must be at least 1'],
    ['two', 'VERSION: expected a whole number'],
  ])('VERSION %s is refused', (v, message) => expect(() => parseVersion(v)).toThrow(message));

  it('N is 0..10000', () => {
    expect(parseScaleCount('0')).toBe(0);
    expect(parseScaleCount('10000')).toBe(10_000);
    expect(() => parseScaleCount('10001')).toThrow('N: must be at most 10000');
    expect(() => parseScaleCount('-1')).toThrow('N: expected a whole number');
  });

  it.each([
    [{}, undefined],
    [{ wait: true }, { timeoutMs: DEFAULT_JOB_WAIT_MS }],
    [{ wait: true, waitTimeout: '90s' }, { timeoutMs: 90_000 }],
  ])('--wait flags %j', (flags, wait) => expect(parseJobWait(flags)).toEqual(wait));

  it.each([
    [{ waitTimeout: '1m' }, '--wait-timeout: needs --wait'],
    [{ wait: true, waitTimeout: '30' }, '--wait-timeout: "30" has no unit'],
    [{ wait: true, waitTimeout: '0s' }, '--wait-timeout: must be greater than 0'],
  ])('refuses %j', (flags, message) => expect(() => parseJobWait(flags)).toThrow(message));
});

describe('listAllJobs', () => {
  it('follows the pages', async () => {
    const asked: ListJobsRequest[] = [];
    const pages: Record<string, { jobs: Job__Output[]; nextPageToken: string }> = {
      '': { jobs: [job({ name: 'a' })], nextPageToken: 't1' },
      t1: { jobs: [job({ name: 'b' })], nextPageToken: '' },
    };
    const res = await listAllJobs({
      list: async (req: ListJobsRequest = {}) => {
        asked.push(req);
        return pages[req.pageToken ?? '']!;
      },
    });
    expect(res.jobs.map((j) => j.name)).toEqual(['a', 'b']);
    expect(asked.map((r) => r.pageToken)).toEqual(['', 't1']);
  });
});

describe('judgeJob: has the deployment of version 2 ended?', () => {
  it.each([
    ['running', job(), undefined],
    ['no deployment yet', job({}, null), undefined],
    ['succeeded with every instance healthy', job({ healthy: 3 }, { state: 'succeeded' }), { verdict: 'ok' }],
    // A scale keeps its version's record (already succeeded) while the new instances start.
    ['succeeded but not yet count healthy (a scale)', job({ healthy: 2 }, { state: 'succeeded' }), undefined],
    ['an older deployment still recorded', job({}, { version: 1, state: 'succeeded' }), undefined],
    [
      'failed',
      job({}, { state: 'failed', reason: 'instance 0 not healthy within 5m' }),
      { verdict: 'failed', reason: 'deployment of version 2 failed: instance 0 not healthy within 5m' },
    ],
    ['cancelled', job({}, { state: 'cancelled' }), { verdict: 'failed', reason: 'deployment of version 2 cancelled' }],
    [
      'auto-reverted to version 1',
      job({ version: 1 }, { version: 1, reason: 'auto_revert: version 2 failed' }),
      { verdict: 'failed', reason: 'job web is at version 1 now, not 2: auto_revert: version 2 failed' },
    ],
    ['stopped', job({ stopped: true }), { verdict: 'failed', reason: 'job web was stopped' }],
    [
      'a batch job with every instance done',
      job({ type: 'batch', healthy: 0 }, { state: 'succeeded', succeeded: 3 }),
      { verdict: 'ok' },
    ],
    ['a batch job not all done', job({ type: 'batch' }, { state: 'succeeded', succeeded: 2 }), undefined],
  ])('%s', (_what, j, verdict) => {
    expect(judgeJob(j, 2)).toEqual(verdict);
  });
});

describe('waitForJob', () => {
  /** GetJob answers these in turn (the last again and again); each answer is also an event. */
  function client(answers: Job__Output[]) {
    let i = 0;
    const watched: string[] = [];
    return {
      watched,
      asked: () => i,
      get: async () => answers[Math.min(i++, answers.length - 1)]!,
      async *watch(req: { job: string }, signal?: AbortSignal): AsyncGenerator<ClusterEvent__Output> {
        watched.push(req.job);
        for (let n = 0; n < answers.length && !signal?.aborted; n++) {
          yield { seq: n, atMs: 0, event: 'job', snapshot: false, caughtUp: false } as ClusterEvent__Output;
        }
        await new Promise<void>((resolve) => signal?.addEventListener('abort', () => resolve(), { once: true }));
      },
    };
  }

  it('asks again at each event, shows progress as it changes, and returns the job once it succeeded', async () => {
    const c = client([job(), job(), job({ healthy: 3 }, { state: 'succeeded', healthy: 3 })]);
    const seen: string[] = [];
    const done = await waitForJob(c, 'web', 2, 60_000, (j) => seen.push(progressLine(j)));
    expect(done.deployment?.state).toBe('succeeded');
    expect(c.watched).toEqual(['web']);
    expect(seen).toEqual([
      'waiting: job web deployment version 2 running: 3 desired, 3 placed, 1 healthy, 0 unhealthy; 3 running, 1 healthy, 0 pending\n',
      'waiting: job web deployment version 2 succeeded: 3 desired, 3 placed, 3 healthy, 0 unhealthy; 3 running, 3 healthy, 0 pending\n',
    ]);
  });

  it('fails with exit code 4 and the reason when the deployment failed', async () => {
    const c = client([job(), job({}, { state: 'failed', reason: 'check ready: HTTP 503' })]);
    const wait = waitForJob(c, 'web', 2, 60_000);
    await expect(wait).rejects.toThrow(WaitFailedError);
    await expect(wait).rejects.toMatchObject({
      exitCode: ExitCode.WorkloadFailed,
      message: 'deployment of version 2 failed: check ready: HTTP 503',
    });
  });

  it('opens no watch when the first answer decides (a stream left unread would fail as the client closes)', async () => {
    const c = client([job({ healthy: 3 }, { state: 'succeeded' })]);
    await waitForJob(c, 'web', 2, 60_000);
    expect(c.watched).toEqual([]);
  });

  it('gives up at the timeout with exit code 5 and the deployment as last seen', async () => {
    const wait = waitForJob(client([job()]), 'web', 2, 50);
    await expect(wait).rejects.toMatchObject({
      exitCode: ExitCode.WaitTimeout,
      message:
        'gave up waiting for job web version 2 after 50 ms; job web deployment version 2 running: ' +
        '3 desired, 3 placed, 1 healthy, 0 unhealthy; 3 running, 1 healthy, 0 pending',
    });
  });

  it('keeps asking when the watch is refused (an older scheduler)', async () => {
    let i = 0;
    const answers = [job(), job({ healthy: 3 }, { state: 'succeeded' })];
    const c = {
      get: async () => answers[Math.min(i++, 1)]!,
      // eslint-disable-next-line require-yield
      async *watch(): AsyncGenerator<ClusterEvent__Output> {
        throw new Error('an older scheduler has no job events');
      },
    };
    const done = await waitForJob(c, 'web', 2, 10_000);
    expect(done.deployment?.state).toBe('succeeded');
  });
});
