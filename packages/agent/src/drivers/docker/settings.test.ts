// Docker mount validation on a real filesystem: what an agent with no roots, with roots, with and
// without writable mounts accepts, and each refusal naming its field; and the narrowing of a
// workload's opaque driver settings back to a sandbox.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@mo/api';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_DOCKER_LIMITS,
  dockerSettingsOf,
  resolveMountRoots,
  validateDockerSpec,
  type DockerLimits,
} from './settings.js';

let base: string;
let limits: DockerLimits;

beforeAll(() => {
  base = realpathSync(mkdtempSync(join(tmpdir(), `mo-mount-settings-${process.pid}-`)));
  mkdirSync(join(base, 'root', 'ws'), { recursive: true });
  mkdirSync(join(base, 'outside'));
  symlinkSync(join(base, 'outside'), join(base, 'root', 'escape'));
  symlinkSync(join(base, 'root', 'ws'), join(base, 'root', 'alias'));
  // A directory anyone may write, without the sticky bit: anyone could swap what is in it.
  mkdirSync(join(base, 'root', 'open', 'ws'), { recursive: true });
  chmodSync(join(base, 'root', 'open'), 0o777);
  limits = { ...DEFAULT_DOCKER_LIMITS, mountRoots: resolveMountRoots([join(base, 'root')]) };
});

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

function mountOf(source: string, readOnly = true, l = limits) {
  return validateDockerSpec({ mounts: [{ source, target: '/m', readOnly }] } as never, l).mounts[0];
}

describe('docker mounts', () => {
  it('are refused by an agent that names no mount root (the default)', () => {
    expect(() => mountOf(join(base, 'root', 'ws'), true, DEFAULT_DOCKER_LIMITS)).toThrow(
      new InvalidArgumentError(
        'spec.docker.mounts[0]',
        "mounts are not allowed by this agent's configuration (it names no --docker-mount-root)",
      ),
    );
  });

  it('are read-only unless the agent allows writable ones', () => {
    expect(() => mountOf(join(base, 'root', 'ws'), false)).toThrow(/^spec\.docker\.mounts\[0\]\.read_only: writable/);
    expect(mountOf(join(base, 'root', 'ws'), false, { ...limits, allowWritableMounts: true })).toEqual({
      source: join(base, 'root', 'ws'),
      target: '/m',
      readOnly: false,
    });
  });

  it('hand Docker the real path of a source reached through a symlink within the root', () => {
    expect(mountOf(join(base, 'root', 'alias'))).toEqual({
      source: join(base, 'root', 'ws'),
      target: '/m',
      readOnly: true,
    });
  });

  it.each<[string, () => string, RegExp]>([
    [
      'a source outside the roots',
      () => join(base, 'outside'),
      /\.source: .* is not under a directory this agent allows/,
    ],
    ['a symlink out of the root', () => join(base, 'root', 'escape'), /\.source: .* is not under a directory/],
    ['a source that does not exist', () => join(base, 'root', 'nope'), /\.source: .* does not exist on this node/],
    [
      'a source below a directory anyone may write',
      () => join(base, 'root', 'open', 'ws'),
      /\.source: .* could be swapped before Docker mounts it: .*\/open is writable by anyone \(mode 0777\)/,
    ],
  ])('refuse %s, naming spec.docker.mounts[0].source', (_, source, message) => {
    expect(() => mountOf(source())).toThrow(InvalidArgumentError);
    expect(() => mountOf(source())).toThrow(/^spec\.docker\.mounts\[0\]\.source: /);
    expect(() => mountOf(source())).toThrow(message);
  });
});

describe('resolveMountRoots', () => {
  it('refuses a root that others could swap, naming the flag', () => {
    expect(() => resolveMountRoots([join(base, 'root', 'open', 'ws')])).toThrow(
      /^--docker-mount-root ".*\/open\/ws": mounts under it could be swapped: .*\/open is writable by anyone/,
    );
  });

  it('accepts the sticky /tmp (each source there must still be trusted) and a root not made yet', () => {
    expect(resolveMountRoots(['/tmp', join(base, 'later')])).toEqual(['/tmp', join(base, 'later')]);
  });
});

describe('dockerSettingsOf', () => {
  it('gives back the sandbox validateDockerSpec made, nothing for none, and refuses anything else', () => {
    const sandbox = validateDockerSpec(undefined, DEFAULT_DOCKER_LIMITS);
    expect(dockerSettingsOf(sandbox)).toBe(sandbox);
    expect(dockerSettingsOf(undefined)).toBeUndefined();
    for (const other of [null, 'mo-sandbox', { image: 'x' }]) {
      expect(() => dockerSettingsOf(other)).toThrow(
        'the driver settings of a docker workload are not a docker sandbox',
      );
    }
  });
});
