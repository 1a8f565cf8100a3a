import { describe, expect, it } from '@jest/globals';
import { InvalidArgumentError } from '@mo/api';
import { DOCKER_WEB, PROCESS_API } from './fixtures.js';
import { readFileSync } from 'node:fs';
import { CHECK_DEFAULTS, JOB_FILE_KEYS, parseJobSpec, UPDATE_DEFAULTS } from './spec.js';

/** A minimal valid process service plus `extra` lines at the top level. */
const proc = (extra: string) => `name: j\ncommand: [x]\n${extra}`;
/** A minimal valid docker service with an `http` port plus `extra` lines. */
const docker = (extra: string) =>
  `name: j\ndriver: docker\nimage: img\nnetwork: bridge\nports: [{name: http, to: 80}]\n${extra}`;

function refusalOf(text: string): InvalidArgumentError {
  try {
    parseJobSpec(text);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidArgumentError);
    return err as InvalidArgumentError;
  }
  throw new Error('expected the job file to be refused');
}

describe('job spec: good files', () => {
  it('keeps the default check timeout within a short interval', () => {
    const spec = parseJobSpec(
      'name: web\ncommand: [web]\nports: [{name: http}]\nchecks: [{type: tcp, port: http, interval: 500ms}]\n',
    );
    expect(spec.checks[0]).toMatchObject({ intervalMs: 500, timeoutMs: 500 });
  });

  it('parses a docker service with ports, checks and an update strategy', () => {
    const spec = parseJobSpec(DOCKER_WEB);
    expect(spec).toMatchObject({ name: 'web', type: 'service', count: 3, lostAfterMs: 60_000 });
    expect(spec.task).toMatchObject({
      driver: 'docker',
      image: 'python:3.12-slim',
      network: 'bridge',
      writableRoot: false,
      command: ['python', '-m', 'http.server', '8080'],
      env: { GREETING: 'hi', PORT: '8080' },
      cpuMillis: 250,
      memoryBytes: 64 * 1024 * 1024,
    });
    // Ports come out in name order, whatever order the file used.
    expect(spec.ports).toEqual([
      { name: 'admin', to: 9090 },
      { name: 'http', to: 8080 },
    ]);
    expect(spec.checks).toEqual([
      {
        name: 'http-http',
        kind: 'http',
        port: 'http',
        path: '/healthz',
        expectStatus: 0,
        command: [],
        intervalMs: 2000,
        timeoutMs: 1000,
        successThreshold: 1,
        failureThreshold: 3,
        restartAfter: 0,
        initialDelayMs: 0,
      },
    ]);
    expect(spec.update).toEqual({
      maxParallel: 2,
      minHealthyTimeMs: 5000,
      healthyDeadlineMs: 120_000,
      autoRevert: true,
    });
    expect(spec.restart).toEqual({ maxAttempts: 0, initialBackoffMs: 1000, maxBackoffMs: 300_000 });
  });

  it('parses a process service whose ports have no container side, with all three check kinds', () => {
    const spec = parseJobSpec(PROCESS_API);
    expect(spec.ports).toEqual([{ name: 'http', to: 0 }]);
    expect(spec.checks.map((c) => [c.name, c.kind, c.port])).toEqual([
      ['exec', 'exec', ''],
      ['ready', 'http', 'http'],
      ['tcp-http', 'tcp', 'http'],
    ]);
    expect(spec.checks[0]).toMatchObject({
      command: ['test', '-f', '/tmp/ok'],
      failureThreshold: 5,
      restartAfter: 10,
      initialDelayMs: 3000,
    });
    expect(spec.checks[1]).toMatchObject({ path: '/', expectStatus: 200 });
  });

  it('fills every default for the smallest file', () => {
    expect(parseJobSpec('name: tiny\ncommand: [sleep, "1000"]')).toEqual({
      name: 'tiny',
      type: 'service',
      count: 1,
      task: {
        driver: 'process',
        command: ['sleep', '1000'],
        image: '',
        network: '',
        writableRoot: false,
        env: {},
        cpuMillis: 0,
        memoryBytes: 0,
        labels: {},
        constraints: {},
        node: '',
        timeoutMs: 0,
        user: '',
      },
      ports: [],
      checks: [],
      update: UPDATE_DEFAULTS,
      restart: { maxAttempts: 0, initialBackoffMs: 1000, maxBackoffMs: 300_000 },
      lostAfterMs: 0,
    });
    expect(CHECK_DEFAULTS).toMatchObject({ intervalMs: 10_000, timeoutMs: 1000, failureThreshold: 3 });
  });

  it('parses a batch job from JSON, with batch retry defaults unless the file sets them', () => {
    const batch = { name: 'crunch', type: 'batch', count: 50, command: ['sh', '-c', 'echo hi'] };
    expect(parseJobSpec(JSON.stringify(batch))).toMatchObject({
      type: 'batch',
      count: 50,
      restart: { maxAttempts: 3, initialBackoffMs: 1000, maxBackoffMs: 300_000 },
    });
    const retried = { ...batch, restart: { attempts: 5, initial_backoff: '2s', max_backoff: '10s' } };
    expect(parseJobSpec(JSON.stringify(retried)).restart).toEqual({
      maxAttempts: 5,
      initialBackoffMs: 2000,
      maxBackoffMs: 10_000,
    });
  });

  it('takes writable_root, user, node, constraints and timeout as the job file spells them', () => {
    const spec = parseJobSpec(
      docker('writable_root: true\nuser: "1000:1000"\nnode: n1\nconstraints: { zone: eu }\ntimeout: 1h'),
    );
    expect(spec.task).toMatchObject({
      writableRoot: true,
      user: '1000:1000',
      node: 'n1',
      constraints: { zone: 'eu' },
      timeoutMs: 3_600_000,
    });
  });
});

