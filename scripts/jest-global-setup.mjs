// jest globalSetup: one temp directory per test run, made the TMPDIR of every worker (and of the
// daemons the tests start), so scripts/jest-global-teardown.mjs can remove everything a run left
// behind, and the run's certificates in it. Without it, data dirs of daemons in workers that jest ends before their exit hooks run
// piled up in /tmp (~50 per run), and every later bulk deletion of them stalls this VM's disk.
//
// package.json sets testEnvironmentOptions.globalsCleanup "off": jest 30's soft delete wraps the
// setters of what a test file left on globals, and signal-exit's emitter lives on `process` across
// files, so each file wrapped its `count` setter again until a set overflowed the stack
// ("Maximum call stack size exceeded" in jest-util after a file's tests, or a dead worker).
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default async function globalSetup() {
  const dir = mkdtempSync(join(tmpdir(), 'mo-test-run-'));
  // Passable (not listable) by others: agents run workloads as other users (nobody by default),
  // which must reach their dirs under the agents' data dirs here, as under /var/lib/mo/agent.
  chmodSync(dir, 0o711);
  process.env.MO_TEST_RUN_DIR = dir;
  process.env.TMPDIR = dir;
  // The run's CA and certificates (testkit's pki.ts): every daemon the tests start runs with TLS.
  process.env.MO_TEST_PKI_DIR = join(dir, 'pki');
  const { ensureTestPki } = await import('../packages/testkit/dist/pki.js');
  await ensureTestPki();
}
