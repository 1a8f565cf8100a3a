import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from '@jest/globals';
import protobuf from 'protobufjs';
import { join } from 'node:path';
import { InvalidArgumentError } from './errors.js';
import { encodeMessage } from './wire/codec.js';
import { LIMITS, MAX_SPEC_BYTES } from './limits.js';
import { PROTO_ROOT } from './proto.js';
import { guardRequest } from './wire-guard.js';
import { RefusedRequest, requestDecoder } from './malformed.js';

const refusal = (type: string, bytes: Uint8Array): InvalidArgumentError | undefined => {
  try {
    guardRequest(type, bytes);
    return undefined;
  } catch (err) {
    return err as InvalidArgumentError;
  }
};
const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`K${i}`, 'v']));

describe('the wire guard (bounds checked before decoding)', () => {
  it('passes a request within every limit', () => {
    const spec = { argv: ['sleep', '1'], env: many(LIMITS.envCount), labels: { a: 'b' } };
    expect(refusal('StartWorkloadRequest', encodeMessage('StartWorkloadRequest', { spec }))).toBeUndefined();
  });

  it.each(
    (
      [
        ['StartWorkloadRequest', { spec: { argv: ['x'], env: many(LIMITS.envCount + 1) } }, 'spec.env'],
        ['StartWorkloadRequest', { spec: { argv: Array(LIMITS.argvCount + 1).fill('a') } }, 'spec.argv'],
        ['StartWorkloadRequest', { spec: { argv: ['x'], labels: many(LIMITS.labelCount + 1) } }, 'spec.labels'],
        [
          'StartWorkloadRequest',
          { spec: { argv: ['x'], docker: { ports: Array.from({ length: 33 }, (_, i) => i + 1) } } },
          'spec.docker.ports',
        ],
        [
          'SubmitWorkloadRequest',
          { spec: { argv: ['x'] }, scheduling: { constraints: many(LIMITS.labelCount + 1) } },
          'scheduling.constraints',
        ],
        ['StartWorkloadsRequest', { specs: [{ argv: ['x'] }, { argv: ['x'], env: many(2000) }] }, 'specs[1].env'],
        ['StartWorkloadsRequest', { specs: Array(LIMITS.batchSpecs + 1).fill({ argv: ['x'] }) }, 'specs'],
      ] as const
    ).map(([type, msg, field]) => ({ type, msg, field })),
  )('refuses a $type past a count limit of $field', ({ type, msg, field }) => {
    const err = refusal(type, encodeMessage(type, msg));
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect(err?.field).toBe(field);
    expect(err?.message).toMatch(/has more than \d+ entries/);
  });

  it('refuses a WorkloadSpec over MAX_SPEC_BYTES encoded, without decoding it', () => {
    const spec = { argv: ['x', 'y'.repeat(MAX_SPEC_BYTES)] };
    const err = refusal('StartWorkloadRequest', encodeMessage('StartWorkloadRequest', { spec }));
    expect(err?.field).toBe('spec');
    expect(err?.message).toContain(`at most ${MAX_SPEC_BYTES}`);
  });

  it('counts a spec sent in two pieces (protobuf merges them) as one', () => {
    const half = encodeMessage('StartWorkloadRequest', { spec: { argv: ['x'], env: many(600) } });
    const err = refusal('StartWorkloadRequest', Buffer.concat([half, half]));
    expect(err?.field).toBe('spec.env');
  });

  it('refuses 110,000 env entries (a 1 MiB spec) at the 1025th, without decoding them', () => {
    const one = encodeMessage('StartWorkloadRequest', { spec: { env: { K1: 'v' } } }).subarray(2); // an env entry, untagged spec
    const entries = Buffer.concat(Array(110_000).fill(one));
    const bytes = Buffer.concat([Buffer.from([0x0a]), varint(entries.length), entries]);
    const t0 = performance.now();
    const err = refusal('StartWorkloadRequest', bytes);
    const ms = performance.now() - t0;
    expect(bytes.length).toBeLessThan(MAX_SPEC_BYTES);
    expect(err?.field).toBe('spec.env');
    console.log(`guard refused a ${bytes.length}-byte request in ${ms.toFixed(3)} ms`);
  });

  it('leaves malformed bytes to the codec, and unguarded types alone', () => {
    expect(refusal('StartWorkloadRequest', Buffer.from([0x0a, 0xff, 0xff]))).toBeUndefined();
    expect(refusal('GetNodeStatusRequest', Buffer.alloc(10, 0xff))).toBeUndefined();
  });

  it('hands a refusal on as a RefusedRequest (grpc-js would turn a throw into a bare INTERNAL)', () => {
    const decode = requestDecoder('StartWorkloadRequest', () => ({ decoded: true }));
    const out = decode(encodeMessage('StartWorkloadRequest', { spec: { argv: ['x'], env: many(1025) } }));
    expect(out).toBeInstanceOf(RefusedRequest);
    expect((out as RefusedRequest).code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((out as RefusedRequest).details).toContain('spec.env');
    expect(decode(encodeMessage('StartWorkloadRequest', { spec: { argv: ['x'] } }))).toEqual({ decoded: true });
  });

  it('uses the field numbers of proto/mo/v1', () => {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
    root.loadSync(['mo/v1/agent.proto', 'mo/v1/scheduler.proto']);
    const id = (type: string, field: string) => root.lookupType(`mo.v1.${type}`).fields[field]!.id;
    expect([
      id('StartWorkloadRequest', 'spec'),
      id('StartWorkloadsRequest', 'specs'),
      id('SubmitWorkloadRequest', 'spec'),
      id('SubmitWorkloadRequest', 'scheduling'),
      id('SchedulingSpec', 'constraints'),
      id('WorkloadSpec', 'argv'),
      id('WorkloadSpec', 'env'),
      id('WorkloadSpec', 'labels'),
      id('WorkloadSpec', 'docker'),
      id('WorkloadSpec', 'artifacts'),
      id('DockerSpec', 'ports'),
      id('DockerSpec', 'mounts'),
      id('DockerSpec', 'capAdd'),
      id('ArtifactSpec', 'upload'),
      id('ArtifactSpec', 'inputs'),
    ]).toEqual([1, 1, 1, 2, 1, 3, 4, 7, 10, 11, 4, 5, 7, 3, 4]);
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n = Math.floor(n / 128);
  }
  out.push(n);
  return Buffer.from(out);
}
