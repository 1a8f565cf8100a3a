#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16384 node --max-semi-space-size=8
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
import { main } from '../dist/mo-scheduler.mjs';

await main(process.argv.slice(2));
