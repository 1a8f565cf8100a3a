// How a container's end is read and kept: the engine's state as an ExitResult, and the exit file in
// the task dir, which outlives the container (removed once collected) for a restarted agent.
import type Dockerode from 'dockerode';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import { writeRecordInPlace } from '../../state/in-place.js';
import type { ExitResult } from '../driver.js';

/** The engine's state -> ExitResult. docker-init exits 128+n when the workload died of signal n. */
export function exitOf(state: Dockerode.ContainerInspectInfo['State']): ExitResult {
  const finished = Date.parse(state.FinishedAt);
  const finishedAtMs = Number.isNaN(finished) || finished <= 0 ? Date.now() : finished;
  const code = state.ExitCode;
  const signalName = code > 128 && code <= 128 + 64 ? signalNameOf(code - 128) : undefined;
  const base: ExitResult = signalName ? { signal: signalName, finishedAtMs } : { exitCode: code, finishedAtMs };
  if (state.OOMKilled) base.oomKilled = true;
  if (state.Error) base.startError = `docker: ${state.Error}`;
  return base;
}

function signalNameOf(n: number): string | undefined {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
}

export function writeExitFile(taskDir: string, exit: ExitResult): void {
  try {
    // Over the exit.tmp a spare workload dir holds sized: a full disk does not lose it.
    writeRecordInPlace(taskDir, 'exit', JSON.stringify(exit) + '\n');
  } catch {
    // the task dir was garbage-collected
  }
}

export function readExitFile(taskDir: string): ExitResult | undefined {
  try {
    return JSON.parse(readFileSync(join(taskDir, 'exit'), 'utf8')) as ExitResult;
  } catch {
    return undefined;
  }
}
