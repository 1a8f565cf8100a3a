#!/usr/bin/env node
// The mo-scheduler executable: see src/main.ts.
import { main } from '../dist/main.js';

await main(process.argv.slice(2));
