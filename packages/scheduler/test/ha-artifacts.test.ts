// Pipeline artifacts survive the loss of the scheduler that received them (issue 18): two
// schedulers on etcd, as processes, and one agent. Step `make` writes a file artifact; the upload
// is answered only once the follower's mirror has it, so when `make` has succeeded the follower's
// data dir already holds the file, byte for byte. The leader is then SIGKILLed with the pipeline at
// an approval gate; the follower takes over, the gate is approved through it, and step `use`
// (inputs: [make]) downloads the artifact from the new leader and prints it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PipelineClient } from '@mo/api';
import {
  requireTool,
  startHaCluster,
  stepOf,
  testClientOptions,
  waitFor,
  waitForPipeline,
  type HaCluster,
} from '@mo/testkit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const haveEtcd = requireTool(existsSync('/usr/bin/etcd'), 'etcd (Debian etcd-server)');
const CONTENT = 'made before the failover: 42\n';
const cleanup: Array<() => Promise<unknown>> = [];
let ha: HaCluster;
let pipelines: PipelineClient;

beforeAll(async () => {
  if (!haveEtcd) return;
  ha = await startHaCluster({ schedulers: 2, agents: 1, leaseTtl: '2s' });
  cleanup.push(() => ha.stop());
  pipelines = new PipelineClient(ha.addresses, testClientOptions({ deadlineMs: 5000 }));
  cleanup.push(async () => pipelines.close());
}, 120_000);

afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

const sh = (script: string) => ['sh', '-c', script];

describe('artifacts on two schedulers', () => {
  it('are on the follower once the upload is answered, and served by it after the leader is SIGKILLed', async () => {
    if (!haveEtcd) return;
    const first = await ha.leader();
    const other = 1 - first;
    const follower = ha.schedulers[other]!;
    // The follower's mirror has told the leader it is there: from now on uploads wait for it.
    await waitFor('the follower mirror reporting to the leader', () =>
      follower.logs().includes('artifact mirror: reporting to the leader'),
    );

    const { pipeline } = await pipelines.submit({
      spec: JSON.stringify({
        name: 'artifacts-through-failover',
        steps: [
          { id: 'make', command: sh(`printf '${CONTENT.replace('\n', '\\n')}' > out.txt`), artifacts: ['out.txt'] },
          { id: 'use', needs: ['make'], approval: true, inputs: ['make'], command: sh('echo "got: $(cat out.txt)"') },
        ],
      }),
    });
    const id = pipeline!.id;
    let p = await waitForPipeline(pipelines, id, 'PIPELINE_STATE_AWAITING_APPROVAL', 30_000);
    expect(stepOf(p, 'make').state).toBe('STEP_STATE_SUCCEEDED');

    // Replicated before the upload was answered: no wait here.
    const copy = join(follower.dataDir, 'artifacts', id, 'make', 'files', 'out.txt');
    expect(readFileSync(copy, 'utf8')).toBe(CONTENT);
    const leaderLogs = ha.schedulers[first]!.logs();
    expect(leaderLogs).not.toContain('artifact not replicated within the wait');

    await ha.killScheduler(first, 'SIGKILL');
    expect(await ha.leader(15_000)).toBe(other);
    // Approved through the client given every address: its first try meets the dead leader's
    // refused port (nothing sent), so even this write moves on to the new leader.
    await pipelines.approve({ pipelineId: id, stepId: 'use', reason: 'after the failover' });
    p = await waitForPipeline(pipelines, id, 'PIPELINE_STATE_SUCCEEDED', 60_000);
    expect(stepOf(p, 'use').nodeName).toBe('node-1');

    const chunks: Buffer[] = [];
    for await (const c of pipelines.stepLogs({ pipelineId: id, stepId: 'use' })) chunks.push(c.data);
    expect(Buffer.concat(chunks).toString()).toContain(`got: ${CONTENT.trim()}`);
  }, 120_000);
});
