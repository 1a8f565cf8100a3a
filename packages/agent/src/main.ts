// `mo-agent` / `mo agent`: flags and MO_* environment -> startAgent; SIGTERM/SIGINT close the agent
// (workloads keep running, as with Nomad's client), SIGHUP re-probes host facts and reloads the
// TLS files.
import {
  AUDIT_FLAG_OPTIONS,
  AUDIT_HELP,
  SECURITY_FLAG_OPTIONS,
  SECURITY_HELP,
  addressList,
  flagReader,
  parseAddress,
  parseAuditFlags,
  parseStreamCaps,
  readSecurityFlags,
  runDaemon,
} from '@mo/api';
import { parseArgs } from 'node:util';
import { AGENT_VERSION, startAgent } from './agent.js';
import { DEFAULT_AGENT_OPTIONS, type AgentOptions } from './options.js';
import { validateCgroupRoot } from './cgroups/index.js';
import { DOCKER_RELAXATIONS, type DockerLimits } from './drivers/docker/settings.js';
import { parseNodeLabels } from './reporter/node-config.js';
import { parseLogBudget, type LogBudgetSetting } from './state/log-budget.js';

const HELP = `Usage: mo-agent [options]

Runs the mo node agent: starts and supervises workloads on this host.

Options (each also settable by environment):
  --grpc-listen ADDR      gRPC NodeAgent address        MO_AGENT_GRPC_LISTEN  (127.0.0.1:7610)
  --http-listen ADDR      /metrics and /healthz         MO_AGENT_HTTP_LISTEN  (127.0.0.1:7611)
  --data-dir DIR          workload state and logs       MO_DATA_DIR           (/var/lib/mo/agent)
  --node-name NAME        this node's name              MO_NODE_NAME          (hostname)
  --log-level LEVEL       debug|info|warn|error         MO_LOG_LEVEL          (info)
  --log-max-bytes N       cap per workload log file     MO_LOG_MAX_BYTES      (10485760)
  --default-grace MS      stop grace period default     MO_DEFAULT_GRACE_MS   (10000)
  --max-ended N           ended workloads kept          MO_MAX_ENDED          (1000)
  --max-log-disk SIZE|N%  all workloads' logs, at most  MO_MAX_LOG_DISK       (10% of the data dir's
                          filesystem, at most 4Gi; past it the longest-ended workloads' logs go)
  --max-streams KIND=N,…  open streams at once: logs   MO_MAX_STREAMS        (logs=256)
  --stream-stall-timeout D a log reader that takes nothing this long is cut off (RESOURCE_EXHAUSTED)
                                                        MO_STREAM_STALL_TIMEOUT (30s)
  --docker-socket PATH    Docker Engine socket          MO_DOCKER_SOCKET      (/var/run/docker.sock)
  --default-user USER     who workloads without spec.user run as (a name or uid[:gid])
                                                        MO_DEFAULT_USER       (nobody; the agent's own
                          user when it does not run as root: then every workload runs as it)
  --allowed-users LIST    whom else a spec.user may name: names, uids, * (any user but root); root
                          only when listed      MO_ALLOWED_USERS      (none: the default user only)
  --port-range A-B        host ports for named ports (spec.ports) and docker's published ports;
                          its size is the node's host_ports capacity
                                                        MO_PORT_RANGE         (3001-4000)
  --cgroup-root PATH|off  this agent's cgroup in each cgroup hierarchy, one per process workload
                          below it; off: none (trees found from /proc, no limits)
                                                        MO_CGROUP_ROOT        (/mo/<node-id>)

Docker sandboxes (safe by default; these bound what a workload may relax):
  --docker-ports A-B      the same as --port-range (kept for older set-ups) MO_DOCKER_PORTS
  --docker-port-ip ADDR   host address published ports listen on MO_DOCKER_PORT_IP (0.0.0.0)
  --docker-image IMAGE    image when a workload names none MO_DOCKER_IMAGE    (mo-sandbox:latest)
  --docker-mount-root DIR mount sources must be under one, repeatable; the directories on a
                          source's path must be root's or the agent's user's, writable by no one else
                                                        MO_DOCKER_MOUNT_ROOTS ("dir1,dir2"; none: no mounts)
  --docker-allow-writable-mounts  a mount may be writable (else each must be read-only)
                                                        MO_DOCKER_ALLOW_WRITABLE_MOUNTS (off; 1 = on)
  --docker-max-pids N     highest pids limit allowed    MO_DOCKER_MAX_PIDS    (4096; default limit 256)
  --docker-deny LIST      refuse these relaxations: network, writable-root, mounts, writable-mounts,
                          new-privileges                MO_DOCKER_DENY        (none)
  --docker-allow-caps LIST capabilities a workload may add back (NET_BIND_SERVICE,...)
                                                        MO_DOCKER_ALLOW_CAPS  (none)
  -h, --help              show this help
  -V, --version           print the version

Scheduler (without --scheduler the agent runs standalone and registers nowhere):
  --scheduler ADDR[,ADDR...]  register with the leading scheduler of these
                                                        MO_SCHEDULER_ADDR     (none)
  --advertise ADDR        address the scheduler dials   MO_ADVERTISE_ADDR     (the gRPC address;
                          0.0.0.0 or :: become 127.0.0.1: set this on a multi-host cluster)
  --label KEY=VALUE       node label, repeatable        MO_NODE_LABELS        ("k=v,k2=v2")
  --capacity-cpu MILLIS   CPU placement may reserve     MO_CAPACITY_CPU       (cores × 1000)
  --capacity-memory BYTES memory placement may reserve  MO_CAPACITY_MEMORY    (MemTotal)

${AUDIT_HELP}

${SECURITY_HELP}

The agent accepts NodeAgent calls only from the scheduler's certificate, and its certificate must
be for its node (agent.<node-name>.mo). Logs are JSON lines on stderr. SIGHUP re-probes host facts
and reloads the TLS files (a failed reload keeps the old ones).`;

