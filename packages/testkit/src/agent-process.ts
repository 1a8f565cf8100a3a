// Starts a real `mo-agent` as a separate OS process on loopback with ephemeral ports, waits for
// its "agent ready" log line, and hands back its addresses, a client and ways to stop or kill it.
import { AgentClient } from '@mo/api';
import { spawnDaemon, tempDataDir } from './daemon.js';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The agent's executable in this checkout (built by `pnpm build`). */
export const AGENT_BIN = fileURLToPath(new URL('../../agent/bin/mo-agent.js', import.meta.url));
/**
 * The Node flags the agent's executable asks for on its `#!/usr/bin/env -S node ...` line, so an
 * agent started here runs like the installed one (memory settings are only honoured on the command
 * line, and we start it with this process's node, which ignores the shebang).
 */
export const AGENT_NODE_FLAGS = nodeFlagsOf(AGENT_BIN);
/** The `mo` CLI's executable in this checkout. */
export const CLI_BIN = fileURLToPath(new URL('../../cli/bin/mo.js', import.meta.url));

export interface AgentProcessOptions {
  /** Reuse a data dir (to restart an agent on the same state); default: a fresh temp dir. */
  dataDir?: string;
  extraArgs?: string[];
  env?: Record<string, string>;
  /** Max time to wait for readiness (default 15 s). */
  readyTimeoutMs?: number;
}

export interface AgentProcess {
  readonly pid: number;
  readonly dataDir: string;
  readonly grpcAddress: string;
  readonly httpAddress: string;
  readonly client: AgentClient;
  /** Everything the agent logged so far (JSON lines). */
  logs(): string;
  /** Sends a signal and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function startAgentProcess(options: AgentProcessOptions = {}): Promise<AgentProcess> {
  const dataDir = options.dataDir ?? tempDataDir('mo-agent-');
  const { child, ready, logs, exited } = await spawnDaemon<{ grpc: string; http: string }>({
    name: 'mo-agent',
    args: [
      ...AGENT_NODE_FLAGS,
      AGENT_BIN,
      '--grpc-listen',
      '127.0.0.1:0',
      '--http-listen',
      '127.0.0.1:0',
      '--data-dir',
      dataDir,
      '--log-level',
      'debug',
      ...(options.extraArgs ?? []),
    ],
    ...(options.env ? { env: options.env } : {}),
    readyMsg: 'agent ready',
    ...(options.readyTimeoutMs ? { timeoutMs: options.readyTimeoutMs } : {}),
  });
  const client = new AgentClient(ready.grpc);
  return {
    pid: child.pid!,
    dataDir,
    grpcAddress: ready.grpc,
    httpAddress: ready.http,
    client,
    logs,
    async kill(signal: NodeJS.Signals = 'SIGTERM') {
      client.close();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** The Node flags on a `#!/usr/bin/env -S node ...` line of a daemon's executable. */
export function nodeFlagsOf(script: string): string[] {
  const first = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^#!\S*env -S node((?: \S+)*)\s*$/.exec(first);
  return m?.[1]?.trim().split(' ').filter(Boolean) ?? [];
}
