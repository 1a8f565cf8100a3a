// A real scheduler on the test bed's bridge and a real agent in its own network namespace
// (--scheduler, --advertise, --grpc-listen on its namespace address). A silent partition must be
// noticed by both daemons within seconds: each drops its end of the connection (watched with `ss`
// on both sides, so this holds whatever the daemons then decide about the node), instead of when
// TCP retransmission gives up. After the heal the agent connects and heartbeats again.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { KEEPALIVE_TIMEOUT_MS, SERVER_KEEPALIVE_TIME_MS } from '@mo/api';
import {
  createNetnsBed,
  netnsUnavailable,
  requireTool,
  startAgentProcess,
  startSchedulerProcess,
  waitFor,
  type AgentProcess,
  type NetnsBed,
  type SchedulerProcess,
} from '@mo/testkit';
import { execFile, execFileSync } from 'node:child_process';

const why = netnsUnavailable();
const maybe = requireTool(!why, `a network-namespace test bed (${why})`) ? it.each : it.skip.each;

// Both ends of the agent's heartbeat connection ping every SERVER_KEEPALIVE_TIME_MS: the
// scheduler as a server, and the agent's reporter, whose scheduler answers tell a partition too
// (in 3 heartbeat intervals: 3 s with workloads, 30 s for an idle node like this one).
const DETECT_MS = SERVER_KEEPALIVE_TIME_MS + KEEPALIVE_TIMEOUT_MS;
const SLACK_MS = 2000;
const AGENT_PORT = 7610; // in the agent's own namespace: nothing else listens there

let bed: NetnsBed;
let scheduler: SchedulerProcess;
let agent: AgentProcess;

beforeAll(async () => {
  if (why) return;
  bed = await createNetnsBed({ hosts: 1 });
  scheduler = await startSchedulerProcess({ grpcListen: `${bed.hostAddress}:0` });
  const h = bed.hosts[0]!;
  agent = await startAgentProcess({
    wrap: h.wrap,
    grpcListen: `${h.address}:${AGENT_PORT}`,
    extraArgs: ['--scheduler', scheduler.grpcAddress, '--advertise', `${h.address}:${AGENT_PORT}`, '--node-name', 'h0'],
  });
});
afterAll(async () => {
  await agent?.kill('SIGKILL');
  await scheduler?.kill('SIGTERM');
  await bed?.close();
});

/** Connections between the agent's address and the scheduler's port in `state`, seen from one side. */
function connections(side: 'scheduler' | 'agent', state = 'established'): Promise<number> {
  const h = bed.hosts[0]!;
  const port = scheduler.grpcAddress.split(':').at(-1)!;
  const [cmd, ...args] = [
    ...(side === 'agent' ? h.wrap : []),
    'ss',
    '-Htn',
    'state',
    state,
    side === 'agent' ? 'dport' : 'sport',
    '=',
    `:${port}`,
  ];
  return new Promise((resolve, reject) =>
    execFile(cmd!, args, { encoding: 'utf8' }, (err, out) =>
      err ? reject(err) : resolve(out.split('\n').filter((l) => l.includes(`${h.address}:`)).length),
    ),
  );
}

/** `ss` of the agent's sockets to the scheduler's port, from inside its namespace. */
function agentSockets(flags: string): string {
  const [cmd, ...args] = bed.hosts[0]!.wrap;
  const port = scheduler.grpcAddress.split(':').at(-1)!;
  return execFileSync(cmd!, [...args, 'ss', flags, 'dport', '=', `:${port}`], { encoding: 'utf8' });
}

const nodeUp = async () => (await scheduler.client.listNodes()).nodes.find((n) => n.name === 'h0');

/** Long enough for the agent to be redialing into the partition when it heals. */
const HOLD_MS = DETECT_MS + 4000;

maybe([
  ['a silent partition (iptables DROP)', 'partition'],
  ['a cut link (veth down)', 'cutLink'],
] as const)(
  '%s: both daemons drop the connection within seconds; the agent is back after the heal',
  async (_, how) => {
    const h = bed.hosts[0]!;
    await waitFor('the agent to heartbeat', async () => (await nodeUp())?.state === 'NODE_STATE_UP');
    await waitFor(
      'a connection',
      async () => (await connections('agent')) >= 1 && (await connections('scheduler')) >= 1,
    );

    await h[how]();
    const t0 = Date.now();
    const gone = (side: 'scheduler' | 'agent') =>
      waitFor(`the ${side} to drop the connection`, async () => (await connections(side)) === 0 && Date.now(), {
        timeoutMs: 30_000,
        intervalMs: 50,
      });
    const [agentAt, schedulerAt] = await Promise.all([gone('agent'), gone('scheduler')]).catch((err: unknown) => {
      // What still holds the connection, for the next one who sees this fail.
      console.log(`${how}: the agent's sockets to the scheduler when the wait gave up:\n${agentSockets('-tnpoe')}`);
      throw err;
    });
    console.log(`${how}: noticed by the agent after ${agentAt - t0} ms, by the scheduler after ${schedulerAt - t0} ms`);
    expect(agentAt - t0).toBeLessThanOrEqual(DETECT_MS + SLACK_MS);
    expect(schedulerAt - t0).toBeLessThanOrEqual(DETECT_MS + SLACK_MS);

    await new Promise((r) => setTimeout(r, t0 + HOLD_MS - Date.now())); // the partition lasts HOLD_MS (the scenario)
    await h.heal();
    const t1 = Date.now();
    const back = await waitFor(
      'the agent to heartbeat again',
      async () => {
        const n = await nodeUp();
        return n?.state === 'NODE_STATE_UP' && Number(n.lastHeartbeatMs) > t1 && Date.now();
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    // How soon depends on the agent's reconnect backoff (its reporter), not on the transport.
    console.log(`${how} of ${HOLD_MS} ms: after the heal the agent heartbeat again after ${back - t1} ms`);
    expect(await connections('agent')).toBeGreaterThanOrEqual(1);
    // No socket leaked by the agent's attempts during the outage. Each attempt is a fresh channel,
    // closed after its short connect wait while its SYN may still be retransmitted. grpc-js 1.14.7
    // returned a rejected createSession un-awaited inside its try, so a TCP connect that completed
    // after its channel was closed kept its socket, with no session and no keepalive (patched:
    // patches/@grpc__grpc-js@1.14.7.patch). Once the scheduler hangs up such a socket sits in
    // CLOSE-WAIT for good. Retransmits land up to ~7 s after the heal, the hang-up ~5 s later.
    // Not proven to be why a cut link once went unnoticed by the agent for 30 s under the full
    // suite's load; the listing shows what the agent holds.
    await new Promise((r) => setTimeout(r, 15_000)); // a window that proves a negative: no socket left in CLOSE-WAIT
    const listing = agentSockets('-tn');
    console.log(`${how}: the agent's sockets to the scheduler 15 s after it was back:\n${listing}`);
    expect(await connections('agent', 'close-wait')).toBe(0);
    expect(await connections('agent')).toBeGreaterThanOrEqual(1);
  },
  90_000,
);
