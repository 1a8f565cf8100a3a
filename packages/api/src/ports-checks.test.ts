import { InvalidArgumentError } from './errors.js';
import type { CheckSpec__Output } from './generated/mo/v1/CheckSpec.js';
import type { WorkloadSpec__Output } from './generated/mo/v1/WorkloadSpec.js';
import { validatePortsAndChecks } from './ports-checks.js';
import { validateSpecFields } from './workload.js';

const check = (over: Partial<CheckSpec__Output> = {}): CheckSpec__Output => ({
  name: 'ready',
  kind: 'http',
  port: 'http',
  path: '/',
  expectStatus: 0,
  command: [],
  intervalMs: 1000,
  timeoutMs: 500,
  successThreshold: 1,
  failureThreshold: 3,
  restartAfter: 0,
  initialDelayMs: 0,
  ...over,
});

const wire = (over: Partial<WorkloadSpec__Output> = {}): WorkloadSpec__Output =>
  ({
    id: '',
    name: '',
    argv: ['true'],
    env: {},
    workingDir: '',
    resources: null,
    labels: {},
    gracePeriodMs: 0,
    driver: '',
    docker: null,
    artifacts: null,
    timeoutMs: 0,
    pidsLimit: 0,
    user: '',
    ports: [{ name: 'http', to: 0 }],
    checks: [check()],
    ...over,
  }) as WorkloadSpec__Output;

const bridge = {
  image: '',
  network: 'bridge',
  writableRoot: false,
  ports: [] as number[],
  mounts: [],
  pidsLimit: 0,
  capAdd: [],
  allowNewPrivileges: false,
};

