// Test helpers for pipelines and ports: waiting for a pipeline state (failing fast, with the
// steps, when it ends otherwise), a step by id, and a free loopback port.
import type { PipelineClient, Pipeline__Output } from '@mo/api';
import { createServer } from 'node:net';
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
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
