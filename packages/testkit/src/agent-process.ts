// Starts a real `mo-agent` as a separate OS process on loopback with ephemeral ports, waits for
// its "agent ready" log line, and hands back its addresses, a client and ways to stop or kill it.
import { AgentClient } from '@mo/api';
import { startDaemonProcess, tempDataDir, type DaemonProcess } from './daemon.js';
import { agentCertificate, agentNodeName, testAgentClientOptions, tlsFlags } from './pki.js';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `#!/usr/bin/env -S [NAME=value ...] node [flags ...]`: the assignments and the flags. */
const SHEBANG = /^#!\S*env -S((?: [A-Z_][A-Z0-9_]*=\S*)*) node((?: \S+)*)\s*$/;

/** The agent's executable in this checkout (built by `pnpm build`). */
export const AGENT_BIN = fileURLToPath(new URL('../../agent/bin/mo-agent.js', import.meta.url));
/**
 * The Node flags the agent's executable asks for on its `#!/usr/bin/env -S node ...` line, so an
 * agent started here runs like the installed one (memory settings are only honoured on the command
 * line, and we start it with this process's node, which ignores the shebang).
 */
export const AGENT_NODE_FLAGS = nodeFlagsOf(AGENT_BIN);
/** The environment the same line sets (malloc tunables: see the executable). */
export const AGENT_NODE_ENV = nodeEnvOf(AGENT_BIN);
/** The `mo` CLI's executable in this checkout. */
export const CLI_BIN = fileURLToPath(new URL('../../cli/bin/mo.cjs', import.meta.url));
/** The Node flags on its #! line: `runMo` passes them, so tests run the CLI as users do. */
export const CLI_NODE_FLAGS = nodeFlagsOf(CLI_BIN);
/** The `mo` executable (native/mo-front.c, built beside CLI_BIN): the CLI helper's front. */
export const CLI_FRONT = fileURLToPath(new URL('../../cli/bin/mo', import.meta.url));

export interface AgentProcessOptions {
  /** Reuse a data dir (to restart an agent on the same state); default: a fresh temp dir. */
  dataDir?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** gRPC listen address (default 127.0.0.1:0). */
  grpcListen?: string;
  /** HTTP listen address (default 127.0.0.1:0); in a bed host, its address to be reached from outside. */
  httpListen?: string;
  /** A command to run it under, e.g. a test bed host's `wrap` to run it in that namespace. */
  wrap?: readonly string[];
  /** Max time to wait for readiness (default 15 s). */
  readyTimeoutMs?: number;
  /**
   * Plaintext (--insecure) instead of TLS. By default the agent runs with a certificate of the
   * run's CA for its node name (--node-name, MO_NODE_NAME, else the host name), and its client
   * carries the scheduler's certificate.
   */
  insecure?: boolean;
}

/** A real mo-agent process and a client for it. */
export type AgentProcess = DaemonProcess<AgentClient>;

export async function startAgentProcess(options: AgentProcessOptions = {}): Promise<AgentProcess> {
  const node = agentNodeName(options.extraArgs ?? [], options.env);
  const security = options.insecure ? ['--insecure'] : tlsFlags(await agentCertificate(node));
  return startDaemonProcess({
    name: 'mo-agent',
    bin: AGENT_BIN,
    nodeFlags: AGENT_NODE_FLAGS,
    ...options,
    // First, so a test's own --tls-* flags win.
    extraArgs: [...security, ...(options.extraArgs ?? [])],
    env: { ...AGENT_NODE_ENV, ...options.env },
    dataDir: options.dataDir ?? tempDataDir('mo-agent-'),
    readyMsg: 'agent ready',
    addresses: (ready) => {
      noteCgroupRoot(ready.cgroupRoot);
      return { grpc: String(ready.grpc), http: String(ready.http) };
    },
    client: (address) => new AgentClient(address, options.insecure ? { insecure: true } : testAgentClientOptions(node)),
  });
}

/**
 * Under jest, each agent's cgroup root is listed in the run's temp dir: the global teardown
 * (scripts/jest-global-teardown.mjs) removes them, with whatever a test left running in them.
 */
function noteCgroupRoot(root: unknown): void {
  const runDir = process.env.MO_TEST_RUN_DIR;
  if (!runDir || typeof root !== 'string' || !root.startsWith('/')) return;
  appendFileSync(join(runDir, 'cgroup-roots'), `${root}\n`);
}

/** The Node flags on a `#!/usr/bin/env -S node ...` line of a daemon's executable. */
export function nodeFlagsOf(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  return SHEBANG.exec(first)?.[2]?.trim().split(' ').filter(Boolean) ?? [];
}

/** The environment a daemon's `#!/usr/bin/env -S NAME=value node ...` line sets (e.g. GLIBC_TUNABLES). */
export function nodeEnvOf(script: string): Record<string, string> {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const words = SHEBANG.exec(first)?.[1]?.trim().split(' ').filter(Boolean) ?? [];
  return Object.fromEntries(words.map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
}
