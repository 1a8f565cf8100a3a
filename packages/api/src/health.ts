// The standard gRPC health service (grpc.health.v1.Health: Check, Watch, List), so stock probes
// (grpc_health_probe, Kubernetes' grpc probe) work against every mo daemon. Its messages go through
// mo's one codec, from the descriptor generated from proto/grpc/health/v1/health.proto at build time
// (generated/grpc-descriptor.ts): the grpc-health-check package would load proto-loader and
// protobufjs into every daemon (several MiB of RSS) just to parse health.proto at run time.
// Behaviour follows grpc-health-check: Check of an unknown service is NOT_FOUND, Watch sends
// SERVICE_UNKNOWN for it, and List is RESOURCE_EXHAUSTED past 100 services.
import * as grpc from '@grpc/grpc-js';
import { truncateForError } from './errors.js';
import { decodeMessage, encodeMessage, serviceMethods } from './wire/codec.js';
import { requestDecoder } from './malformed.js';

export type ServingStatus = 'UNKNOWN' | 'SERVING' | 'NOT_SERVING';
const LIST_LIMIT = 100;

/** grpc.health.v1.Health's definition, for a grpc-js server. */
export const HEALTH_SERVICE: grpc.ServiceDefinition = Object.fromEntries(
  Object.entries(serviceMethods('grpc.health.v1.Health')).map(([name, m]) => {
    const req = `grpc.health.v1.${m.requestType}`;
    const res = `grpc.health.v1.${m.responseType}`;
    const def: grpc.MethodDefinition<object, object> = {
      path: `/grpc.health.v1.Health/${name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (v: object) => encodeMessage(req, v),
      requestDeserialize: requestDecoder(req, (b: Buffer) => decodeMessage(req, b)),
      responseSerialize: (v: object) => encodeMessage(res, v),
      responseDeserialize: (b: Buffer) => decodeMessage(res, b),
      originalName: name.toLowerCase(),
    };
    return [name, def];
  }),
);

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
            // The caller chooses the name, unbounded: the echo is cut (truncateForError).
            details: `Health status unknown for service ${truncateForError(call.request.service)}`,
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
