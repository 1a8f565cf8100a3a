// Test helpers for pipelines and ports: waiting for a pipeline state (failing fast, with the
// steps, when it ends otherwise), a step by id, and a free loopback port.
import type { PipelineClient, Pipeline__Output } from '@mo/api';
import { createServer, type Server } from 'node:net';
import { waitFor } from './wait.js';

const TERMINAL = ['PIPELINE_STATE_SUCCEEDED', 'PIPELINE_STATE_FAILED', 'PIPELINE_STATE_CANCELLED'];

/** Waits until the pipeline is in `state` (or matches it); throws at once if it ended otherwise. */
export async function waitForPipeline(
  client: PipelineClient,
  id: string,
  state: string | ((p: Pipeline__Output) => boolean),
  timeoutMs = 20_000,
): Promise<Pipeline__Output> {
  let last: Pipeline__Output | undefined;
  const ok = typeof state === 'string' ? (p: Pipeline__Output) => p.state === state : state;
  await waitFor(
    `pipeline ${id} to reach ${String(state)}`,
    async () => {
      last = await client.get(id);
      if (TERMINAL.includes(last.state) && !ok(last)) {
        throw new Error(`pipeline ended ${last.state}: ${last.reason}\n${JSON.stringify(last.steps, null, 1)}`);
      }
      return ok(last);
    },
    { timeoutMs, intervalMs: 50 },
  );
  return last!;
}

/** One step of a pipeline by id. */
export function stepOf(p: Pipeline__Output, id: string): Pipeline__Output['steps'][number] {
  const step = p.steps.find((s) => s.id === id);
  if (!step) throw new Error(`pipeline ${p.id} has no step ${JSON.stringify(id)}`);
  return step;
}

/** A loopback port that was free a moment ago (to restart a daemon on a known address). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/**
 * `n` distinct loopback ports that were free a moment ago. All n are held open until the last is
 * chosen: ports picked one after another, each closed at once, can repeat (an etcd member was once
 * given the same client and peer port, and its second listen failed with EADDRINUSE).
 */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((srv) => (srv.address() as { port: number }).port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(resolve))));
  }
}
