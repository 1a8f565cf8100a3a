// Long deadlines on the wire, against a real grpc-js server: the deadline the server computes from
// grpc-timeout must be the one the client meant (capped at MAX_DEADLINE_MS), for the wire
// transport and for grpc-js calls alike. A 9-digit value once became "the last 8 digits" there
// (100,000,000 ms read as 0: expired at once), and a value past 2^31 ms wraps negative there.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { AgentClient } from './client.js';
import type { NodeAgentHandlers } from './generated/mo/v1/NodeAgent.js';
import { MAX_DEADLINE_MS } from './wire/timeout.js';
import { moProto } from './proto.js';
import { createMoServer, type MoServer } from './server.js';
import { agentCertificate, testAgentClientOptions, testServerOptions } from '@mo/testkit';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let server: MoServer;
let address: string;
/** The deadline the server saw on the last call, as ms from when it saw it. */
let seen: number | undefined;

function remaining(call: { getDeadline(): grpc.Deadline }): number {
  const d = call.getDeadline();
  return (d instanceof Date ? d.getTime() : d) - Date.now();
}

beforeAll(async () => {
  server = createMoServer({ services: ['mo.v1.NodeAgent'], ...testServerOptions(await agentCertificate('test-node')) });
  const unimplemented = (_call: unknown, cb: grpc.sendUnaryData<never>) => cb({ code: grpc.status.UNIMPLEMENTED });
  const handlers: NodeAgentHandlers = {
    StartWorkload: unimplemented,
    StartWorkloads: unimplemented,
    GetWorkload: unimplemented,
    StopWorkload: unimplemented,
    GetNodeStatus: (call, cb) => {
      seen = remaining(call);
      cb(null, { workloads: [] });
    },
    StreamLogs: (call) => {
      seen = remaining(call);
      call.end();
    },
  };
  server.server.addService(moProto().mo.v1.NodeAgent.service, handlers);
  address = `127.0.0.1:${await server.listen('127.0.0.1:0')}`;
});

afterAll(async () => {
  await server.close(100);
});

describe.each([
  ['a 27.7 h deadline (the last in ms)', 99_999_999],
  ['a 27.8 h deadline (9 digits in ms)', 100_000_000],
  ['a 30 h deadline', 30 * HOUR],
  ['a 24.8-day deadline (the cap)', MAX_DEADLINE_MS],
  ['a 26-day deadline (past 2^31 ms)', 26 * DAY],
  ['a 30-day deadline', 30 * DAY],
])('%s', (_, deadlineMs) => {
  const expected = Math.min(deadlineMs, MAX_DEADLINE_MS);

  it('reaches the server intact over the wire transport', async () => {
    const client = new AgentClient(address, testAgentClientOptions('test-node', { deadlineMs }));
    try {
      seen = undefined;
      await client.getNodeStatus();
      // Rounded up to the unit the header uses (at most a second here), less the time in flight.
      expect(seen).toBeGreaterThan(expected - 5000);
      expect(seen).toBeLessThanOrEqual(expected + 1000);
    } finally {
      client.close();
    }
  });

  it('reaches the server intact over grpc-js', async () => {
    const client = new AgentClient(address, testAgentClientOptions('test-node', { deadlineMs }));
    try {
      seen = undefined;
      for await (const _ of client.streamLogs({ workloadId: 'w' })) void _;
      expect(seen).toBeGreaterThan(expected - 5000);
      expect(seen).toBeLessThanOrEqual(expected + 1000);
    } finally {
      client.close();
    }
  });
});
