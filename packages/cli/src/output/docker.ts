// How a docker workload's sandbox and published ports read in `mo status ID` (both the agent's
// and the scheduler's view).
import type { DockerSpec__Output, PortMapping__Output } from '@mo/api';

/** `mo-sandbox:latest, network none, read-only root, pids 256, mount /src:/work:ro` */
export function sandboxText(d: DockerSpec__Output | null | undefined): string | undefined {
  if (!d) return undefined;
  const parts = [
    d.image || '(default image)',
    `network ${d.network || 'none'}`,
    d.writableRoot ? 'writable root' : 'read-only root',
  ];
  if (d.pidsLimit) parts.push(`pids ${d.pidsLimit}`);
  for (const m of d.mounts) parts.push(`mount ${m.source}:${m.target}${m.readOnly ? ':ro' : ''}`);
  return parts.join(', ');
}

/**
 * `0.0.0.0:3001->3000/tcp, 0.0.0.0:3002->8080/tcp`, or undefined when none is published. A named
 * port (a job's `ports`) leads with its name: `http=0.0.0.0:31000` for a process (it listens on
 * the host port itself), `http=0.0.0.0:31000->8080/tcp` for a container.
 */
export function portsText(ports: readonly PortMapping__Output[] | undefined): string | undefined {
  if (!ports?.length) return undefined;
  return ports
    .map((p) => {
      const host = `${p.hostIp || '0.0.0.0'}:${p.hostPort}`;
      const mapped = p.containerPort ? `${host}->${p.containerPort}/tcp` : host;
      return p.name ? `${p.name}=${mapped}` : mapped;
    })
    .join(', ');
}
