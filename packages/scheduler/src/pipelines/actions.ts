// What the pipeline engine may do, as data. The decisions (dag.ts, attempts.ts, saga.ts,
// cancel.ts, approval.ts, resume.ts) return these; transitions.ts says how each changes the record
// and manager.ts performs the rest (events, workload submits and stops, timers). Keeping the plan
// as data is what lets a test build a state, run a decision and read the plan, with no I/O.
import type { ApprovalRecord, StepStateName } from './record.js';

export type EndState = 'succeeded' | 'failed' | 'cancelled';
export type Ending = 'failed' | 'cancelled';

export type PipelineAction =
  /** A pending pipeline got a running slot. */
  | { do: 'start-pipeline' }
  | { do: 'set-pipeline'; state: 'running' | 'awaiting_approval' | 'compensating'; reason: string }
  /** The pipeline ends; its running slot frees up. */
  | { do: 'finish'; state: EndState; reason: string }
  /** How the pipeline will end once what runs has stopped; `announce`: an event says so. */
  | { do: 'mark-ending'; ending: Ending; reason: string; announce: boolean }
  /** A step changes state (skipped, gated, cancelled, succeeded with its outputs). */
  | {
      do: 'set-step';
      stepId: string;
      state: StepStateName;
      reason: string;
      ended: boolean;
      outputs?: Record<string, string>;
    }
  /** The step's next attempt starts: its workload is submitted. */
  | { do: 'start-attempt'; stepId: string; reason: string }
  /** The attempt failed and another is due at `notBeforeMs`. */
  | { do: 'retry-later'; stepId: string; reason: string; notBeforeMs: number }
  /** The attempt failed and no attempt is left. */
  | { do: 'fail-step'; stepId: string; reason: string }
  /** Stop a running step's workload; its end is read in the light of `why`. */
  | { do: 'stop-step'; stepId: string; why: 'cancel' | 'timeout' }
  | { do: 'record-approval'; stepId: string; approval: ApprovalRecord }
  /** Run the compensation of a succeeded step. */
  | { do: 'compensate'; stepId: string }
  | { do: 'compensation-ended'; stepId: string; state: 'succeeded' | 'failed'; reason: string }
  /** Stop a compensation that ran past its timeout. */
  | { do: 'stop-compensation'; stepId: string }
  /** An event that changes no state ("approved", "timing out"). */
  | { do: 'event'; stepId: string; state: string; reason: string }
  // After a scheduler restart: pick up again what was under way (same idempotency keys).
  | { do: 'relaunch-step'; stepId: string }
  | { do: 'rearm-retry'; stepId: string }
  | { do: 'relaunch-compensation'; stepId: string }
  // Decide again on the record as it is now (decisions read the record; these come after changes).
  /** Re-evaluate the pipeline (dag.ts decideAdvance). */
  | { do: 'advance' }
  /** The pipeline goes down (cancel.ts decideGoDown). */
  | { do: 'go-down'; ending: Ending; reason: string }
  /** Start pending pipelines if slots are free (admission.ts). */
  | { do: 'admit' };
