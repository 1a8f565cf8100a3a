// Facts about this host that the agent reports when it registers: hardware, OS, which drivers it can
// offer, and the boot id that makes /proc start times comparable across agent restarts.
import { execFile } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AGENT_ROOT } from '../package-root.js';
import { dockerSocketFromEnv, probeDocker } from './docker.js';
import type { HardwareProbe } from './hardware-probe.js';
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

/** Always the built probe (dist/), also when this module runs from src/ (tests) or the bundle. */
const HARDWARE_PROBE_PATH = join(AGENT_ROOT, 'dist', 'host', 'hardware-probe.js');
const HARDWARE_PROBE_TIMEOUT_MS = 15_000;

export async function collectHostFacts(options: HostFactsOptions): Promise<HostFacts> {
  const [{ cpu, mem, os: osInfo }, docker] = await Promise.all([
    runHardwareProbe(),
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
 * Hardware and OS facts via systeminformation, asked in a short-lived child process
 * (hardware-probe.ts) so that the library never stays resident in the agent. Same Node binary, none
 * of the agent's flags (an --inspect port or --cpu-prof would clash or leave a stray profile).
 */
function runHardwareProbe(): Promise<HardwareProbe> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [HARDWARE_PROBE_PATH],
      { timeout: HARDWARE_PROBE_TIMEOUT_MS, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(`hardware probe ${HARDWARE_PROBE_PATH} failed: ${err.message} ${stderr.trim()}`, { cause: err }),
          );
          return;
        }
        try {
          resolve(JSON.parse(stdout) as HardwareProbe);
        } catch (parseErr) {
          reject(new Error(`hardware probe printed no facts: ${stdout.slice(0, 200)}`, { cause: parseErr }));
        }
      },
    );
  });
}
