#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16384 node --max-semi-space-size=1
// The mo-agent executable: src/main.ts, run from the one-file bundle `pnpm build` makes
// (scripts/bundle.mjs: ~4 MiB less idle RSS than loading its ~220 modules one by one).
//
// Node flags and environment (the shebang line; @mo/testkit and `mo dev` start the agent with the same ones):
// GLIBC_TUNABLES=glibc.malloc.mmap_threshold=16384  gives every malloc of 16 KiB or more its own
//   mapping, returned to the kernel when freed. Streams move data in 16 KiB pieces (log reads,
//   HTTP/2 frames); from glibc's main heap, freed pieces between live ones were never returned:
//   300 abandoned log streams left the agent ~25 MiB above a fresh start (~5 MiB with this), and
//   each round of them added more. The workloads do not inherit it (they get their own env).
// --max-semi-space-size=1  caps each of the young generation's two semi-spaces at 1 MiB instead of
//   growing them to 16: ~6 MiB less idle RSS for a daemon that allocates little and briefly, at
//   the price of more (sub-millisecond) scavenges. It only takes effect on the command line.
import { main } from '../dist/mo-agent.mjs';

await main(process.argv.slice(2));
