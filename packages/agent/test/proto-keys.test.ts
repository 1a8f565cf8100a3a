// Map keys that are Object.prototype's names are ordinary keys end to end: an env variable named
// `__proto__` (Linux allows it) reaches the workload's real environment, and so does
// `constructor`; an output line `__proto__=...` comes back as an output.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAgentProcess, waitFor, type AgentProcess } from '@mo/testkit';

let agent: AgentProcess;
beforeAll(async () => {
  agent = await startAgentProcess();
});
afterAll(async () => {
  await agent?.kill('SIGTERM');
});

it('passes __proto__ and constructor through to the process and back as outputs', async () => {
  const env = JSON.parse('{"__proto__":"from-proto","constructor":"from-ctor","PLAIN":"p"}') as Record<string, string>;
  const w = await agent.client.startWorkload({
    argv: ['sh', '-c', 'env; printf "__proto__=out-proto\\nconstructor=out-ctor\\n" > "$MO_OUTPUT"'],
    env,
  });
  expect(Object.keys(w.spec!.env)).toEqual(expect.arrayContaining(['__proto__', 'constructor', 'PLAIN']));
  const done = await waitFor('the workload to end', async () => {
    const s = await agent.client.getWorkload(w.spec!.id);
    return s.state === 'WORKLOAD_STATE_SUCCEEDED' || s.state === 'WORKLOAD_STATE_FAILED' ? s : undefined;
  });
  expect(done.state).toBe('WORKLOAD_STATE_SUCCEEDED');
  const printed = readFileSync(join(agent.dataDir, 'workloads', w.spec!.id, 'stdout.log'), 'utf8').split('\n');
  expect(printed).toEqual(expect.arrayContaining(['__proto__=from-proto', 'constructor=from-ctor', 'PLAIN=p']));
  expect(Object.hasOwn(done.outputs, '__proto__')).toBe(true);
  expect(done.outputs['__proto__']).toBe('out-proto');
  expect(done.outputs['constructor']).toBe('out-ctor');
});
