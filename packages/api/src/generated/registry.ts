import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ArtifactChunk as _mo_v1_ArtifactChunk, ArtifactChunk__Output as _mo_v1_ArtifactChunk__Output } from './mo/v1/ArtifactChunk.js';
import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from './mo/v1/ArtifactRef.js';
import type { ArtifactReplica as _mo_v1_ArtifactReplica, ArtifactReplica__Output as _mo_v1_ArtifactReplica__Output } from './mo/v1/ArtifactReplica.js';
import type { ArtifactReplicaAck as _mo_v1_ArtifactReplicaAck, ArtifactReplicaAck__Output as _mo_v1_ArtifactReplicaAck__Output } from './mo/v1/ArtifactReplicaAck.js';
import type { ArtifactReplicaReport as _mo_v1_ArtifactReplicaReport, ArtifactReplicaReport__Output as _mo_v1_ArtifactReplicaReport__Output } from './mo/v1/ArtifactReplicaReport.js';
import type { ArtifactSpec as _mo_v1_ArtifactSpec, ArtifactSpec__Output as _mo_v1_ArtifactSpec__Output } from './mo/v1/ArtifactSpec.js';
import type { ArtifactUpload as _mo_v1_ArtifactUpload, ArtifactUpload__Output as _mo_v1_ArtifactUpload__Output } from './mo/v1/ArtifactUpload.js';
import type { CheckSpec as _mo_v1_CheckSpec, CheckSpec__Output as _mo_v1_CheckSpec__Output } from './mo/v1/CheckSpec.js';
import type { CheckStatus as _mo_v1_CheckStatus, CheckStatus__Output as _mo_v1_CheckStatus__Output } from './mo/v1/CheckStatus.js';
import type { DockerMount as _mo_v1_DockerMount, DockerMount__Output as _mo_v1_DockerMount__Output } from './mo/v1/DockerMount.js';
import type { DockerSpec as _mo_v1_DockerSpec, DockerSpec__Output as _mo_v1_DockerSpec__Output } from './mo/v1/DockerSpec.js';
import type { DownloadArtifactRequest as _mo_v1_DownloadArtifactRequest, DownloadArtifactRequest__Output as _mo_v1_DownloadArtifactRequest__Output } from './mo/v1/DownloadArtifactRequest.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from './mo/v1/ExitStatus.js';
import type { HeartbeatRequest as _mo_v1_HeartbeatRequest, HeartbeatRequest__Output as _mo_v1_HeartbeatRequest__Output } from './mo/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _mo_v1_HeartbeatResponse, HeartbeatResponse__Output as _mo_v1_HeartbeatResponse__Output } from './mo/v1/HeartbeatResponse.js';
import type { NodeFacts as _mo_v1_NodeFacts, NodeFacts__Output as _mo_v1_NodeFacts__Output } from './mo/v1/NodeFacts.js';
import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from './mo/v1/NodeMetrics.js';
import type { NodeRegistryClient as _mo_v1_NodeRegistryClient, NodeRegistryDefinition as _mo_v1_NodeRegistryDefinition } from './mo/v1/NodeRegistry.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from './mo/v1/PortMapping.js';
import type { PortSpec as _mo_v1_PortSpec, PortSpec__Output as _mo_v1_PortSpec__Output } from './mo/v1/PortSpec.js';
import type { RegisterRequest as _mo_v1_RegisterRequest, RegisterRequest__Output as _mo_v1_RegisterRequest__Output } from './mo/v1/RegisterRequest.js';
import type { RegisterResponse as _mo_v1_RegisterResponse, RegisterResponse__Output as _mo_v1_RegisterResponse__Output } from './mo/v1/RegisterResponse.js';
import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from './mo/v1/Resources.js';
import type { SyncInventoryRequest as _mo_v1_SyncInventoryRequest, SyncInventoryRequest__Output as _mo_v1_SyncInventoryRequest__Output } from './mo/v1/SyncInventoryRequest.js';
import type { SyncInventoryResponse as _mo_v1_SyncInventoryResponse, SyncInventoryResponse__Output as _mo_v1_SyncInventoryResponse__Output } from './mo/v1/SyncInventoryResponse.js';
import type { WorkloadEvent as _mo_v1_WorkloadEvent, WorkloadEvent__Output as _mo_v1_WorkloadEvent__Output } from './mo/v1/WorkloadEvent.js';
import type { WorkloadSpec as _mo_v1_WorkloadSpec, WorkloadSpec__Output as _mo_v1_WorkloadSpec__Output } from './mo/v1/WorkloadSpec.js';
import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from './mo/v1/WorkloadStatus.js';
import type { WorkloadUsage as _mo_v1_WorkloadUsage, WorkloadUsage__Output as _mo_v1_WorkloadUsage__Output } from './mo/v1/WorkloadUsage.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  mo: {
    v1: {
      ArtifactChunk: MessageTypeDefinition<_mo_v1_ArtifactChunk, _mo_v1_ArtifactChunk__Output>
      ArtifactRef: MessageTypeDefinition<_mo_v1_ArtifactRef, _mo_v1_ArtifactRef__Output>
      ArtifactReplica: MessageTypeDefinition<_mo_v1_ArtifactReplica, _mo_v1_ArtifactReplica__Output>
      ArtifactReplicaAck: MessageTypeDefinition<_mo_v1_ArtifactReplicaAck, _mo_v1_ArtifactReplicaAck__Output>
      ArtifactReplicaReport: MessageTypeDefinition<_mo_v1_ArtifactReplicaReport, _mo_v1_ArtifactReplicaReport__Output>
      ArtifactSpec: MessageTypeDefinition<_mo_v1_ArtifactSpec, _mo_v1_ArtifactSpec__Output>
      ArtifactUpload: MessageTypeDefinition<_mo_v1_ArtifactUpload, _mo_v1_ArtifactUpload__Output>
      CheckSpec: MessageTypeDefinition<_mo_v1_CheckSpec, _mo_v1_CheckSpec__Output>
      CheckStatus: MessageTypeDefinition<_mo_v1_CheckStatus, _mo_v1_CheckStatus__Output>
      DockerMount: MessageTypeDefinition<_mo_v1_DockerMount, _mo_v1_DockerMount__Output>
      DockerSpec: MessageTypeDefinition<_mo_v1_DockerSpec, _mo_v1_DockerSpec__Output>
      DownloadArtifactRequest: MessageTypeDefinition<_mo_v1_DownloadArtifactRequest, _mo_v1_DownloadArtifactRequest__Output>
      ExitStatus: MessageTypeDefinition<_mo_v1_ExitStatus, _mo_v1_ExitStatus__Output>
      Health: EnumTypeDefinition
      HeartbeatRequest: MessageTypeDefinition<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatRequest__Output>
      HeartbeatResponse: MessageTypeDefinition<_mo_v1_HeartbeatResponse, _mo_v1_HeartbeatResponse__Output>
      NodeFacts: MessageTypeDefinition<_mo_v1_NodeFacts, _mo_v1_NodeFacts__Output>
      NodeMetrics: MessageTypeDefinition<_mo_v1_NodeMetrics, _mo_v1_NodeMetrics__Output>
      NodeRegistry: SubtypeConstructor<typeof grpc.Client, _mo_v1_NodeRegistryClient> & { service: _mo_v1_NodeRegistryDefinition }
      PortMapping: MessageTypeDefinition<_mo_v1_PortMapping, _mo_v1_PortMapping__Output>
      PortSpec: MessageTypeDefinition<_mo_v1_PortSpec, _mo_v1_PortSpec__Output>
      Priority: EnumTypeDefinition
      RegisterRequest: MessageTypeDefinition<_mo_v1_RegisterRequest, _mo_v1_RegisterRequest__Output>
      RegisterResponse: MessageTypeDefinition<_mo_v1_RegisterResponse, _mo_v1_RegisterResponse__Output>
      Resources: MessageTypeDefinition<_mo_v1_Resources, _mo_v1_Resources__Output>
      SyncInventoryRequest: MessageTypeDefinition<_mo_v1_SyncInventoryRequest, _mo_v1_SyncInventoryRequest__Output>
      SyncInventoryResponse: MessageTypeDefinition<_mo_v1_SyncInventoryResponse, _mo_v1_SyncInventoryResponse__Output>
      WorkloadEvent: MessageTypeDefinition<_mo_v1_WorkloadEvent, _mo_v1_WorkloadEvent__Output>
      WorkloadSpec: MessageTypeDefinition<_mo_v1_WorkloadSpec, _mo_v1_WorkloadSpec__Output>
      WorkloadState: EnumTypeDefinition
      WorkloadStatus: MessageTypeDefinition<_mo_v1_WorkloadStatus, _mo_v1_WorkloadStatus__Output>
      WorkloadUsage: MessageTypeDefinition<_mo_v1_WorkloadUsage, _mo_v1_WorkloadUsage__Output>
    }
  }
}

