/**
 * @mo/api — mo's wire contract for TypeScript.
 *
 * ```ts
 * import { AgentClient, WorkloadState } from '@mo/api';
 * const agent = new AgentClient('127.0.0.1:7610');
 * const w = await agent.startWorkload({ argv: ['sleep', '10'] });
 * if (w.state === WorkloadState.WORKLOAD_STATE_RUNNING) await agent.stopWorkload(w.spec!.id);
 * ```
 *
 * Exports: the typed proto tree (`moProto`) and its loader options, generated message types,
 * promise clients (`AgentClient`), server plumbing (`createMoServer`, `unaryHandler`: health and
 * reflection on every server), and the domain errors with their gRPC status mapping.
 */
export { LOADER_OPTIONS, PROTO_ROOT, moPackageDefinition, moProto, type MoProto } from './proto.js';
export { AgentClient, type ClientOptions } from './client.js';
export { MAX_MESSAGE_BYTES, createMoServer, unaryHandler, type MoServer, type MoServerOptions } from './server.js';
export {
  AlreadyExistsError,
  FailedPreconditionError,
  InvalidArgumentError,
  MoError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
  fromServiceError,
  statusName,
  toServiceError,
} from './errors.js';
export * from './types.js';
