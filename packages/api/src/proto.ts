// Loads proto/mo/v1 at runtime. LOADER_OPTIONS must match the flags in scripts/gen-types.mjs,
// otherwise the generated types would describe objects the loader never produces.
//
// The protos are not parsed at runtime: scripts/gen-types.mjs (`pnpm gen`, checked by `gen:check`)
// stores them as a protobufjs JSON descriptor, loaded here with fromJSON: the load step goes from
// ~34 to ~23 ms (p50, fresh processes, 2 vCPUs), about 10 ms of every `mo` command; the rest is
// proto-loader building the definition (serializers, file descriptors for reflection). One difference from loadSync: protobufjs JSON carries no file names, so
// reflection serves all of mo.v1 as one file ("mo_v1.proto"); every symbol is still there.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MO_DESCRIPTOR_JSON } from './generated/descriptor.js';
import type { ProtoGrpcType as AgentProto } from './generated/agent.js';
import type { ProtoGrpcType as PipelineProto } from './generated/pipeline.js';
import type { ProtoGrpcType as RegistryProto } from './generated/registry.js';
import type { ProtoGrpcType as SchedulerProto } from './generated/scheduler.js';

/** The one set of loader options; gen-types is run with the same flags. */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Directory holding `mo/v1/*.proto` (the repository's `proto/`). */
export const PROTO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'proto');

/** Every service and message of mo, as one typed grpc object tree. */
export type MoProto = AgentProto & PipelineProto & RegistryProto & SchedulerProto;

let cached: { definition: protoLoader.PackageDefinition; proto: MoProto } | undefined;

function load(): { definition: protoLoader.PackageDefinition; proto: MoProto } {
  if (cached) return cached;
  const descriptor = JSON.parse(MO_DESCRIPTOR_JSON) as Parameters<typeof protoLoader.fromJSON>[0];
  const definition = protoLoader.fromJSON(descriptor, LOADER_OPTIONS);
  // The cast is the one place where the loader's untyped tree meets the generated types.
  const proto = grpc.loadPackageDefinition(definition) as unknown as MoProto;
  cached = { definition, proto };
  return cached;
}

/** The package definition (for reflection) of every mo proto. */
export function moPackageDefinition(): protoLoader.PackageDefinition {
  return load().definition;
}

/** The typed grpc object tree: `moProto().mo.v1.NodeAgent` etc. */
export function moProto(): MoProto {
  return load().proto;
}
