// Checks deploy/prometheus/prometheus.yml with the real `promtool check config`: the committed file,
// and its commented file_sd example switched on (with the example target file written out), so the
// example cannot rot. Any WARNING from promtool fails the test. Without promtool: fails in CI, skips
// with a printed reason elsewhere.
import { afterAll, describe, expect, it } from '@jest/globals';
import { requireTool, testPki } from '@mo/testkit';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONFIG_PATH = fileURLToPath(new URL('../../../deploy/prometheus/prometheus.yml', import.meta.url));
const TOOL = 'promtool (Debian package prometheus)';
const committed = readFileSync(CONFIG_PATH, 'utf8');

const promtoolFound = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
const itWithPromtool = promtoolFound || process.env.CI === 'true' ? it : it.skip;
if (!promtoolFound && process.env.CI !== 'true') requireTool(false, TOOL);

const scratch = mkdtempSync(join(tmpdir(), 'mo-prometheus-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// promtool checks that the TLS files exist: the committed /etc/mo/tls paths point at real files
// here (the run's CA and a client certificate under the names the config documents).
const tlsDir = join(scratch, 'tls');
mkdirSync(tlsDir);
copyFileSync(testPki().ca, join(tlsDir, 'ca.pem'));
copyFileSync(testPki().client.cert, join(tlsDir, 'client-prometheus.pem'));
copyFileSync(testPki().client.key, join(tlsDir, 'client-prometheus-key.pem'));
const config = committed.replaceAll('/etc/mo/tls/', `${tlsDir}/`);

function checkConfig(text: string, name: string): { status: number | null; output: string } {
  const path = join(scratch, name);
  writeFileSync(path, text);
  const r = spawnSync('promtool', ['check', 'config', path], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, output: `${r.stdout}${r.stderr}`.replaceAll(scratch, '<scratch>') };
}

/** The config with the file_sd example uncommented in place of the static mo-agent job. */
function withFileSdExample(targetsFile: string): string {
  const lines = config.split('\n');
  const start = lines.findIndex((l) => l.trim() === '# --- example');
  const end = lines.findIndex((l) => l.trim() === '# --- end of example');
  if (start < 0 || end < start) throw new Error('the file_sd example markers are missing');
  const example = lines.slice(start + 1, end).map((l) => l.replace(/^(\s*)# ?/, '$1'));
  const staticJob =
    /^ {2}- job_name: mo-agent\n {4}scheme: https\n {4}tls_config:\n(?: {6}.*\n)+ {4}static_configs:\n {6}- targets: \['127\.0\.0\.1:7611'\]\n/m;
  if (!staticJob.test(config)) throw new Error('the static mo-agent job is not where the test expects it');
  return [...lines.slice(0, start), ...example, ...lines.slice(end + 1)]
    .join('\n')
    .replace(staticJob, '')
    .replace('/etc/prometheus/mo-agents.json', targetsFile);
}

describe('deploy/prometheus/prometheus.yml', () => {
  it.each([
    ['scrapes every 5 s', /^ {2}scrape_interval: 5s$/m],
    [
      'scrapes the scheduler on its HTTP port, over TLS with a client certificate, expecting scheduler.mo',
      /- job_name: mo-scheduler\n\s+scheme: https\n\s+tls_config:\n\s+ca_file: \S+\n\s+cert_file: \S+\n\s+key_file: \S+\n(?:\s+#.*\n)*\s+server_name: scheduler\.mo\n\s+static_configs:\n\s+- targets: \['127\.0\.0\.1:7601'\]/,
    ],
    [
      'scrapes the local agent on its HTTP port, over TLS, expecting agent.mo',
      /- job_name: mo-agent\n\s+scheme: https\n\s+tls_config:\n(?:\s+.*\n)*?\s+server_name: agent\.mo\n\s+static_configs:\n\s+- targets: \['127\.0\.0\.1:7611'\]/,
    ],
  ])('%s', (_, pattern) => {
    expect(config).toMatch(pattern);
  });

  itWithPromtool('passes `promtool check config` without a warning', () => {
    requireTool(promtoolFound, TOOL);
    const result = checkConfig(config, 'prometheus.yml');
    expect(result.output).not.toMatch(/WARN/i);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  itWithPromtool('passes with its file_sd example switched on and the example target file in place', () => {
    requireTool(promtoolFound, TOOL);
    const sample = /^\s*# (\[\{.*\}\])$/m.exec(config)?.[1];
    expect(sample).toBeDefined();
    const targetsFile = join(scratch, 'mo-agents.json');
    writeFileSync(targetsFile, sample!);
    const text = withFileSdExample(targetsFile);
    expect(text).toContain('file_sd_configs');
    expect(text).not.toContain("'127.0.0.1:7611'");
    const result = checkConfig(text, 'prometheus-file-sd.yml');
    expect(result.output).not.toMatch(/WARN/i);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  itWithPromtool('fails a broken copy, so the checks above cannot pass vacuously', () => {
    requireTool(promtoolFound, TOOL);
    const result = checkConfig(config.replace('scrape_interval: 5s', 'scrape_interval: 5 seconds'), 'broken.yml');
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/5 seconds/);
  });
});
