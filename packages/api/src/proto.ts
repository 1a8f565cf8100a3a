// mo's gRPC services at run time, built from the generated JSON descriptor with mo's own codec
// (wire/codec.ts): grpc-js service definitions and client constructors without protobufjs.
//
// Why not @grpc/proto-loader: building its package definition encodes a FileDescriptorProto per
// type and runs protobufjs's reflection, which makes every daemon ~5 MiB bigger (its code, and the
// optimizing compiler it wakes up at start-up) and every `mo` command ~20 ms slower. The codec is
// conformance-tested against proto-loader (codec.test.ts), so handlers and callers see exactly the
// objects they saw before. LOADER_OPTIONS must keep matching scripts/gen-types.mjs, otherwise the
// generated types would describe objects the codec never produces. Server reflection serves
// descriptors generated at build time (src/reflection/), so nothing here loads proto-loader.
import * as grpc from '@grpc/grpc-js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProtoGrpcType as AgentProto } from './generated/agent.js';
import type { ProtoGrpcType as JobsProto } from './generated/jobs.js';
import type { ProtoGrpcType as PipelineProto } from './generated/pipeline.js';
import type { ProtoGrpcType as RegistryProto } from './generated/registry.js';
import type { ProtoGrpcType as SchedulerProto } from './generated/scheduler.js';
import type { ProtoGrpcType as TokenProto } from './generated/token.js';
import { decodeMessage, encodeMessage, serviceMethods, serviceNames } from './wire/codec.js';
import { requestDecoder } from './malformed.js';

/** The one set of loader options; gen-types is run with the same flags, the codec mirrors them.
 * (@grpc/proto-loader's Options, which mo no longer loads at run time.) */
export const LOADER_OPTIONS: {
  readonly keepCase: boolean;
  readonly longs: NumberConstructor;
  readonly enums: StringConstructor;
  readonly defaults: boolean;
  readonly oneofs: boolean;
} = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Directory holding `mo/v1/*.proto` (the repository's `proto/`). */
export const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

/** The services of mo as one typed grpc object tree: `moProto().mo.v1.NodeAgent` is a client
 * constructor whose `.service` is the definition a server adds. */
export type MoProto = {
  mo: {
    v1: Pick<
      (AgentProto & JobsProto & PipelineProto & RegistryProto & SchedulerProto & TokenProto)['mo']['v1'],
      'NodeAgent' | 'Jobs' | 'Pipelines' | 'NodeRegistry' | 'Scheduler' | 'Tokens'
    >;
  };
};

/** The grpc-js definition of mo.v1 service `name` ("NodeAgent", "Scheduler", ...). */
export function serviceDefinition(name: string): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<object, object>> = {};
  for (const [method, m] of Object.entries(serviceMethods(name))) {
    const { requestType, responseType } = m;
    def[method] = {
      path: `/mo.v1.${name}/${method}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (value: object) => encodeMessage(requestType, value),
      // Refused bytes (past a bound, or not protobuf) are answered with a proper status (malformed.ts).
      requestDeserialize: requestDecoder(requestType, (bytes) => decodeMessage(requestType, bytes)),
      responseSerialize: (value: object) => encodeMessage(responseType, value),
      responseDeserialize: (bytes: Buffer) => decodeMessage(responseType, bytes),
      // proto-loader's alias, so clients answer to both `StartWorkload` and `startWorkload`.
      originalName: method[0]!.toLowerCase() + method.slice(1),
    };
  }
  return def;
}

let cachedProto: MoProto | undefined;

/** The typed grpc object tree: `moProto().mo.v1.NodeAgent` etc. */
export function moProto(): MoProto {
  if (cachedProto) return cachedProto;
  const v1: Record<string, grpc.ServiceClientConstructor> = {};
  for (const name of serviceNames()) {
    v1[name] = grpc.makeGenericClientConstructor(serviceDefinition(name), name);
  }
  // The cast is the one place where the runtime tree meets the generated types.
  cachedProto = { mo: { v1 } } as unknown as MoProto;
  return cachedProto;
}
