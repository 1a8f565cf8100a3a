import { describe, expect, it } from '@jest/globals';
import { buildSpec } from './start.js';

describe('buildSpec', () => {
  it('passes argv through verbatim, as a list', () => {
    const argv = ['sh', '-c', 'echo "$HOME" && exit 3', '--json', ''];
    expect(buildSpec(argv, {})).toEqual({ argv });
  });

  it('fills the spec from every flag', () => {
    const spec = buildSpec(['sleep', '1'], {
      name: 'nap',
      env: ['A=1', 'B=x=y'],
      cwd: '/tmp',
      label: ['team=core'],
      cpu: '250',
      memory: '64Mi',
      grace: '1m30s',
    });
    expect(spec).toEqual({
      argv: ['sleep', '1'],
      name: 'nap',
      env: { A: '1', B: 'x=y' },
      workingDir: '/tmp',
      labels: { team: 'core' },
      resources: { cpuMillis: 250, memoryBytes: 64 * 2 ** 20 },
      gracePeriodMs: 90_000,
    });
  });

  it('refuses an empty command', () => {
    expect(() => buildSpec([], {})).toThrow(/^missing command/);
  });

  it.each([
    [{ env: ['x'] }, '--env'],
    [{ label: ['x'] }, '--label'],
    [{ memory: '1m' }, '--memory'],
    [{ cpu: 'half' }, '--cpu'],
    [{ grace: '10' }, '--grace'],
  ])('names the flag in error for %j', (flags, flag) => {
    expect(() => buildSpec(['true'], flags)).toThrow(new RegExp(`^${flag}: `));
  });
});
