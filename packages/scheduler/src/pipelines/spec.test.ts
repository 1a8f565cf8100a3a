import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@mo/api';
import { parsePipelineSpec, substituteOutputs, topologicalOrder } from './spec.js';

const yamlOf = (steps: string) => `name: p\nsteps:\n${steps}`;

function errorOf(text: string): string {
  try {
    parsePipelineSpec(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return (err as Error).message;
  }
  throw new Error('expected the spec to be rejected');
}

describe('pipeline spec', () => {
  it('parses a diamond with defaults filled', () => {
    const spec = parsePipelineSpec(
      yamlOf(`
  - id: a
    command: [sh, -c, "echo a"]
  - id: b
    needs: [a]
    command: [echo, "\${{ steps.a.outputs.lang }}"]
    retries: { attempts: 3, backoff: 200ms }
    resources: { cpu: 500m, memory: 64Mi }
    timeout: 30s
  - id: c
    needs: [a]
    command: [echo, c]
    compensate: { command: [echo, undo] }
  - id: d
    needs: [b, c]
    when: always
    approval: true
    command: [echo, d]
`),
    );
    expect(spec.priority).toBe('normal');
    const b = spec.steps[1]!;
    expect(b).toMatchObject({
      cpuMillis: 500,
      memoryBytes: 64 * 1024 * 1024,
      timeoutMs: 30_000,
      retries: { maxAttempts: 3, initialBackoffMs: 200 },
    });
    expect(spec.steps[2]!.compensate?.command).toEqual(['echo', 'undo']);
    expect(spec.steps[3]).toMatchObject({ when: 'always', approval: true });
    expect(topologicalOrder(spec.steps)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('maps docker steps: build with network, then run read-only without', () => {
    const spec = parsePipelineSpec(
      yamlOf(`
  - {id: build, driver: docker, image: mo-sandbox, network: bridge, writableRoot: true, command: [sh, -c, make]}
  - {id: run, needs: [build], driver: docker, image: mo-sandbox, command: [./app]}
`),
    );
    expect(spec.steps[0]).toMatchObject({
      driver: 'docker',
      image: 'mo-sandbox',
      network: 'bridge',
      writableRoot: true,
    });
    expect(spec.steps[1]).toMatchObject({ network: '', writableRoot: false });
    expect(() => parsePipelineSpec(yamlOf('  - {id: a, command: [x], network: bridge}'))).toThrow(
      'steps[0].network: is only for driver docker',
    );
  });

  it('accepts JSON (which is YAML)', () => {
    const spec = parsePipelineSpec(JSON.stringify({ name: 'j', steps: [{ id: 'x', command: ['true'] }] }));
    expect(spec.steps.map((s) => s.id)).toEqual(['x']);
  });

  it.each([
    [
      'an unknown need',
      yamlOf('  - {id: parse, command: [x]}\n  - {id: b, command: [x]}\n  - {id: c, needs: [pars], command: [x]}'),
      'steps[2].needs[0]: unknown step "pars"',
    ],
    [
      'a cycle',
      yamlOf('  - {id: a, needs: [b], command: [x]}\n  - {id: b, needs: [a], command: [x]}'),
      'steps[1].needs[0]: cycle: a -> b -> a',
    ],
    ['a self need', yamlOf('  - {id: a, needs: [a], command: [x]}'), 'steps[0].needs[0]: a step cannot need itself'],
    [
      'a duplicate id',
      yamlOf('  - {id: a, command: [x]}\n  - {id: a, command: [x]}'),
      'steps[1].id: duplicate step id "a"',
    ],
    [
      'a bad duration',
      yamlOf('  - {id: a, command: [x], timeout: 5 minutes}'),
      'steps[0].timeout: expected a duration',
    ],
    [
      'a bad cpu',
      yamlOf('  - {id: a, command: [x], resources: {cpu: lots}}'),
      'steps[0].resources.cpu: expected cores',
    ],
    [
      'a bad memory',
      yamlOf('  - {id: a, command: [x], resources: {memory: 1TB}}'),
      'steps[0].resources.memory: expected bytes',
    ],
    [
      'zero attempts',
      yamlOf('  - {id: a, command: [x], retries: {attempts: 0}}'),
      'steps[0].retries.attempts: must be a whole number',
    ],
    ['a missing command', yamlOf('  - {id: a}'), 'steps[0].command: is required'],
    ['an unknown field', yamlOf('  - {id: a, command: [x], need: [b]}'), 'steps[0].need: unknown field'],
    [
      'a bad when',
      yamlOf('  - {id: a, command: [x], when: sometimes}'),
      'steps[0].when: must be success, failure or always',
    ],
    [
      'an artifact path traversal',
      yamlOf('  - {id: a, command: [x], artifacts: [out/../../etc/passwd]}'),
      'steps[0].artifacts[0]: must not contain ".."',
    ],
    [
      'an absolute artifact path',
      yamlOf('  - {id: a, command: [x], artifacts: [/etc/passwd]}'),
      'steps[0].artifacts[0]: must be a relative path',
    ],
    [
      'an input from an unknown step',
      yamlOf('  - {id: a, command: [x], artifacts: [out]}\n  - {id: b, needs: [a], command: [x], inputs: [c]}'),
      'steps[1].inputs[0]: unknown step "c"',
    ],
    [
      'an input from a step not upstream',
      yamlOf('  - {id: a, command: [x], artifacts: [out]}\n  - {id: b, command: [x], inputs: [a]}'),
      'steps[1].inputs[0]: step "a" is not upstream of "b"',
    ],
    [
      'an input from a step without artifacts',
      yamlOf('  - {id: a, command: [x]}\n  - {id: b, needs: [a], command: [x], inputs: [a]}'),
      'steps[1].inputs[0]: step "a" declares no artifacts',
    ],
    [
      'an artifact path with an empty component',
      yamlOf('  - {id: a, command: [x], artifacts: ["out//x"]}'),
      'steps[0].artifacts[0]: must not have empty',
    ],
    [
      'an output of a step not upstream',
      yamlOf('  - {id: a, command: [x]}\n  - {id: b, command: [echo, "${{ steps.a.outputs.k }}"]}'),
      'steps[1].command[1]: step "a" is not upstream of "b"',
    ],
    [
      'a docker step without an image',
      yamlOf('  - {id: a, driver: docker, command: [x]}'),
      'steps[0].image: is required with driver docker',
    ],
    ['no steps', 'name: p\nsteps: []', 'steps: must be a non-empty list'],
    ['a bad name', 'name: "Has Spaces"\nsteps: [{id: a, command: [x]}]', 'name: "Has Spaces" must match'],
    ['broken YAML', 'name: [unclosed', 'spec: is not valid YAML or JSON'],
    [
      'an oversized spec',
      `name: p\nsteps: [{id: a, command: [x]}]\n#${'x'.repeat(300 * 1024)}`,
      'spec: is larger than',
    ],
  ])('rejects %s, naming the field', (_what, text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it('substitutes upstream outputs', () => {
    const out = substituteOutputs('lang=${{ steps.parse.outputs.lang }}!', (s) =>
      s === 'parse' ? { lang: 'ts' } : undefined,
    );
    expect(out).toBe('lang=ts!');
  });
});
