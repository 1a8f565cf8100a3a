// Admission: which pending pipelines get a running slot now. Highest priority first, then oldest;
// at most `maxRunning` pipelines run (pending and ended ones do not count); at most one running
// pipeline per `concurrency` key, the others wait their turn. Pure.
import { PRIORITY_RANK } from '../workloads/record.js';
import { PIPELINE_TERMINAL, type PipelineRecord } from './record.js';

/** The pipelines to start now, in the order they start. */
export function pickAdmissions(pipelines: Iterable<PipelineRecord>, maxRunning: number): PipelineRecord[] {
  const running: PipelineRecord[] = [];
  const waiting: PipelineRecord[] = [];
  for (const p of pipelines) {
    if (p.state === 'pending') waiting.push(p);
    else if (!PIPELINE_TERMINAL.has(p.state)) running.push(p);
  }
  const keys = new Set(running.map((p) => p.spec.concurrency).filter(Boolean));
  waiting.sort(
    (a, b) => PRIORITY_RANK[a.spec.priority] - PRIORITY_RANK[b.spec.priority] || a.createdAtMs - b.createdAtMs,
  );
  const out: PipelineRecord[] = [];
  let slots = maxRunning - running.length;
  for (const p of waiting) {
    if (slots <= 0) break;
    if (p.spec.concurrency && keys.has(p.spec.concurrency)) continue;
    if (p.spec.concurrency) keys.add(p.spec.concurrency);
    slots--;
    out.push(p);
  }
  return out;
}
