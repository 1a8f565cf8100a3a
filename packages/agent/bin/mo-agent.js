#!/usr/bin/env -S node --max-semi-space-size=1
// The mo-agent executable: see src/main.ts.
//
// Node flags (the shebang line; @mo/testkit starts the agent with the same ones):
// --max-semi-space-size=1  caps each of the young generation's two semi-spaces at 1 MiB instead of
//   growing them to 16: ~6 MiB less idle RSS for a daemon that allocates little and briefly, at
//   the price of more (sub-millisecond) scavenges. It only takes effect on the command line.
import { main } from '../dist/main.js';

await main(process.argv.slice(2));
