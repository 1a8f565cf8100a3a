#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16384 node --no-concurrent-recompilation --max-semi-space-size=8
// The mo-scheduler executable: src/main.ts, run from the bundle `pnpm build` makes
// (scripts/bundle.mjs: ~7 MiB less idle RSS than loading its ~420 modules one by one).
//
// Node flags and environment (the shebang line; @mo/testkit and `mo dev` start the scheduler with the same ones):
// GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16384  gives every malloc of 16 KiB or more its own
//   mapping, returned to the kernel when freed (see bin/mo-agent.js in @mo/agent: stream buffers
//   freed inside glibc's main heap stayed resident; ~25-30 MiB after 300 abandoned log streams).
// --max-semi-space-size=8  caps the young generation's semi-spaces at 8 MiB (default 16). A burst
//   of streams grows them, and a 16 or 32 MiB young generation kept 13-21 MiB of pages after the
//   burst was over (V8 shrinks it only in a GC at low allocation rate, which an idle daemon never
//   runs): after 300 abandoned streams of each kind the scheduler stayed 25-37 MiB above where it
//   was. With 8 it shrinks back: +13-17 MiB. The price: ~7% fewer submissions/s (2,700-2,800/s
//   against 2,950/s with 32, `pnpm bench --only scheduler`, target 2,000/s).
// --no-concurrent-recompilation  V8 optimizes hot functions on the event loop instead of its worker
//   threads. Measured on a 2-vCPU VM, interleaved (pnpm bench --only scheduler, throughput phase;
//   the peers API phase): scheduler CPU per placed workload 0.66-0.71 ms against 0.85-0.98, and
//   placed + acknowledged/s +7-10 %; per job of the peers API phase 3.3-3.6 ms against 4.5-5.1.
//   The price is the optimizing compiles' own pauses on the loop (ms each, mostly while warming
//   up), which a scheduler's heartbeats (--down-after 5 s) and submissions absorb. Not on the
//   agent: its start path's loop delay is a target (pnpm bench --only bounds), and there the
//   pauses showed (p99 +15-25 ms).
import { main } from '../dist/mo-scheduler.mjs';

await main(process.argv.slice(2));
