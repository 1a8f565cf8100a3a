#!/usr/bin/env -S node --max-semi-space-size=1
// The mo-agent executable: src/main.ts, run from the one-file bundle `pnpm build` makes
// (scripts/bundle.mjs: ~4 MiB less idle RSS than loading its ~220 modules one by one).
//
// Node flags (the shebang line; @mo/testkit starts the agent with the same ones):
// --max-semi-space-size=1  caps each of the young generation's two semi-spaces at 1 MiB instead of
//   growing them to 16: ~6 MiB less idle RSS for a daemon that allocates little and briefly, at
//   the price of more (sub-millisecond) scavenges. It only takes effect on the command line.
import { main } from '../dist/mo-agent.mjs';

await main(process.argv.slice(2));