/** Parses flags + env into agent options; throws an Error naming the bad flag. */
export function parseAgentArgs(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Partial<AgentOptions> | 'help' | 'version' {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      'grpc-listen': { type: 'string' },
      'http-listen': { type: 'string' },
      'data-dir': { type: 'string' },
      'node-name': { type: 'string' },
      'log-level': { type: 'string' },
      'log-max-bytes': { type: 'string' },
      'default-grace': { type: 'string' },
      'max-ended': { type: 'string' },
      'max-log-disk': { type: 'string' },
      'max-streams': { type: 'string' },
      'stream-stall-timeout': { type: 'string' },
      'docker-socket': { type: 'string' },
      'cgroup-root': { type: 'string' },
      'default-user': { type: 'string' },
      'allowed-users': { type: 'string' },
      'port-range': { type: 'string' },
      'docker-ports': { type: 'string' },
      'docker-port-ip': { type: 'string' },
      'docker-image': { type: 'string' },
      'docker-mount-root': { type: 'string', multiple: true },
      'docker-allow-writable-mounts': { type: 'boolean' },
      'docker-max-pids': { type: 'string' },
      'docker-deny': { type: 'string' },
      'docker-allow-caps': { type: 'string' },
      scheduler: { type: 'string' },
      advertise: { type: 'string' },
      label: { type: 'string', multiple: true },
      'capacity-cpu': { type: 'string' },
      'capacity-memory': { type: 'string' },
      ...AUDIT_FLAG_OPTIONS,
      ...SECURITY_FLAG_OPTIONS,
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
  if (values.help) return 'help';
  if (values.version) return 'version';
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  const { str: pick, label, int, address, duration, logLevel: readLogLevel } = flagReader(values, env);
  const maxStreams = pick('max-streams', 'MO_MAX_STREAMS');
  const logLevel = readLogLevel();
  // Repeated --label flags replace MO_NODE_LABELS as a whole, like every other flag its variable.
  const labelItems =
    values.label ??
    env.MO_NODE_LABELS?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  const labels = labelItems && parseNodeLabels(labelItems, '--label (MO_NODE_LABELS)');
  const docker = dockerLimitsOf(values, env, int('docker-max-pids', 'MO_DOCKER_MAX_PIDS'));
  return {
    ...readSecurityFlags(values, env),
    grpcListen: pick('grpc-listen', 'MO_AGENT_GRPC_LISTEN'),
    httpListen: pick('http-listen', 'MO_AGENT_HTTP_LISTEN'),
    dataDir: pick('data-dir', 'MO_DATA_DIR'),
    nodeName: pick('node-name', 'MO_NODE_NAME'),
    logLevel,
    logMaxBytes: int('log-max-bytes', 'MO_LOG_MAX_BYTES'),
    defaultGracePeriodMs: int('default-grace', 'MO_DEFAULT_GRACE_MS'),
    maxRetainedEnded: int('max-ended', 'MO_MAX_ENDED'),
    maxLogDisk: logBudgetOf(pick('max-log-disk', 'MO_MAX_LOG_DISK'), label('max-log-disk', 'MO_MAX_LOG_DISK')),
    maxStreams:
      maxStreams === undefined
        ? undefined
        : parseStreamCaps(maxStreams, label('max-streams', 'MO_MAX_STREAMS'), ['logs']),
    streamStallTimeoutMs: duration('stream-stall-timeout', 'MO_STREAM_STALL_TIMEOUT'),
    dockerSocket: pick('docker-socket', 'MO_DOCKER_SOCKET'),
    cgroupRoot: cgroupRootOf(pick('cgroup-root', 'MO_CGROUP_ROOT')),
    defaultUser: pick('default-user', 'MO_DEFAULT_USER'),
    allowedUsers: pick('allowed-users', 'MO_ALLOWED_USERS')?.split(','),
    docker,
    schedulerAddresses: addressesOf(pick('scheduler', 'MO_SCHEDULER_ADDR'), label('scheduler', 'MO_SCHEDULER_ADDR')),
    advertiseAddress: address('advertise', 'MO_ADVERTISE_ADDR'),
    labels,
    capacityCpuMillis: int('capacity-cpu', 'MO_CAPACITY_CPU'),
    capacityMemoryBytes: int('capacity-memory', 'MO_CAPACITY_MEMORY'),
    audit: parseAuditFlags(values, env),
  };
}

/** `a:1,b:2` (--scheduler, MO_SCHEDULER_ADDR): each a host:port; errors name the flag. */
function addressesOf(raw: string | undefined, name: string): string[] | undefined {
  if (raw === undefined) return undefined;
  try {
    const list = addressList(raw, name);
    for (const a of list) parseAddress(a);
    return list;
  } catch (err) {
    const message = (err as Error).message;
    throw new Error(message.startsWith(name) ? message : `${name}: ${message}`, { cause: err });
  }
}

function cgroupRootOf(root: string | undefined): string | undefined {
  if (root === undefined || root === 'off') return root;
  return validateCgroupRoot(root, '--cgroup-root (MO_CGROUP_ROOT)');
}

/** --max-log-disk (MO_MAX_LOG_DISK); undefined when not given. */
function logBudgetOf(raw: string | undefined, name: string): LogBudgetSetting | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseLogBudget(raw);
  } catch (err) {
    throw new Error(`${name}: ${(err as Error).message}`, { cause: err });
  }
}