describe('job spec: refusals name the field', () => {
  const checks = (lines: string) => docker(`checks:\n${lines}`);
  it.each([
    ['no name', 'command: [x]', 'name', 'is required'],
    ['a bad name', 'name: Web App\ncommand: [x]', 'name', '"Web App" must match'],
    ['an unknown type', proc('type: daemon'), 'type', 'must be service or batch, got "daemon"'],
    ['count 0', proc('count: 0'), 'count', 'must be between 1 and 10000, got 0'],
    ['count past the limit', proc('count: 10001'), 'count', 'must be between 1 and 10000'],
    ['a fractional count', proc('count: 1.5'), 'count', 'must be a whole number'],
    ['an unknown field', proc('replicas: 3'), 'replicas', 'unknown field'],
    ['a camelCase workload field', docker('writableRoot: true'), 'writableRoot', 'unknown field'],
    ['docker without an image', 'name: j\ndriver: docker', 'image', 'is required with driver docker'],
    ['a process without a command', 'name: j', 'command', 'is required'],
    ['a bad timeout', proc('timeout: 5 minutes'), 'timeout', 'expected a duration'],
    ['a bad cpu', proc('resources: {cpu: lots}'), 'resources.cpu', 'expected cores'],
    ['a port variable in env', proc('env: {MO_PORT_HTTP: "1"}'), 'env.MO_PORT_HTTP', 'is set by the agent'],
    ['a bad label key', proc('labels: {"-x": a}'), 'labels["-x"]', 'key must match'],
    ['ports not a list', proc('ports: {http: 80}'), 'ports', 'must be a list'],
    ['an upper-case port name', proc('ports: [{name: HTTP}]'), 'ports[0].name', '"HTTP" must match'],
    ['a port name with a dash', proc('ports: [{name: my-port}]'), 'ports[0].name', '"my-port" must match'],
    ['a port without a name', proc('ports: [{}]'), 'ports[0].name', 'is required'],
    [
      'a duplicate port',
      proc('ports: [{name: http}, {name: http}]'),
      'ports[1].name',
      'duplicate port "http" (also ports[0])',
    ],
    ['an unknown port field', proc('ports: [{name: http, host: 80}]'), 'ports[0].host', 'unknown field'],
    ['a process port with a container side', proc('ports: [{name: http, to: 80}]'), 'ports[0].to', 'is only for'],
    [
      'a docker port without a container side',
      'name: j\ndriver: docker\nimage: i\nnetwork: bridge\nports: [{name: http}]',
      'ports[0].to',
      'is required with driver docker',
    ],
    [
      'a docker port out of range',
      'name: j\ndriver: docker\nimage: i\nnetwork: bridge\nports: [{name: http, to: 70000}]',
      'ports[0].to',
      'must be between 1 and 65535',
    ],
    [
      'one container port twice',
      'name: j\ndriver: docker\nimage: i\nnetwork: bridge\nports: [{name: a, to: 80}, {name: b, to: 80}]',
      'ports[1].to',
      'container port 80 is also ports[0]',
    ],
    [
      'docker ports without a network to publish on',
      'name: j\ndriver: docker\nimage: i\nports: [{name: http, to: 80}]',
      'network',
      'must be bridge for a docker job with ports',
    ],
    [
      'too many ports',
      proc(`ports: [${Array.from({ length: 33 }, (_, i) => `{name: p${i}}`).join(', ')}]`),
      'ports',
      'has 33 ports, at most 32',
    ],
    ['checks not a list', docker('checks: {type: tcp}'), 'checks', 'must be a list'],
    ['a check without a type', checks('  - {port: http}'), 'checks[0].type', 'is required'],
    ['a check of an unknown type', checks('  - {type: grpc, port: http}'), 'checks[0].type', 'must be http, tcp'],
    ['an http check without a port', checks('  - {type: http}'), 'checks[0].port', 'is required for http checks'],
    [
      'a check on an undeclared port',
      checks('  - {type: tcp, port: web}'),
      'checks[0].port',
      'unknown port "web" (declared: http)',
    ],
    ['an exec check with a port', checks('  - {type: exec, port: http}'), 'checks[0].port', 'is only for http and tcp'],
    ['an exec check without a command', checks('  - {type: exec}'), 'checks[0].command', 'is required'],
    ['a tcp check with a path', checks('  - {type: tcp, port: http, path: /}'), 'checks[0].path', 'is only for http'],
    ['a relative http path', checks('  - {type: http, port: http, path: x}'), 'checks[0].path', 'must start with /'],
    [
      'an impossible status',
      checks('  - {type: http, port: http, expect_status: 99}'),
      'checks[0].expect_status',
      'must be between 100 and 599',
    ],
    [
      'a timeout past the interval',
      checks('  - {type: tcp, port: http, interval: 1s, timeout: 2s}'),
      'checks[0].timeout',
      'must not be longer than interval',
    ],
    [
      'a tiny interval',
      checks('  - {type: tcp, port: http, interval: 50ms}'),
      'checks[0].interval',
      'must be at least 100ms',
    ],
    [
      'a zero failure threshold',
      checks('  - {type: tcp, port: http, failure_threshold: 0}'),
      'checks[0].failure_threshold',
      'must be between 1 and 100',
    ],
    [
      'two checks with the same default name',
      checks('  - {type: tcp, port: http}\n  - {type: tcp, port: http, interval: 5s}'),
      'checks[1].name',
      'duplicate check "tcp-http" (also checks[0]',
    ],
    ['an unknown check field', checks('  - {type: tcp, port: http, period: 5s}'), 'checks[0].period', 'unknown'],
    [
      'too many checks',
      checks(Array.from({ length: 17 }, (_, i) => `  - {name: c${i}, type: tcp, port: http}`).join('\n')),
      'checks',
      'has 17 checks, at most 16',
    ],
    ['max_parallel 0', proc('update: {max_parallel: 0}'), 'update.max_parallel', 'must be between 1'],
    [
      'a min healthy time past the deadline',
      proc('update: {min_healthy_time: 1m, healthy_deadline: 1m}'),
      'update.healthy_deadline',
      'min_healthy_time (60000 ms) must be shorter than healthy_deadline (60000 ms)',
    ],
    [
      'a min healthy time past the default deadline',
      proc('update: {min_healthy_time: 10m}'),
      'update.min_healthy_time',
      'min_healthy_time (600000 ms) must be shorter than healthy_deadline (300000 ms)',
    ],
    ['auto_revert not a boolean', proc('update: {auto_revert: yes}'), 'update.auto_revert', 'must be true or false'],
    ['an unknown update field', proc('update: {canary: 1}'), 'update.canary', 'unknown field'],
    ['attempts on a service', proc('restart: {attempts: 3}'), 'restart.attempts', 'is for batch jobs'],
    [
      'zero batch attempts',
      proc('type: batch\nrestart: {attempts: 0}'),
      'restart.attempts',
      'must be between 1 and 100',
    ],
    [
      'a max backoff below the initial one',
      proc('restart: {initial_backoff: 10s, max_backoff: 1s}'),
      'restart.max_backoff',
      'must not be shorter than initial_backoff',
    ],
    ['lost_after 0', proc('lost_after: 0'), 'lost_after', 'must be longer than 0'],
    ['a bad lost_after', proc('lost_after: soon'), 'lost_after', 'expected a duration'],
    ['broken YAML', 'name: [unclosed', 'spec', 'is not valid YAML or JSON'],
    ['a duplicate key', 'name: a\nname: b\ncommand: [x]', 'spec', 'is not valid YAML or JSON'],
    ['a list at the top', '- name: a', 'spec', 'must be a mapping, got a list'],
    ['an oversized file', proc(`#${'x'.repeat(300 * 1024)}`), 'spec', 'is larger than 262144 bytes'],
  ])('refuses %s', (_what, text, field, message) => {
    const err = refusalOf(text);
    expect(err.field).toBe(field);
    expect(err.message).toContain(`${field}: ${message}`);
  });
});

describe('job spec: README', () => {
  it('documents every key a job file may use', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const schema = /## The file[\s\S]*?```yaml\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const documented = new Set([...schema.matchAll(/^\s*(?:- )?([a-z_]+):/gm)].map((m) => m[1]));
    const missing = Object.values(JOB_FILE_KEYS)
      .flat()
      .filter((k) => !documented.has(k));
    expect(missing).toEqual([]);
  });
});
