// Original file: proto/mo/v1/registry.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ArtifactChunk as _mo_v1_ArtifactChunk, ArtifactChunk__Output as _mo_v1_ArtifactChunk__Output } from '../../mo/v1/ArtifactChunk.js';
import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from '../../mo/v1/ArtifactRef.js';
import type { ArtifactReplicaAck as _mo_v1_ArtifactReplicaAck, ArtifactReplicaAck__Output as _mo_v1_ArtifactReplicaAck__Output } from '../../mo/v1/ArtifactReplicaAck.js';
import type { ArtifactReplicaReport as _mo_v1_ArtifactReplicaReport, ArtifactReplicaReport__Output as _mo_v1_ArtifactReplicaReport__Output } from '../../mo/v1/ArtifactReplicaReport.js';
import type { ArtifactUpload as _mo_v1_ArtifactUpload, ArtifactUpload__Output as _mo_v1_ArtifactUpload__Output } from '../../mo/v1/ArtifactUpload.js';
import type { DownloadArtifactRequest as _mo_v1_DownloadArtifactRequest, DownloadArtifactRequest__Output as _mo_v1_DownloadArtifactRequest__Output } from '../../mo/v1/DownloadArtifactRequest.js';
import type { HeartbeatRequest as _mo_v1_HeartbeatRequest, HeartbeatRequest__Output as _mo_v1_HeartbeatRequest__Output } from '../../mo/v1/HeartbeatRequest.js';
import type { HeartbeatResponse as _mo_v1_HeartbeatResponse, HeartbeatResponse__Output as _mo_v1_HeartbeatResponse__Output } from '../../mo/v1/HeartbeatResponse.js';
import type { RegisterRequest as _mo_v1_RegisterRequest, RegisterRequest__Output as _mo_v1_RegisterRequest__Output } from '../../mo/v1/RegisterRequest.js';
import type { RegisterResponse as _mo_v1_RegisterResponse, RegisterResponse__Output as _mo_v1_RegisterResponse__Output } from '../../mo/v1/RegisterResponse.js';
import type { SyncInventoryRequest as _mo_v1_SyncInventoryRequest, SyncInventoryRequest__Output as _mo_v1_SyncInventoryRequest__Output } from '../../mo/v1/SyncInventoryRequest.js';
import type { SyncInventoryResponse as _mo_v1_SyncInventoryResponse, SyncInventoryResponse__Output as _mo_v1_SyncInventoryResponse__Output } from '../../mo/v1/SyncInventoryResponse.js';