/** The --docker-* flags over the defaults; undefined when none is given. */
function dockerLimitsOf(
  values: Record<string, string | string[] | boolean | undefined>,
  env: NodeJS.ProcessEnv,
  maxPids: number | undefined,
): DockerLimits | undefined {
  const { str } = flagReader(values, env);
  const limits: DockerLimits = { ...DEFAULT_AGENT_OPTIONS.docker };
  let given = false;
  // --port-range, or its older name --docker-ports; a flag before either variable.
  const [ports, name] = portRangeSetting(values, env);
  if (ports !== undefined) {
    const m = /^(\d{1,5})-(\d{1,5})$/.exec(ports);
    const first = Number(m?.[1]);
    const last = Number(m?.[2]);
    if (!m || first < 1 || last > 65535 || first > last) {
      throw new Error(`${name}: expected FIRST-LAST within 1-65535, got "${ports}"`);
    }
    limits.portRange = { first, last };
    given = true;
  }
  const ip = str('docker-port-ip', 'MO_DOCKER_PORT_IP');
  if (ip !== undefined) {
    limits.portHostIp = ip;
    given = true;
  }
  const image = str('docker-image', 'MO_DOCKER_IMAGE');
  if (image !== undefined) {
    limits.defaultImage = image;
    given = true;
  }
  const roots =
    (values['docker-mount-root'] as string[] | undefined) ??
    env.MO_DOCKER_MOUNT_ROOTS?.split(',').filter((s) => s.trim() !== '');
  if (roots) {
    for (const r of roots) {
      if (!r.startsWith('/')) throw new Error(`--docker-mount-root (MO_DOCKER_MOUNT_ROOTS): not absolute: "${r}"`);
    }
    limits.mountRoots = roots;
    given = true;
  }
  if (maxPids !== undefined) {
    limits.maxPidsLimit = maxPids;
    limits.defaultPidsLimit = Math.min(limits.defaultPidsLimit, maxPids);
    given = true;
  }
  const writable =
    values['docker-allow-writable-mounts'] === true ||
    ['1', 'true'].includes(env.MO_DOCKER_ALLOW_WRITABLE_MOUNTS ?? '');
  if (writable) {
    limits.allowWritableMounts = true;
    given = true;
  }
  const deny = str('docker-deny', 'MO_DOCKER_DENY');
  if (deny !== undefined) {
    for (const item of deny
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (!(DOCKER_RELAXATIONS as readonly string[]).includes(item)) {
        throw new Error(`--docker-deny (MO_DOCKER_DENY): expected ${DOCKER_RELAXATIONS.join('|')}, got "${item}"`);
      }
      if (item === 'network') limits.allowNetworks = ['none'];
      if (item === 'writable-root') limits.allowWritableRoot = false;
      if (item === 'mounts') limits.mountRoots = [];
      if (item === 'writable-mounts' && writable) {
        throw new Error(
          '--docker-deny (MO_DOCKER_DENY) writable-mounts contradicts --docker-allow-writable-mounts (MO_DOCKER_ALLOW_WRITABLE_MOUNTS)',
        );
      }
      if (item === 'new-privileges') limits.allowNewPrivileges = false;
    }
    given = true;
  }
  const caps = str('docker-allow-caps', 'MO_DOCKER_ALLOW_CAPS');
  if (caps !== undefined) {
    limits.allowCaps = caps
      .split(',')
      .map((c) => c.trim().toUpperCase().replace(/^CAP_/, ''))
      .filter(Boolean);
    for (const c of limits.allowCaps) {
      if (!/^[A-Z][A-Z_]{1,30}$/.test(c)) {
        throw new Error(`--docker-allow-caps (MO_DOCKER_ALLOW_CAPS): not a capability name: "${c}"`);
      }
    }
    given = true;
  }
  return given ? limits : undefined;
}

function portRangeSetting(
  values: Record<string, string | string[] | boolean | undefined>,
  env: NodeJS.ProcessEnv,
): [string | undefined, string] {
  const flag = (k: string) => (typeof values[k] === 'string' ? (values[k] as string) : undefined);
  if (flag('port-range') !== undefined) return [flag('port-range'), '--port-range'];
  if (flag('docker-ports') !== undefined) return [flag('docker-ports'), '--docker-ports'];
  if (env.MO_PORT_RANGE !== undefined) return [env.MO_PORT_RANGE, 'MO_PORT_RANGE'];
  return [env.MO_DOCKER_PORTS, 'MO_DOCKER_PORTS'];
}

/** Runs the agent until SIGTERM/SIGINT (workloads keep running); SIGHUP re-probes host facts, reloads TLS. */
export function main(argv: string[]): Promise<void> {
  return runDaemon(
    {
      name: 'mo-agent',
      help: HELP,
      version: AGENT_VERSION,
      parse: (args) => parseAgentArgs(args),
      start: (options) => startAgent(options),
      onStarted: (agent) =>
        process.on('SIGHUP', () => {
          agent.reloadTls();
          void agent.refreshFacts();
        }),
    },
    argv,
  );
}