describe('validatePortsAndChecks', () => {
  it('keeps ports and checks as sent, filled to the normalised shape', () => {
    expect(validatePortsAndChecks(wire(), 'process')).toEqual({
      ports: [{ name: 'http', to: 0 }],
      checks: [
        {
          name: 'ready',
          kind: 'http',
          port: 'http',
          path: '/',
          expectStatus: 0,
          command: [],
          intervalMs: 1000,
          timeoutMs: 500,
          successThreshold: 1,
          failureThreshold: 3,
          restartAfter: 0,
          initialDelayMs: 0,
        },
      ],
    });
  });

  it('leaves both out when empty, so a spec without them normalises as before', () => {
    expect(validatePortsAndChecks(wire({ ports: [], checks: [] }), 'process')).toEqual({});
    expect(validateSpecFields(wire({ ports: [], checks: [] }), 'process')).not.toHaveProperty('ports');
    expect(validateSpecFields(wire({ ports: [], checks: [] }), 'process')).not.toHaveProperty('checks');
  });

  it('is part of validateSpecFields', () => {
    expect(validateSpecFields(wire(), 'process')).toMatchObject({ ports: [{ name: 'http', to: 0 }] });
  });

  it('takes a docker port with its container port on a bridge network, and exec and tcp checks', () => {
    const got = validatePortsAndChecks(
      wire({
        driver: 'docker',
        docker: { ...bridge, ports: [9000] } as WorkloadSpec__Output['docker'],
        ports: [{ name: 'web', to: 8080 }],
        checks: [
          check({ name: 'up', kind: 'tcp', port: 'web', path: '' }),
          check({ name: 'ok', kind: 'exec', port: '', path: '', command: ['true'] }),
        ],
      }),
      'docker',
    );
    expect(got.ports).toEqual([{ name: 'web', to: 8080 }]);
    expect(got.checks?.map((c) => [c.name, c.kind, c.port, c.path, c.command])).toEqual([
      ['up', 'tcp', 'web', '', []],
      ['ok', 'exec', '', '', ['true']],
    ]);
  });

  const many = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
  it.each([
    [
      'too many ports',
      { ports: many(33, (i) => ({ name: `p${i}`, to: 0 })), checks: [] },
      'process',
      'spec.ports: has 33 ports, at most 32',
    ],
    [
      'a bad port name',
      { ports: [{ name: 'Http', to: 0 }], checks: [] },
      'process',
      'spec.ports[0].name: "Http" must match',
    ],
    [
      'a duplicate port',
      {
        ports: [
          { name: 'http', to: 0 },
          { name: 'http', to: 0 },
        ],
        checks: [],
      },
      'process',
      'spec.ports[1].name: duplicate port "http" (also spec.ports[0])',
    ],
    [
      'to on a process',
      { ports: [{ name: 'http', to: 80 }], checks: [] },
      'process',
      'spec.ports[0].to: is only for driver docker',
    ],
    [
      'no to on docker',
      { docker: bridge, ports: [{ name: 'http', to: 0 }], checks: [] },
      'docker',
      'spec.ports[0].to: must be the container port',
    ],
    [
      'to past 65535',
      { docker: bridge, ports: [{ name: 'http', to: 70000 }], checks: [] },
      'docker',
      'spec.ports[0].to: must be the container port',
    ],
    [
      'a repeated to',
      {
        docker: bridge,
        ports: [
          { name: 'a', to: 80 },
          { name: 'b', to: 80 },
        ],
        checks: [],
      },
      'docker',
      'spec.ports[1].to: container port 80 is also spec.ports[0]',
    ],
    [
      'a to also in docker.ports',
      { docker: { ...bridge, ports: [80] }, ports: [{ name: 'a', to: 80 }], checks: [] },
      'docker',
      'spec.ports[0].to: container port 80 is also spec.docker.ports[0]',
    ],
    [
      'ports without bridge',
      { docker: { ...bridge, network: 'none' }, ports: [{ name: 'a', to: 80 }], checks: [] },
      'docker',
      'spec.docker.network: must be bridge',
    ],
    [
      'too many checks',
      { checks: many(17, (i) => check({ name: `c${i}` })) },
      'process',
      'spec.checks: has 17 checks, at most 16',
    ],
    [
      'a bad kind',
      { checks: [check({ kind: 'grpc' })] },
      'process',
      'spec.checks[0].kind: must be http, tcp or exec, got "grpc"',
    ],
    ['a bad check name', { checks: [check({ name: '' })] }, 'process', 'spec.checks[0].name: "" must match'],
    [
      'a duplicate check',
      { checks: [check(), check()] },
      'process',
      'spec.checks[1].name: duplicate check "ready" (also spec.checks[0])',
    ],
    [
      'an unknown port',
      { checks: [check({ port: 'web' })] },
      'process',
      'spec.checks[0].port: unknown port "web" (declared: http)',
    ],
    [
      'no port on tcp',
      { checks: [check({ kind: 'tcp', port: '', path: '' })] },
      'process',
      'spec.checks[0].port: is required for tcp checks',
    ],
    [
      'a port on exec',
      { checks: [check({ kind: 'exec', path: '', command: ['true'] })] },
      'process',
      'spec.checks[0].port: is only for http and tcp checks',
    ],
    ['a relative path', { checks: [check({ path: 'health' })] }, 'process', 'spec.checks[0].path: must start with /'],
    ['a path with a space', { checks: [check({ path: '/a b' })] }, 'process', 'spec.checks[0].path: must start with /'],
    [
      'a path over 1 KiB',
      { checks: [check({ path: '/' + 'a'.repeat(1024) })] },
      'process',
      'spec.checks[0].path: is longer than 1024 bytes',
    ],
    ['a path on tcp', { checks: [check({ kind: 'tcp' })] }, 'process', 'spec.checks[0].path: is only for http checks'],
    ['a bad status', { checks: [check({ expectStatus: 99 })] }, 'process', 'spec.checks[0].expect_status: must be 0'],
    [
      'an empty command',
      { checks: [check({ kind: 'exec', port: '', path: '', command: [] })] },
      'process',
      'spec.checks[0].command: is required for an exec check',
    ],
    [
      'a NUL in a command',
      { checks: [check({ kind: 'exec', port: '', path: '', command: ['a', 'b\0'] })] },
      'process',
      'spec.checks[0].command[1]: must not contain NUL',
    ],
    [
      'a command on http',
      { checks: [check({ command: ['true'] })] },
      'process',
      'spec.checks[0].command: is only for exec checks',
    ],
    [
      'a short interval',
      { checks: [check({ intervalMs: 99 })] },
      'process',
      'spec.checks[0].interval_ms: must be 100 to 3600000, got 99',
    ],
    [
      'a long interval',
      { checks: [check({ intervalMs: 3600_001 })] },
      'process',
      'spec.checks[0].interval_ms: must be 100 to 3600000',
    ],
    [
      'no timeout',
      { checks: [check({ timeoutMs: 0 })] },
      'process',
      'spec.checks[0].timeout_ms: must be 1 to interval_ms (1000), got 0',
    ],
    [
      'a timeout past the interval',
      { checks: [check({ timeoutMs: 1001 })] },
      'process',
      'spec.checks[0].timeout_ms: must be 1 to interval_ms',
    ],
    [
      'a success threshold of 0',
      { checks: [check({ successThreshold: 0 })] },
      'process',
      'spec.checks[0].success_threshold: must be 1 to 100, got 0',
    ],
    [
      'a failure threshold of 101',
      { checks: [check({ failureThreshold: 101 })] },
      'process',
      'spec.checks[0].failure_threshold: must be 1 to 100',
    ],
    [
      'a restart_after of 101',
      { checks: [check({ restartAfter: 101 })] },
      'process',
      'spec.checks[0].restart_after: must be 0 to 100',
    ],
    [
      'a long initial delay',
      { checks: [check({ initialDelayMs: 3600_001 })] },
      'process',
      'spec.checks[0].initial_delay_ms: must be 0 to 3600000',
    ],
  ] as const)('refuses %s, naming the field', (_what, over, driver, message) => {
    const spec = wire({ driver, ...over } as unknown as Partial<WorkloadSpec__Output>);
    expect(() => validatePortsAndChecks(spec, driver)).toThrow(InvalidArgumentError);
    expect(() => validatePortsAndChecks(spec, driver)).toThrow(message);
  });
});
