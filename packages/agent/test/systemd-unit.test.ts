// Checks deploy/systemd/mo-agent.service: the directives the agent's invariants depend on, a comment
// above every directive, and a clean `systemd-analyze verify` of the committed file, byte for byte
// (in a scratch root, see @mo/testkit's systemd-unit.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createUnitVerifier,
  requireTool,
  systemdAnalyzeFound,
  uncommentedUnitLines,
  unitDirectives,
  unitExecPaths,
  type UnitVerifier,
} from '@mo/testkit';
import { accessSync, constants, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const UNIT_NAME = 'mo-agent.service';
const UNIT_PATH = fileURLToPath(new URL(`../../../deploy/systemd/${UNIT_NAME}`, import.meta.url));
const AGENT_BINARY = '/usr/bin/mo-agent';
const TOOL = 'systemd-analyze (Debian package systemd)';

const unitText = readFileSync(UNIT_PATH, 'utf8');
const directives = (section: string) => unitDirectives(unitText, section);

const analyzeFound = systemdAnalyzeFound();
// Outside CI a missing tool skips the verify tests (requireTool prints why); in CI they run and fail.
const itWithAnalyze = analyzeFound || process.env.CI === 'true' ? it : it.skip;
if (!analyzeFound && process.env.CI !== 'true') requireTool(false, TOOL);

describe(`deploy/systemd/${UNIT_NAME}`, () => {
  it('signals only the agent process, so restarting the agent does not kill its workloads', () => {
    expect(directives('Service')).toContainEqual(['KillMode', 'process']);
  });

  it.each([
    ['Unit', 'Wants', 'network-online.target'],
    ['Unit', 'After', 'network-online.target docker.service'],
    ['Service', 'ExecStart', `${AGENT_BINARY} --data-dir /var/lib/mo/agent`],
    ['Service', 'ExecReload', '/bin/kill -HUP $MAINPID'],
    ['Service', 'StateDirectory', 'mo/agent'],
    ['Service', 'Restart', 'on-failure'],
    ['Service', 'RestartSec', '2'],
    ['Service', 'TimeoutStopSec', '30'],
    ['Service', 'Environment', 'MO_LOG_LEVEL=info'],
    [
      'Service',
      'Environment',
      'MO_TLS_CA=/etc/mo/tls/ca.pem MO_TLS_CERT=/etc/mo/tls/agent.pem MO_TLS_KEY=/etc/mo/tls/agent-key.pem',
    ],
    ['Service', 'LimitNOFILE', '65536'],
    ['Service', 'LimitNPROC', 'infinity'],
    ['Service', 'TasksMax', 'infinity'],
    ['Install', 'WantedBy', 'multi-user.target'],
  ])('sets [%s] %s=%s', (section, key, value) => {
    expect(directives(section)).toContainEqual([key, value]);
  });

  it('has a comment line directly above every directive and section header', () => {
    expect(uncommentedUnitLines(unitText)).toEqual([]);
  });

  it('names programs that exist on a real host, apart from the agent itself', () => {
    const others = unitExecPaths(unitText).filter((p) => p !== AGENT_BINARY);
    expect(others).toContain('/bin/kill');
    for (const path of others) expect(() => accessSync(path, constants.X_OK)).not.toThrow();
  });

  describe('systemd-analyze verify', () => {
    let verifier: UnitVerifier;
    beforeAll(() => {
      verifier = createUnitVerifier();
    });
    afterAll(() => verifier.close());
    const verify = (text: string) => verifier.verify(text, UNIT_NAME);

    itWithAnalyze('accepts the committed unit without a single warning', () => {
      requireTool(analyzeFound, TOOL);
      expect(readFileSync(UNIT_PATH, 'utf8')).toBe(unitText);
      const result = verify(unitText);
      expect(result.lines).toEqual([]);
      expect(result.status).toBe(0);
    });

    // Guards the check above against passing vacuously: systemd-analyze exits 0 on many unit
    // mistakes (unknown keys, bad values) and only prints them, which is why any output fails.
    itWithAnalyze.each([
      ['a misspelt value', (t: string) => t.replace('KillMode=process', 'KillMode=procss'), /kill mode/i],
      ['an unknown key', (t: string) => t.replace('RestartSec=2', 'RestartSec=2\nRestartSecs=2'), /RestartSecs/],
      ['a missing program', (t: string) => `${t}\n[Service]\nExecStartPre=nope-not-a-path\n`, /nope-not-a-path/],
    ])('reports %s in an altered copy', (_, alter, expected) => {
      requireTool(analyzeFound, TOOL);
      const result = verify(alter(unitText));
      expect(result.lines.join('\n')).toMatch(expected);
    });
  });
});
