#!/usr/bin/env node
// The `mo` executable: a launcher only; the CLI itself is built into ../dist by `tsc -b`.
import { run } from '../dist/main.js';

await run(process.argv);
