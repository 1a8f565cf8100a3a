// A bare HTTP call to the Docker Engine's unix socket, for the agent's start-up chores (listing
// and removing orphans): an agent with no docker workloads then never loads dockerode (~5 MiB RSS).
import http from 'node:http';

const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Resolves with the status and parsed JSON body (undefined when empty); rejects on transport errors. */
export function engineRequest(
  socketPath: string,
  method: 'GET' | 'DELETE',
  path: string,
  timeoutMs = 10_000,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, agent: false, headers: { Host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY_BYTES) req.destroy(new Error(`engine answer to ${path} is too large`));
        else chunks.push(c);
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as unknown) : undefined });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: text });
        }
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`engine did not answer ${path} in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
