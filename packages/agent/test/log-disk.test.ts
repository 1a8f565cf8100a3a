// --max-log-disk: many ended workloads write logs; the agent keeps the sum of all log files (a walk
// of its data dir) under the bound by removing the longest-ended workloads' logs first, while
// their records and exit codes stay. A restart with a smaller bound trims what the last run left.
import { afterAll, describe, expect, it } from '@jest/globals';
import { WorkloadState, type AgentClient } from '@mo/api';
import { startAgentProcess, waitFor, type AgentProcess } from '@mo/testkit';
import * as grpc from '@grpc/grpc-js';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const agents: AgentProcess[] = [];
afterAll(async () => {
  for (const a of agents) await a.kill('SIGKILL');
});

/** Every workload log file under dataDir, and their bytes in all. */
function logBytes(dataDir: string): number {
  let total = 0;
  for (const entry of readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && /^std(out|err)\.log(\.1)?$/.test(entry.name)) {
      total += statSync(join(entry.parentPath, entry.name)).size;
    }
  }
  return total;
}

async function logsOf(client: AgentClient, workloadId: string): Promise<string> {
  let out = '';
  for await (const chunk of client.streamLogs({ workloadId })) out += Buffer.from(chunk.data).toString();
  return out;
}

const OUTPUT = 12_288; // bytes each workload prints
const WORKLOADS = 20;

describe('--max-log-disk', () => {
  it('keeps the logs of many ended workloads under the bound, longest-ended first, and every exit code', async () => {
    const max = 128 * 1024; // room for the logs of 10 of them
    const args = ['--log-max-bytes', '65536'];
    const first = await startAgentProcess({ extraArgs: [...args, '--max-log-disk', String(max)] });
    agents.push(first);
    const { dataDir } = first;
    const hasLogs = (id: string) => existsSync(join(dataDir, 'workloads', id, 'stdout.log'));

    const ended: string[] = []; // in the order they ended
    for (let code = 1; code <= WORKLOADS; code++) {
      const w = await first.client.startWorkload({
        argv: ['sh', '-c', `yes "workload ${code} wrote this" | head -c ${OUTPUT}; exit ${code}`],
      });
      await waitFor(`workload ${code} to end`, async () => (await first.client.getWorkload(w.spec!.id)).exit?.exited);
      ended.push(w.spec!.id);
      // Within the bound once the pass that follows an end has run, every time.
      await waitFor(`the logs under ${max} bytes after ${code} ended`, () => logBytes(dataDir) <= max);
    }

    const removed = ended.filter((id) => !hasLogs(id));
    expect(removed).toEqual(ended.slice(0, WORKLOADS - Math.floor(max / OUTPUT))); // the 10 longest-ended
    expect(logBytes(dataDir)).toBe(Math.floor(max / OUTPUT) * OUTPUT);

    // Records stay, with their exit codes; asking for removed logs says why they are gone.
    const status = new Map((await first.client.getNodeStatus()).workloads.map((w) => [w.spec!.id, w]));
    ended.forEach((id, i) => {
      expect(status.get(id)?.state).toBe(WorkloadState.WORKLOAD_STATE_FAILED);
      expect(status.get(id)?.exit?.exitCode).toBe(i + 1);
    });
    await expect(logsOf(first.client, removed[0]!)).rejects.toMatchObject({
      code: grpc.status.FAILED_PRECONDITION,
      message: expect.stringMatching(/logs of .* were removed at .* under its --max-log-disk/),
    });
    expect(await logsOf(first.client, ended.at(-1)!)).toMatch(/^workload 20 wrote this\n/);

    // A restart with a smaller bound trims what the first run kept, and remembers what it removed.
    await first.kill('SIGTERM');
    const smaller = 40 * 1024; // room for 3
    const second = await startAgentProcess({ dataDir, extraArgs: [...args, '--max-log-disk', String(smaller)] });
    agents.push(second);
    await waitFor('the logs trimmed to the smaller bound', () => logBytes(dataDir) <= smaller);
    expect(ended.filter((id) => !hasLogs(id))).toEqual(ended.slice(0, WORKLOADS - 3));
    await expect(logsOf(second.client, removed[0]!)).rejects.toMatchObject({ code: grpc.status.FAILED_PRECONDITION });
    expect((await second.client.getWorkload(ended[0]!)).exit?.exitCode).toBe(1);
  });
});
