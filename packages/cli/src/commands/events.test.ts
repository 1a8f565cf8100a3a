import { describe, expect, it } from '@jest/globals';
import type { ClusterEvent__Output } from '@mo/api';
import { buildEventsRequest, renderEventLine } from './events.js';

describe('mo events', () => {
  it('asks for pipeline events only with --pipelines or --pipeline', () => {
    expect(buildEventsRequest({})).toMatchObject({ includePipelines: false, pipelineId: '', replayRetained: true });
    expect(buildEventsRequest({ pipelines: true, after: '7' })).toMatchObject({ includePipelines: true, afterSeq: 7 });
    expect(buildEventsRequest({ pipeline: 'P1' })).toMatchObject({ includePipelines: true, pipelineId: 'P1' });
    expect(() => buildEventsRequest({ pipeline: 'P1', workload: 'W1' })).toThrow(/--pipeline and --workload/);
  });

  it("words a pipeline's and a step's events", async () => {
    const at = Date.UTC(2026, 11, 2, 10, 0, 0);
    const event = (stepId: string, state: string, reason: string) =>
      ({
        seq: 12,
        atMs: at,
        pipeline: { seq: 3, atMs: at, pipelineId: 'P1', stepId, state, reason, pipeline: { name: 'build' } },
      }) as unknown as ClusterEvent__Output;
    expect(await renderEventLine(event('', 'running', 'running'))).toBe(
      '12 2026-12-02T10:00:00.000Z pipeline build running\n',
    );
    expect(await renderEventLine(event('test', 'failed', 'exit code 1'))).toBe(
      '12 2026-12-02T10:00:00.000Z pipeline build step test failed: exit code 1\n',
    );
  });

  it("words a node's event, with its drain", async () => {
    const at = Date.UTC(2026, 11, 2, 10, 0, 0);
    const node = (drain: unknown) =>
      ({
        seq: 7,
        atMs: at,
        node: { name: 'n1', state: 'NODE_STATE_UP', reason: 'registered', eligible: false, drain },
      }) as unknown as ClusterEvent__Output;
    expect(await renderEventLine(node(null))).toBe('7 2026-12-02T10:00:00.000Z node n1 up: registered\n');
    const draining = {
      state: 'NODE_DRAIN_STATE_DRAINING',
      startedAtMs: at - 1000,
      deadlineMs: at + 60_000,
      force: false,
      drainedAtMs: 0,
      servicesLeft: 1,
      batchLeft: 0,
      workloadsLeft: 2,
    };
    expect(await renderEventLine(node(draining))).toBe(
      '7 2026-12-02T10:00:00.000Z node n1 up: registered (draining, 1 service instance, 2 workloads left, deadline in 1m0s)\n',
    );
    expect(
      await renderEventLine(
        node({ ...draining, state: 'NODE_DRAIN_STATE_DRAINED', drainedAtMs: at, servicesLeft: 0, workloadsLeft: 0 }),
      ),
    ).toBe('7 2026-12-02T10:00:00.000Z node n1 up: registered (drained in 1s, ineligible)\n');
  });

  it("asks for job events with --jobs, and only one job's with --job", () => {
    expect(buildEventsRequest({})).not.toHaveProperty('includeJobs');
    expect(buildEventsRequest({ jobs: true })).toMatchObject({ includeJobs: true });
    expect(buildEventsRequest({ job: 'web' })).toMatchObject({ includeJobs: true, job: 'web' });
    expect(() => buildEventsRequest({ job: 'web', workload: 'W1' })).toThrow(/--workload and --job cannot be combined/);
    expect(() => buildEventsRequest({ job: '' })).toThrow('--job: is empty');
  });

  it("words a job's event", async () => {
    const at = Date.UTC(2026, 11, 2, 10, 0, 0);
    const e = { seq: 9, atMs: at, job: { name: 'web', what: 'stopped', job: null, service: null } };
    expect(await renderEventLine(e as unknown as ClusterEvent__Output)).toBe(
      '9 2026-12-02T10:00:00.000Z job web stopped\n',
    );
  });
});
