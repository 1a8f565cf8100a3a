// Whether a Docker engine answers here, and where: the agent's host facts, its periodic re-probe and
// the docker driver's orphan clean-up all ask through probeDocker.
import { after } from '@mo/api';
import http from 'node:http';

export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
const DOCKER_PROBE_TIMEOUT_MS = 1000;
const MAX_VERSION_BODY_BYTES = 64 * 1024;

/**
 * The socket named by DOCKER_HOST when it is a unix:// address, else the default. Other schemes
 * (tcp://, ssh://) need TLS or ssh settings this probe does not have, so they fall back to the socket.
 */
export function dockerSocketFromEnv(env: NodeJS.ProcessEnv = process.env): string {
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
