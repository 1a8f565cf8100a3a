import { describe, expect, it } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { DOCKER_WEB } from './fixtures.js';
import { diffSpecs, parseJobSpec, specHash } from './spec.js';

describe('job spec: hash', () => {
  const minimal = 'name: web\ncommand: [serve]\nports: [{name: http}]\nchecks: [{type: tcp, port: http}]';

  it('is the same for the same file, reordered keys, explicit defaults, and JSON', () => {
    const h = specHash(parseJobSpec(minimal));
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(specHash(parseJobSpec(minimal))).toBe(h);
    const spelledOut = `
checks:
  - { failure_threshold: 3, success_threshold: 1, timeout: 1s, interval: 10s, port: http, type: tcp, name: tcp-http }
restart: { max_backoff: 5m, initial_backoff: 1s }
update: { auto_revert: false, healthy_deadline: 5m, min_healthy_time: 10s, max_parallel: 1 }
ports: [{ to: 0, name: http }]
driver: process
command: [serve]
count: 1
type: service
name: web
`;
    expect(specHash(parseJobSpec(spelledOut))).toBe(h);
    const json = {
      command: ['serve'],
      name: 'web',
      checks: [{ port: 'http', type: 'tcp' }],
      ports: [{ name: 'http' }],
    };
    expect(specHash(parseJobSpec(JSON.stringify(json, null, 2)))).toBe(h);
  });

  it('does not depend on the order of ports, checks or env entries', () => {
    const a = 'name: w\ncommand: [s]\nenv: {A: "1", B: "2"}\nports: [{name: a}, {name: b}]';
    const b = 'name: w\ncommand: [s]\nenv: {B: "2", A: "1"}\nports: [{name: b}, {name: a}]';
    expect(specHash(parseJobSpec(a))).toBe(specHash(parseJobSpec(b)));
  });

  it.each([
    ['an env value', 'A: "1"', 'A: "2"'],
    ['the count', 'count: 2', 'count: 3'],
    ['a check interval', 'port: http}', 'port: http, interval: 5s}'],
    ['the command', '[serve]', '[serve, --fast]'],
    ['a port name', 'http}]\nchecks: [{type: tcp, port: http}', 'web}]\nchecks: [{type: tcp, port: web}'],
  ])('changes with %s', (_what, from, to) => {
    const base =
      'name: web\ncount: 2\ncommand: [serve]\nenv: {A: "1"}\nports: [{name: http}]\nchecks: [{type: tcp, port: http}]';
    const changed = base.replace(from, to);
    expect(changed).not.toBe(base);
    expect(specHash(parseJobSpec(changed))).not.toBe(specHash(parseJobSpec(base)));
  });
});

describe('job spec: diff (what `mo job plan` shows)', () => {
  const base = parseJobSpec(DOCKER_WEB);
  const edit = (from: string, to: string) => parseJobSpec(DOCKER_WEB.replace(from, to));

  it('finds nothing between a file and the same file as JSON', () => {
    const asJson = parseJobSpec(JSON.stringify(parseYaml(DOCKER_WEB), null, 2));
    expect(diffSpecs(base, asJson)).toEqual({ kind: 'none', changes: [] });
  });

  it('calls a count change alone a scale', () => {
    expect(diffSpecs(base, edit('count: 3', 'count: 5'))).toEqual({
      kind: 'scale',
      changes: [{ path: 'count', from: 3, to: 5 }],
    });
  });

  it('lists every changed field of an update, in spec order then key order', () => {
    const next = parseJobSpec(
      DOCKER_WEB.replace('count: 3', 'count: 4')
        .replace('GREETING: hi', 'GREETING: hello, DEBUG: "1"')
        .replace('labels: { team: a }', 'labels: { mo.team: b }')
        .replace('  - { name: admin, to: 9090 }\n', '  - { name: metrics, to: 9100 }\n')
        .replace('interval: 2s', 'interval: 5s')
        .replace('auto_revert: true', 'auto_revert: false'),
    );
    const diff = diffSpecs(base, next);
    expect(diff.kind).toBe('update');
    expect(diff.changes).toEqual([
      { path: 'count', from: 3, to: 4 },
      { path: 'task.env.DEBUG', from: null, to: '1' },
      { path: 'task.env.GREETING', from: 'hi', to: 'hello' },
      { path: 'task.labels["mo.team"]', from: null, to: 'b' },
      { path: 'task.labels.team', from: 'a', to: null },
      { path: 'ports[admin]', from: { name: 'admin', to: 9090 }, to: null },
      { path: 'ports[metrics]', from: null, to: { name: 'metrics', to: 9100 } },
      { path: 'checks[http-http].intervalMs', from: 2000, to: 5000 },
      { path: 'update.autoRevert', from: true, to: false },
    ]);
  });

  it('shows a changed list value (the command) whole', () => {
    expect(diffSpecs(base, edit('"8080"]', '"8081"]')).changes).toEqual([
      {
        path: 'task.command',
        from: ['python', '-m', 'http.server', '8080'],
        to: ['python', '-m', 'http.server', '8081'],
      },
    ]);
  });

  it.each([
    [
      'a restart backoff',
      'lost_after: 1m',
      'lost_after: 1m\nrestart: { initial_backoff: 2s }',
      ['restart.initialBackoffMs'],
    ],
    ['lost_after', 'lost_after: 1m', 'lost_after: 2m', ['lostAfterMs']],
    ['a check added', 'interval: 2s }', 'interval: 2s }\n  - { type: tcp, port: admin }', ['checks[tcp-admin]']],
    ['the type', 'count: 3', 'count: 3\ntype: batch', ['type', 'restart.maxAttempts']],
  ])('calls a change of %s an update', (_what, from, to, paths) => {
    const diff = diffSpecs(base, edit(from, to));
    expect(diff.kind).toBe('update');
    expect(diff.changes.map((c) => c.path)).toEqual(paths);
  });
});
