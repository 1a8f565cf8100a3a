// The standard gRPC health service (grpc.health.v1.Health: Check, Watch, List), so stock probes
// (grpc_health_probe, Kubernetes' grpc probe) work against every mo daemon. Its messages have one
// field each, so they are encoded here by hand: the grpc-health-check package would load
// proto-loader and protobufjs into every daemon (several MiB of RSS) just to parse health.proto.
// Behaviour follows grpc-health-check: Check of an unknown service is NOT_FOUND, Watch sends
// SERVICE_UNKNOWN for it, and List is RESOURCE_EXHAUSTED past 100 services.
import * as grpc from '@grpc/grpc-js';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING';
type WireStatus = ServingStatus | 'SERVICE_UNKNOWN';
const STATUS_NUMBER: Record<WireStatus, number> = { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 };
const LIST_LIMIT = 100;

function readVarint(buf: Buffer, at: { pos: number }): number {
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    const b = buf[at.pos++];
    if (b === undefined) throw new RangeError('health: truncated message');
    if (shift < 35) v += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) return v;
  }
}

function writeVarint(out: number[], v: number): void {
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

/** HealthCheckRequest { string service = 1; } */
function decodeCheckRequest(buf: Buffer): { service: string } {
  const at = { pos: 0 };
  let service = '';
  while (at.pos < buf.length) {
    const tag = readVarint(buf, at);
    const wire = tag & 7;
    if (wire === 2) {
      const len = readVarint(buf, at);
      if (at.pos + len > buf.length) throw new RangeError('health: truncated message');
      if (tag >>> 3 === 1) service = buf.toString('utf8', at.pos, at.pos + len);
      at.pos += len;
    } else if (wire === 0) readVarint(buf, at);
    else if (wire === 1) at.pos += 8;
    else if (wire === 5) at.pos += 4;
    else throw new RangeError(`health: unsupported wire type ${wire}`);
  }
  return { service };
}

/** HealthCheckResponse { ServingStatus status = 1; } */
function encodeCheckResponse(res: { status: WireStatus }): Buffer {
  const n = STATUS_NUMBER[res.status];
  return n === 0 ? Buffer.alloc(0) : Buffer.from([0x08, n]);
}

/** HealthListResponse { map<string, HealthCheckResponse> statuses = 1; } */
function encodeListResponse(res: { statuses: Record<string, { status: WireStatus }> }): Buffer {
  const out: number[] = [];
  for (const [name, { status }] of Object.entries(res.statuses)) {
    const key = Buffer.from(name, 'utf8');
    const value = encodeCheckResponse({ status });
    const entry: number[] = [0x0a];
    writeVarint(entry, key.length);
    entry.push(...key, 0x12);
    writeVarint(entry, value.length);
    entry.push(...value);
    out.push(0x0a);
    writeVarint(out, entry.length);
    out.push(...entry);
  }
  return Buffer.from(out);
}

function method(
  name: string,
  responseStream: boolean,
  encode: (res: never) => Buffer,
): grpc.MethodDefinition<object, object> {
  return {
    path: `/grpc.health.v1.Health/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: () => Buffer.alloc(0),
    requestDeserialize: (buf: Buffer) => (name === 'List' ? {} : decodeCheckRequest(buf)),
    responseSerialize: encode as (res: object) => Buffer,
    responseDeserialize: () => ({}),
    originalName: name.toLowerCase(),
  };
}

/** grpc.health.v1.Health's definition, for a grpc-js server. */
export const HEALTH_SERVICE: grpc.ServiceDefinition = {
  Check: method('Check', false, encodeCheckResponse),
  Watch: method('Watch', true, encodeCheckResponse),
  List: method('List', false, encodeListResponse),
};

type WatchCall = grpc.ServerWritableStream<{ service: string }, object>;

/** Serving status per service name ("" is the whole server); Watch calls see every change. */
export class HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  /** Open Watch calls by the service they watch. */
  private readonly watches = new Map<string, Set<WatchCall>>();

  constructor(initial: Record<string, ServingStatus> = {}) {
    for (const [service, status] of Object.entries(initial)) this.statuses.set(service, status);
  }

  setStatus(service: string, status: ServingStatus): void {
    this.statuses.set(service, status);
    for (const call of this.watches.get(service) ?? []) call.write({ status });
  }

  /** Ends every Watch call (they never end on their own): a server shutting down waits for its calls. */
  endWatches(): void {
    for (const calls of this.watches.values()) for (const call of calls) call.end();
    this.watches.clear();
  }

  addToServer(server: grpc.Server): void {
    server.addService(HEALTH_SERVICE, {
      Check: (call: grpc.ServerUnaryCall<{ service: string }, object>, callback: grpc.sendUnaryData<object>) => {
        const status = this.statuses.get(call.request.service);
        if (status) callback(null, { status });
        else {
          callback({
            code: grpc.status.NOT_FOUND,
            details: `Health status unknown for service ${call.request.service}`,
          });
        }
      },
      Watch: (call: WatchCall) => {
        const service = call.request.service;
        let calls = this.watches.get(service);
        if (!calls) this.watches.set(service, (calls = new Set()));
        calls.add(call);
        call.on('cancelled', () => {
          calls.delete(call);
          if (calls.size === 0 && this.watches.get(service) === calls) this.watches.delete(service);
        });
        call.write({ status: this.statuses.get(service) ?? 'SERVICE_UNKNOWN' });
      },
      List: (_call: grpc.ServerUnaryCall<object, object>, callback: grpc.sendUnaryData<object>) => {
        if (this.statuses.size > LIST_LIMIT) {
          callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'Too many services to list.' });
          return;
        }
        const statuses: Record<string, { status: ServingStatus }> = {};
        for (const [service, status] of this.statuses) statuses[service] = { status };
        callback(null, { statuses });
      },
    });
  }
}
