// jest globalTeardown: removes the run's temp directory (see jest-global-setup.mjs).
import { rmSync } from 'node:fs';

export default function globalTeardown() {
  const dir = process.env.MO_TEST_RUN_DIR;
  if (dir) rmSync(dir, { recursive: true, force: true });
}
