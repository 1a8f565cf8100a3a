// The request shapes of "no request stalls a daemon" (issue 12), shared by the real-daemon test
// (packages/scheduler/test/large-requests.test.ts) and `pnpm bench bounds`: a maximum-size valid
// process spec, a batch of them near the 4 MiB message limit, and a hostile 4 MiB StartWorkload
// whose spec holds ~280,000 tiny env entries (what the audit sent: decoding it alone took
// ~160 ms; the agent now refuses it on its bytes).
import { encodeMessage } from '@mo/api/wire';

/** A spec as large as the limits allow for a process workload of its own (~258 KiB encoded). */
export function maxProcessSpec(argv0 = 'true'): {
  argv: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
} {
  const arg = 'a'.repeat(2000);
  return {
    argv: [argv0, ...Array.from({ length: 60 }, () => arg)],
    env: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`V${i}`, arg])),
    labels: Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`l${i}`, 'v'.repeat(256)])),
  };
}

/** Encoded StartWorkloadRequest of one maximum-size spec. */
export function maxStartRequest(): Buffer {
  return encodeMessage('StartWorkloadRequest', { spec: maxProcessSpec() });
}

/** Encoded StartWorkloadsRequest of 15 maximum-size specs (~3.9 MiB, within the 4 MiB limit). */
export function maxBatchRequest(): Buffer {
  return encodeMessage('StartWorkloadsRequest', { specs: Array.from({ length: 15 }, () => maxProcessSpec()) });
}

/** A 4 MiB StartWorkloadRequest of tiny env entries, written on the wire directly (fast). */
export function hostileStartRequest(): Buffer {
  const entry = Buffer.from(encodeMessage('StartWorkloadRequest', { spec: { env: { K1: 'v' } } }).subarray(2));
  const n = Math.floor((4 * 1024 * 1024 - 64) / entry.length);
  const body = Buffer.concat([encodeMessage('WorkloadSpec', { argv: ['true'] }), ...Array<Buffer>(n).fill(entry)]);
  return Buffer.concat([Buffer.from([0x0a]), varint(body.length), body]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  for (; n > 127; n = Math.floor(n / 128)) out.push((n & 127) | 128);
  out.push(n);
  return Buffer.from(out);
}
