// Checks deploy/systemd/mo-scheduler.service: the directives the scheduler depends on, a comment
// above every directive, and a clean `systemd-analyze verify` of the committed file, byte for byte
// (in a scratch root, see @mo/testkit's systemd-unit.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createUnitVerifier,
  requireTool,
  systemdAnalyzeFound,
  uncommentedUnitLines,
  unitDirectives,
  type UnitVerifier,
} from '@mo/testkit';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const UNIT_NAME = 'mo-scheduler.service';
const UNIT_PATH = fileURLToPath(new URL(`../../../deploy/systemd/${UNIT_NAME}`, import.meta.url));
const SCHEDULER_BINARY = '/usr/bin/mo-scheduler';
const TOOL = 'systemd-analyze (Debian package systemd)';

const unitText = readFileSync(UNIT_PATH, 'utf8');
const directives = (section: string) => unitDirectives(unitText, section);

const analyzeFound = systemdAnalyzeFound();
// Outside CI a missing tool skips the verify tests (requireTool prints why); in CI they run and fail.
const itWithAnalyze = analyzeFound || process.env.CI === 'true' ? it : it.skip;
if (!analyzeFound && process.env.CI !== 'true') requireTool(false, TOOL);

describe(`deploy/systemd/${UNIT_NAME}`, () => {
  it.each([
    ['Unit', 'After', 'network.target'],
    [
      'Service',
      'ExecStart',
      `${SCHEDULER_BINARY} --grpc-listen 0.0.0.0:7600 --http-listen 0.0.0.0:7601 --data-dir /var/lib/mo/scheduler`,
    ],
    ['Service', 'StateDirectory', 'mo/scheduler'],
    ['Service', 'KillMode', 'control-group'],
    ['Service', 'Restart', 'on-failure'],
    ['Service', 'RestartSec', '2'],
    ['Service', 'DynamicUser', 'yes'],
    ['Service', 'ProtectSystem', 'strict'],
    ['Service', 'NoNewPrivileges', 'yes'],
    ['Service', 'Environment', 'MO_LOG_LEVEL=info'],
    // TLS by default: the key handed to the dynamic user by systemd.
    ['Service', 'LoadCredential', 'tls-key.pem:/etc/mo/tls/scheduler-key.pem'],
    ['Service', 'Environment', 'MO_TLS_CA=%d/tls-ca.pem MO_TLS_CERT=%d/tls-cert.pem MO_TLS_KEY=%d/tls-key.pem'],
    ['Service', 'LimitNOFILE', '65536'],
    ['Install', 'WantedBy', 'multi-user.target'],
  ])('sets [%s] %s=%s', (section, key, value) => {
    expect(directives(section)).toContainEqual([key, value]);
  });

  it('keeps the data dir writable: no ReadOnlyPaths/InaccessiblePaths/TemporaryFileSystem over /var/lib', () => {
    const masking = directives('Service').filter(
      ([key, value]) => /^(ReadOnlyPaths|InaccessiblePaths|TemporaryFileSystem)$/.test(key) && /\/var\/lib/.test(value),
    );
    expect(masking).toEqual([]);
  });

  it('leaves out MemoryDenyWriteExecute, which breaks the V8 JIT', () => {
    expect(directives('Service').map(([key]) => key)).not.toContain('MemoryDenyWriteExecute');
  });

  it('has a comment line directly above every directive and section header', () => {
    expect(uncommentedUnitLines(unitText)).toEqual([]);
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

    // Guards the check above against passing vacuously, on the kind of line this unit adds.
    itWithAnalyze.each([
      [
        'a misspelt sandboxing value',
        (t: string) => t.replace('ProtectProc=invisible', 'ProtectProc=invisble'),
        /invisble/,
      ],
      ['an unknown key', (t: string) => t.replace('RestartSec=2', 'RestartSec=2\nRestartSecs=2'), /RestartSecs/],
      [
        'an unknown system call group',
        (t: string) => t.replace('SystemCallFilter=@system-service', 'SystemCallFilter=@system-servce'),
        /system-servce/,
      ],
    ])('reports %s in an altered copy', (_, alter, expected) => {
      requireTool(analyzeFound, TOOL);
      const altered = alter(unitText);
      expect(altered).not.toBe(unitText);
      const result = verify(altered);
      expect(result.lines.join('\n')).toMatch(expected);
    });
  });
});
