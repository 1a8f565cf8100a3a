// A workload's named ports (spec.ports) as this agent gives them: a host port each from the pool
// when it starts (kept in its record, so a restarted agent reserves them again), what its
// environment says of them, where its checks dial them, and how its status lists them.
import type { NamedPortSpec } from '@mo/api';
import type { PortMappingRecord } from '../drivers/driver.js';
import type { PortAllocator } from './pool.js';

/** One named port as allocated: kept in the workload's record. */
export interface NamedPortRecord {
  name: string;
  /** The container port it is published to (docker); 0 for a process. */
  to: number;
  hostPort: number;
  /** The host address the pool publishes on (docker; a process binds where it likes). */
  hostIp: string;
}

/** A host port for each named port, or ResourceExhaustedError (`spec.ports: no free host port ...`). */
export async function allocateNamedPorts(
  pool: PortAllocator,
  hostIp: string,
  ports: readonly NamedPortSpec[] | undefined,
): Promise<NamedPortRecord[]> {
  if (!ports?.length) return [];
  const hostPorts = await pool.allocate(ports.length, 'spec.ports');
  return ports.map((p, i) => ({ name: p.name, to: p.to, hostPort: hostPorts[i]!, hostIp }));
}

export function hostPortsOfNamed(ports: readonly NamedPortRecord[] | undefined): number[] {
  return (ports ?? []).map((p) => p.hostPort);
}

/**
 * $MO_PORT_<NAME> and $MO_ADDR_<NAME> of each named port. A process listens on the host port; a
 * container on `to` (its host port is published to it). MO_ADDR is where others reach it: the
 * host of the agent's advertised address and the host port.
 */
export function portEnv(ports: readonly NamedPortRecord[] | undefined, addressHost: string): Record<string, string> {
  const env: Record<string, string> = {};
  const host = addressHost.includes(':') ? `[${addressHost}]` : addressHost;
  for (const p of ports ?? []) {
    const key = p.name.toUpperCase();
    env[`MO_PORT_${key}`] = String(p.to || p.hostPort);
    env[`MO_ADDR_${key}`] = `${host}:${p.hostPort}`;
  }
  return env;
}

/**
 * Where a check dials a named port: the host port on loopback when the pool publishes on every
 * address (or the port is a process's), else on the address it is published on.
 */
export function checkEndpoint(p: NamedPortRecord): { host: string; port: number } {
  const wildcard = p.to === 0 || p.hostIp === '' || p.hostIp === '0.0.0.0' || p.hostIp === '::';
  return { host: wildcard ? '127.0.0.1' : p.hostIp, port: p.hostPort };
}

/** WorkloadStatus.ports of named ports: container_port 0 for a process. */
export function namedPortMappings(
  ports: readonly NamedPortRecord[] | undefined,
): Array<PortMappingRecord & { name: string }> {
  return (ports ?? []).map((p) => ({ name: p.name, containerPort: p.to, hostPort: p.hostPort, hostIp: p.hostIp }));
}
