// Facts about this host that the agent reports when it registers: hardware, OS, which drivers it can
// offer, and the boot id that makes /proc start times comparable across agent restarts.
import { after } from '@mo/api';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AGENT_ROOT } from '../package-root.js';
import type { HostProbe } from './host-probe.js';
import { readBootId } from './proc.js';

export interface HostFacts {
  nodeName: string;
  hostname: string;
  /** "<manufacturer> <brand>", e.g. "AMD EPYC 7B13". */
  cpuModel: string;
  /** Logical cores (hardware threads). */
  cpuCores: number;
  memoryTotalBytes: number;
  /** "<distro> <release>", e.g. "Debian GNU/Linux 12". */
  os: string;
  kernel: string;
  arch: string;
  /** Drivers this agent can run workloads with: always "process", plus "docker" when an engine answers. */
  drivers: string[];
  dockerAvailable: boolean;
  /** The engine's version, or "" when unavailable. */
  dockerVersion: string;
  bootId: string;
  agentVersion: string;
}

export interface HostFactsOptions {
  nodeName: string;
  agentVersion: string;
  /** Docker Engine unix socket; defaults to DOCKER_HOST (unix://...) or /var/run/docker.sock. */
  dockerSocket?: string;
}

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const DOCKER_PROBE_TIMEOUT_MS = 1000;
const MAX_VERSION_BODY_BYTES = 64 * 1024;
/** Always the built probe (dist/), also when this module runs from src/ (tests) or the bundle. */
const HOST_PROBE_PATH = join(AGENT_ROOT, 'dist', 'metrics', 'host-probe.js');
const HOST_PROBE_TIMEOUT_MS = 15_000;

export async function collectHostFacts(options: HostFactsOptions): Promise<HostFacts> {
  const [{ cpu, mem, os: osInfo }, docker] = await Promise.all([
    runHostProbe(),
    probeDocker(options.dockerSocket ?? dockerSocketFromEnv()),
  ]);
  return {
    nodeName: options.nodeName,
    hostname: hostname(),
    cpuModel: [cpu.manufacturer, cpu.brand].filter((s) => s !== '').join(' '),
    cpuCores: cpu.cores,
    memoryTotalBytes: mem.total,
    os: [osInfo.distro, osInfo.release].filter((s) => s !== '').join(' '),
    kernel: osInfo.kernel,
    arch: osInfo.arch,
    drivers: docker.available ? ['process', 'docker'] : ['process'],
    dockerAvailable: docker.available,
    dockerVersion: docker.version,
    bootId: readBootId(),
    agentVersion: options.agentVersion,
  };
}

/**
 * Hardware and OS facts via systeminformation, asked in a short-lived child process (host-probe.ts)
 * so that the library never stays resident in the agent. Same Node binary, none of the agent's flags
 * (an --inspect port or --cpu-prof would clash or leave a stray profile).
 */
function runHostProbe(): Promise<HostProbe> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [HOST_PROBE_PATH],
      { timeout: HOST_PROBE_TIMEOUT_MS, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`host probe ${HOST_PROBE_PATH} failed: ${err.message} ${stderr.trim()}`, { cause: err }));
          return;
        }
        try {
          resolve(JSON.parse(stdout) as HostProbe);
        } catch (parseErr) {
          reject(new Error(`host probe printed no facts: ${stdout.slice(0, 200)}`, { cause: parseErr }));
        }
      },
    );
  });
}

/**
 * The socket named by DOCKER_HOST when it is a unix:// address, else the default. Other schemes
 * (tcp://, ssh://) need TLS or ssh settings this probe does not have, so they fall back to the socket.
 */
function dockerSocketFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST;
  if (host?.startsWith('unix://') && host.length > 'unix://'.length) return host.slice('unix://'.length);
  return DEFAULT_DOCKER_SOCKET;
}

/**
 * Asks the engine for GET /version. A present socket file proves nothing (the daemon may be down or
 * hung), so availability means an actual 200 answer within the timeout. Never rejects.
 */
export function probeDocker(socketPath: string): Promise<{ available: boolean; version: string }> {
  const unavailable = { available: false, version: '' };
  return new Promise((resolve) => {
    let settled = false;
    let req: http.ClientRequest | undefined;
    const finish = (result: { available: boolean; version: string }) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      req?.destroy();
      resolve(result);
    };
    const timer = after(DOCKER_PROBE_TIMEOUT_MS, () => finish(unavailable));
    try {
      req = http.get({ socketPath, path: '/version', agent: false, headers: { Host: 'docker' } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          finish(unavailable);
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_VERSION_BODY_BYTES) finish(unavailable);
          else chunks.push(chunk);
        });
        res.on('end', () => {
          let version = '';
          try {
            const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            if (typeof body === 'object' && body !== null && 'Version' in body && typeof body.Version === 'string') {
              version = body.Version;
            }
          } catch {
            // A 200 with an unreadable body is still an engine answering; the version is just unknown.
          }
          finish({ available: true, version });
        });
        res.on('error', () => finish(unavailable));
      });
    } catch {
      finish(unavailable);
      return;
    }
    req.on('error', () => finish(unavailable));
  });
}
