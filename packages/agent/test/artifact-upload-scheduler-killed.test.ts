// The scheduler dies (SIGKILL) in the middle of an artifact upload: the agent must live on (it once
// crashed with an unhandled rejection), fail that step with the reason, and report it to the
// scheduler once it is back. Real processes: a scheduler, an agent, a pipeline step with artifacts.
import { afterAll, expect, it } from '@jest/globals';
import { PipelineClient } from '@mo/api';
import {
  freePort,
  isAlive,
  sleep,
  startAgentProcess,
  startSchedulerProcess,
  stopAllWorkloads,
  waitFor,
  waitForPipeline,
  stepOf,
  type AgentProcess,
  type SchedulerProcess,
  testClientOptions,
} from '@mo/testkit';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const ARTIFACT_MIB = 256;
const cleanup: Array<() => Promise<void>> = [];

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** Bytes of the scheduler's partial upload files (`.upload-*`) under its artifact dir. */
async function partialUploadBytes(dataDir: string): Promise<number> {
  let total = 0;
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      const p = join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.startsWith('.upload-')) total += (await stat(p).catch(() => ({ size: 0 }))).size;
    }
  };
  await walk(join(dataDir, 'artifacts'));
  return total;
}

it('an agent whose scheduler is SIGKILLed during an artifact upload lives, fails the step and reports it', async () => {
  const port = await freePort();
  const schedulerArgs = ['--max-artifact-bytes', String(2 * ARTIFACT_MIB * 1024 * 1024)];
  let scheduler: SchedulerProcess = await startSchedulerProcess({
    grpcListen: `127.0.0.1:${port}`,
    extraArgs: schedulerArgs,
  });
  cleanup.push(() => scheduler.kill('SIGKILL'));
  const agent: AgentProcess = await startAgentProcess({
    extraArgs: ['--scheduler', scheduler.grpcAddress, '--node-name', 'uploader'],
  });
  cleanup.push(() => agent.kill('SIGTERM'));
  cleanup.push(() => stopAllWorkloads(agent));
  await waitFor('the agent registered', async () =>
    (await scheduler.client.listNodes()).nodes.some((n) => n.state === 'NODE_STATE_UP'),
  );

  const pipelines = new PipelineClient(scheduler.grpcAddress, testClientOptions());
  const { pipeline } = await pipelines.submit({
    spec: JSON.stringify({
      name: 'big-artifact',
      steps: [
        {
          id: 'build',
          command: ['sh', '-c', `head -c ${ARTIFACT_MIB}M /dev/zero > big`],
          artifacts: ['big'],
        },
      ],
    }),
  });
  pipelines.close();
  const workloadId = await waitFor('the step to start', async () => {
    const p = await scheduler.client.listWorkloads({});
    return p.workloads[0]?.allocationId;
  });

  // Mid-upload: the scheduler has part of the file, not all of it.
  await waitFor('the upload to be under way', async () => (await partialUploadBytes(scheduler.dataDir)) > 1 << 20, {
    timeoutMs: 30_000,
    intervalMs: 10,
  });
  const partial = await partialUploadBytes(scheduler.dataDir);
  await scheduler.kill('SIGKILL');
  expect(partial).toBeLessThan(ARTIFACT_MIB * 1024 * 1024);

  // The agent lives and answers, and the step failed on it with the reason (not stuck uploading).
  const failed = await waitFor(
    'the agent to fail the step',
    async () => {
      const w = await agent.client.getWorkload(workloadId);
      return w.state === 'WORKLOAD_STATE_FAILED' ? w : undefined;
    },
    { timeoutMs: 15_000, intervalMs: 50 },
  );
  expect(failed.reason).toMatch(/artifact upload failed/);
  await sleep(500); // proves a negative: no late crash (an unhandled rejection) follows the failure
  expect(await isAlive(agent.pid)).toBe(true);
  expect(agent.logs()).not.toMatch(/unhandled|uncaught/i);

  // The scheduler comes back on the same address: the agent registers again and reports the failure.
  scheduler = await startSchedulerProcess({
    grpcListen: `127.0.0.1:${port}`,
    dataDir: scheduler.dataDir,
    extraArgs: schedulerArgs,
  });
  const reported = await waitFor(
    'the scheduler to learn the step failed',
    async () => {
      const w = (await scheduler.client.listWorkloads({})).workloads.find((x) => x.allocationId === workloadId);
      return w?.state === 'WORKLOAD_STATE_FAILED' ? w : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
  expect(reported.reason).toMatch(/artifact upload failed/);
  const again = new PipelineClient(scheduler.grpcAddress, testClientOptions());
  cleanup.push(async () => again.close());
  const p = await waitForPipeline(again, pipeline!.id, 'PIPELINE_STATE_FAILED');
  expect(stepOf(p, 'build').reason).toMatch(/artifact upload failed/);
  expect(await isAlive(agent.pid)).toBe(true);
});