export interface NodeRegistryClient extends grpc.Client {
  /**
   * A stored artifact, in chunks of at most 1 MiB. Agents of steps that take it as an input,
   * clients with read access, and the other schedulers (their artifact mirrors, several
   * schedulers on etcd) may download it.
   */
  DownloadArtifact(argument: _mo_v1_DownloadArtifactRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ArtifactChunk__Output>;
  DownloadArtifact(argument: _mo_v1_DownloadArtifactRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ArtifactChunk__Output>;
  /**
   * A stored artifact, in chunks of at most 1 MiB. Agents of steps that take it as an input,
   * clients with read access, and the other schedulers (their artifact mirrors, several
   * schedulers on etcd) may download it.
   */
  downloadArtifact(argument: _mo_v1_DownloadArtifactRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ArtifactChunk__Output>;
  downloadArtifact(argument: _mo_v1_DownloadArtifactRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ArtifactChunk__Output>;
  
  Heartbeat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  Heartbeat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  heartbeat(metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  heartbeat(options?: grpc.CallOptions): grpc.ClientDuplexStream<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse__Output>;
  
  Register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _mo_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  Register(argument: _mo_v1_RegisterRequest, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  register(argument: _mo_v1_RegisterRequest, callback: grpc.requestCallback<_mo_v1_RegisterResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Several schedulers on etcd: a follower's artifact mirror tells the leader which artifacts it
   * has stored since its last report, and reports (empty) at least every 10 s to stay counted. The
   * leader answers an UploadArtifact only once every mirror heard from lately has reported that
   * artifact (or a bounded wait passed). The scheduler identity only.
   */
  ReportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  ReportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  ReportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  ReportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  /**
   * Several schedulers on etcd: a follower's artifact mirror tells the leader which artifacts it
   * has stored since its last report, and reports (empty) at least every 10 s to stay counted. The
   * leader answers an UploadArtifact only once every mirror heard from lately has reported that
   * artifact (or a bounded wait passed). The scheduler identity only.
   */
  reportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  reportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  reportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  reportArtifactReplicas(argument: _mo_v1_ArtifactReplicaReport, callback: grpc.requestCallback<_mo_v1_ArtifactReplicaAck__Output>): grpc.ClientUnaryCall;
  
  /**
   * The rest of a registering node's inventory, one page per call, after a Register that said
   * `inventory_follows`. The scheduler reconciles what it believed on the node but was reported by
   * no page only once the last page arrived; a registration whose pages stop coming (the agent
   * died) is discarded after 60 s or by the node's next Register (FAILED_PRECONDITION: register again).
   */
  SyncInventory(argument: _mo_v1_SyncInventoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  SyncInventory(argument: _mo_v1_SyncInventoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  SyncInventory(argument: _mo_v1_SyncInventoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  SyncInventory(argument: _mo_v1_SyncInventoryRequest, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The rest of a registering node's inventory, one page per call, after a Register that said
   * `inventory_follows`. The scheduler reconciles what it believed on the node but was reported by
   * no page only once the last page arrived; a registration whose pages stop coming (the agent
   * died) is discarded after 60 s or by the node's next Register (FAILED_PRECONDITION: register again).
   */
  syncInventory(argument: _mo_v1_SyncInventoryRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  syncInventory(argument: _mo_v1_SyncInventoryRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  syncInventory(argument: _mo_v1_SyncInventoryRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  syncInventory(argument: _mo_v1_SyncInventoryRequest, callback: grpc.requestCallback<_mo_v1_SyncInventoryResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * A pipeline step's artifact: the first message names it, then data chunks (each at most 1 MiB),
   * the last one carries the sender's sha256. Stored under the scheduler's data dir once both
   * digests agree; past the size limit it is RESOURCE_EXHAUSTED.
   */
  UploadArtifact(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  UploadArtifact(metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  UploadArtifact(options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  UploadArtifact(callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  /**
   * A pipeline step's artifact: the first message names it, then data chunks (each at most 1 MiB),
   * the last one carries the sender's sha256. Stored under the scheduler's data dir once both
   * digests agree; past the size limit it is RESOURCE_EXHAUSTED.
   */
  uploadArtifact(metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  uploadArtifact(metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  uploadArtifact(options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  uploadArtifact(callback: grpc.requestCallback<_mo_v1_ArtifactRef__Output>): grpc.ClientWritableStream<_mo_v1_ArtifactUpload>;
  
}

export interface NodeRegistryHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A stored artifact, in chunks of at most 1 MiB. Agents of steps that take it as an input,
   * clients with read access, and the other schedulers (their artifact mirrors, several
   * schedulers on etcd) may download it.
   */
  DownloadArtifact: grpc.handleServerStreamingCall<_mo_v1_DownloadArtifactRequest__Output, _mo_v1_ArtifactChunk>;
  
  Heartbeat: grpc.handleBidiStreamingCall<_mo_v1_HeartbeatRequest__Output, _mo_v1_HeartbeatResponse>;
  
  Register: grpc.handleUnaryCall<_mo_v1_RegisterRequest__Output, _mo_v1_RegisterResponse>;
  
  /**
   * Several schedulers on etcd: a follower's artifact mirror tells the leader which artifacts it
   * has stored since its last report, and reports (empty) at least every 10 s to stay counted. The
   * leader answers an UploadArtifact only once every mirror heard from lately has reported that
   * artifact (or a bounded wait passed). The scheduler identity only.
   */
  ReportArtifactReplicas: grpc.handleUnaryCall<_mo_v1_ArtifactReplicaReport__Output, _mo_v1_ArtifactReplicaAck>;
  
  /**
   * The rest of a registering node's inventory, one page per call, after a Register that said
   * `inventory_follows`. The scheduler reconciles what it believed on the node but was reported by
   * no page only once the last page arrived; a registration whose pages stop coming (the agent
   * died) is discarded after 60 s or by the node's next Register (FAILED_PRECONDITION: register again).
   */
  SyncInventory: grpc.handleUnaryCall<_mo_v1_SyncInventoryRequest__Output, _mo_v1_SyncInventoryResponse>;
  
  /**
   * A pipeline step's artifact: the first message names it, then data chunks (each at most 1 MiB),
   * the last one carries the sender's sha256. Stored under the scheduler's data dir once both
   * digests agree; past the size limit it is RESOURCE_EXHAUSTED.
   */
  UploadArtifact: grpc.handleClientStreamingCall<_mo_v1_ArtifactUpload__Output, _mo_v1_ArtifactRef>;
  
}

export interface NodeRegistryDefinition extends grpc.ServiceDefinition {
  DownloadArtifact: MethodDefinition<_mo_v1_DownloadArtifactRequest, _mo_v1_ArtifactChunk, _mo_v1_DownloadArtifactRequest__Output, _mo_v1_ArtifactChunk__Output>
  Heartbeat: MethodDefinition<_mo_v1_HeartbeatRequest, _mo_v1_HeartbeatResponse, _mo_v1_HeartbeatRequest__Output, _mo_v1_HeartbeatResponse__Output>
  Register: MethodDefinition<_mo_v1_RegisterRequest, _mo_v1_RegisterResponse, _mo_v1_RegisterRequest__Output, _mo_v1_RegisterResponse__Output>
  ReportArtifactReplicas: MethodDefinition<_mo_v1_ArtifactReplicaReport, _mo_v1_ArtifactReplicaAck, _mo_v1_ArtifactReplicaReport__Output, _mo_v1_ArtifactReplicaAck__Output>
  SyncInventory: MethodDefinition<_mo_v1_SyncInventoryRequest, _mo_v1_SyncInventoryResponse, _mo_v1_SyncInventoryRequest__Output, _mo_v1_SyncInventoryResponse__Output>
  UploadArtifact: MethodDefinition<_mo_v1_ArtifactUpload, _mo_v1_ArtifactRef, _mo_v1_ArtifactUpload__Output, _mo_v1_ArtifactRef__Output>
}
