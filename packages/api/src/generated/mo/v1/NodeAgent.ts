// Original file: proto/mo/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetNodeStatusRequest as _mo_v1_GetNodeStatusRequest, GetNodeStatusRequest__Output as _mo_v1_GetNodeStatusRequest__Output } from '../../mo/v1/GetNodeStatusRequest.js';
import type { GetWorkloadRequest as _mo_v1_GetWorkloadRequest, GetWorkloadRequest__Output as _mo_v1_GetWorkloadRequest__Output } from '../../mo/v1/GetWorkloadRequest.js';
import type { LogChunk as _mo_v1_LogChunk, LogChunk__Output as _mo_v1_LogChunk__Output } from '../../mo/v1/LogChunk.js';
import type { NodeStatus as _mo_v1_NodeStatus, NodeStatus__Output as _mo_v1_NodeStatus__Output } from '../../mo/v1/NodeStatus.js';
import type { StartWorkloadRequest as _mo_v1_StartWorkloadRequest, StartWorkloadRequest__Output as _mo_v1_StartWorkloadRequest__Output } from '../../mo/v1/StartWorkloadRequest.js';
import type { StartWorkloadResponse as _mo_v1_StartWorkloadResponse, StartWorkloadResponse__Output as _mo_v1_StartWorkloadResponse__Output } from '../../mo/v1/StartWorkloadResponse.js';
import type { StartWorkloadsRequest as _mo_v1_StartWorkloadsRequest, StartWorkloadsRequest__Output as _mo_v1_StartWorkloadsRequest__Output } from '../../mo/v1/StartWorkloadsRequest.js';
import type { StartWorkloadsResponse as _mo_v1_StartWorkloadsResponse, StartWorkloadsResponse__Output as _mo_v1_StartWorkloadsResponse__Output } from '../../mo/v1/StartWorkloadsResponse.js';
import type { StopWorkloadRequest as _mo_v1_StopWorkloadRequest, StopWorkloadRequest__Output as _mo_v1_StopWorkloadRequest__Output } from '../../mo/v1/StopWorkloadRequest.js';
import type { StopWorkloadResponse as _mo_v1_StopWorkloadResponse, StopWorkloadResponse__Output as _mo_v1_StopWorkloadResponse__Output } from '../../mo/v1/StopWorkloadResponse.js';
import type { StreamLogsRequest as _mo_v1_StreamLogsRequest, StreamLogsRequest__Output as _mo_v1_StreamLogsRequest__Output } from '../../mo/v1/StreamLogsRequest.js';
import type { WorkloadStatus as _mo_v1_WorkloadStatus, WorkloadStatus__Output as _mo_v1_WorkloadStatus__Output } from '../../mo/v1/WorkloadStatus.js';

export interface NodeAgentClient extends grpc.Client {
  /**
   * Host facts, host metrics and every workload the agent knows.
   */
  GetNodeStatus(argument: _mo_v1_GetNodeStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  GetNodeStatus(argument: _mo_v1_GetNodeStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  GetNodeStatus(argument: _mo_v1_GetNodeStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  GetNodeStatus(argument: _mo_v1_GetNodeStatusRequest, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  /**
   * Host facts, host metrics and every workload the agent knows.
   */
  getNodeStatus(argument: _mo_v1_GetNodeStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  getNodeStatus(argument: _mo_v1_GetNodeStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  getNodeStatus(argument: _mo_v1_GetNodeStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  getNodeStatus(argument: _mo_v1_GetNodeStatusRequest, callback: grpc.requestCallback<_mo_v1_NodeStatus__Output>): grpc.ClientUnaryCall;
  
  GetWorkload(argument: _mo_v1_GetWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  GetWorkload(argument: _mo_v1_GetWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  GetWorkload(argument: _mo_v1_GetWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  GetWorkload(argument: _mo_v1_GetWorkloadRequest, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  getWorkload(argument: _mo_v1_GetWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  getWorkload(argument: _mo_v1_GetWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  getWorkload(argument: _mo_v1_GetWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  getWorkload(argument: _mo_v1_GetWorkloadRequest, callback: grpc.requestCallback<_mo_v1_WorkloadStatus__Output>): grpc.ClientUnaryCall;
  
  /**
   * Start a workload. INVALID_ARGUMENT names the offending field; ALREADY_EXISTS if spec.id is taken.
   */
  StartWorkload(argument: _mo_v1_StartWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  StartWorkload(argument: _mo_v1_StartWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  StartWorkload(argument: _mo_v1_StartWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  StartWorkload(argument: _mo_v1_StartWorkloadRequest, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Start a workload. INVALID_ARGUMENT names the offending field; ALREADY_EXISTS if spec.id is taken.
   */
  startWorkload(argument: _mo_v1_StartWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  startWorkload(argument: _mo_v1_StartWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  startWorkload(argument: _mo_v1_StartWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  startWorkload(argument: _mo_v1_StartWorkloadRequest, callback: grpc.requestCallback<_mo_v1_StartWorkloadResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Several starts in one call (the scheduler batches what it places on a node in one tick). Each
   * start succeeds or fails on its own, exactly as a StartWorkload call would.
   */
  StartWorkloads(argument: _mo_v1_StartWorkloadsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  StartWorkloads(argument: _mo_v1_StartWorkloadsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  StartWorkloads(argument: _mo_v1_StartWorkloadsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  StartWorkloads(argument: _mo_v1_StartWorkloadsRequest, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Several starts in one call (the scheduler batches what it places on a node in one tick). Each
   * start succeeds or fails on its own, exactly as a StartWorkload call would.
   */
  startWorkloads(argument: _mo_v1_StartWorkloadsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  startWorkloads(argument: _mo_v1_StartWorkloadsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  startWorkloads(argument: _mo_v1_StartWorkloadsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  startWorkloads(argument: _mo_v1_StartWorkloadsRequest, callback: grpc.requestCallback<_mo_v1_StartWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stop a workload: SIGTERM to its process group, grace, then SIGKILL. Idempotent on ended ones.
   */
  StopWorkload(argument: _mo_v1_StopWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  StopWorkload(argument: _mo_v1_StopWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  StopWorkload(argument: _mo_v1_StopWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  StopWorkload(argument: _mo_v1_StopWorkloadRequest, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Stop a workload: SIGTERM to its process group, grace, then SIGKILL. Idempotent on ended ones.
   */
  stopWorkload(argument: _mo_v1_StopWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  stopWorkload(argument: _mo_v1_StopWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  stopWorkload(argument: _mo_v1_StopWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  stopWorkload(argument: _mo_v1_StopWorkloadRequest, callback: grpc.requestCallback<_mo_v1_StopWorkloadResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Tail a workload's logs; with follow, keep streaming until it ends or the caller cancels.
   */
  StreamLogs(argument: _mo_v1_StreamLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  StreamLogs(argument: _mo_v1_StreamLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  /**
   * Tail a workload's logs; with follow, keep streaming until it ends or the caller cancels.
   */
  streamLogs(argument: _mo_v1_StreamLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  streamLogs(argument: _mo_v1_StreamLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  
}

export interface NodeAgentHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Host facts, host metrics and every workload the agent knows.
   */
  GetNodeStatus: grpc.handleUnaryCall<_mo_v1_GetNodeStatusRequest__Output, _mo_v1_NodeStatus>;
  
  GetWorkload: grpc.handleUnaryCall<_mo_v1_GetWorkloadRequest__Output, _mo_v1_WorkloadStatus>;
  
  /**
   * Start a workload. INVALID_ARGUMENT names the offending field; ALREADY_EXISTS if spec.id is taken.
   */
  StartWorkload: grpc.handleUnaryCall<_mo_v1_StartWorkloadRequest__Output, _mo_v1_StartWorkloadResponse>;
  
  /**
   * Several starts in one call (the scheduler batches what it places on a node in one tick). Each
   * start succeeds or fails on its own, exactly as a StartWorkload call would.
   */
  StartWorkloads: grpc.handleUnaryCall<_mo_v1_StartWorkloadsRequest__Output, _mo_v1_StartWorkloadsResponse>;
  
  /**
   * Stop a workload: SIGTERM to its process group, grace, then SIGKILL. Idempotent on ended ones.
   */
  StopWorkload: grpc.handleUnaryCall<_mo_v1_StopWorkloadRequest__Output, _mo_v1_StopWorkloadResponse>;
  
  /**
   * Tail a workload's logs; with follow, keep streaming until it ends or the caller cancels.
   */
  StreamLogs: grpc.handleServerStreamingCall<_mo_v1_StreamLogsRequest__Output, _mo_v1_LogChunk>;
  
}

export interface NodeAgentDefinition extends grpc.ServiceDefinition {
  GetNodeStatus: MethodDefinition<_mo_v1_GetNodeStatusRequest, _mo_v1_NodeStatus, _mo_v1_GetNodeStatusRequest__Output, _mo_v1_NodeStatus__Output>
  GetWorkload: MethodDefinition<_mo_v1_GetWorkloadRequest, _mo_v1_WorkloadStatus, _mo_v1_GetWorkloadRequest__Output, _mo_v1_WorkloadStatus__Output>
  StartWorkload: MethodDefinition<_mo_v1_StartWorkloadRequest, _mo_v1_StartWorkloadResponse, _mo_v1_StartWorkloadRequest__Output, _mo_v1_StartWorkloadResponse__Output>
  StartWorkloads: MethodDefinition<_mo_v1_StartWorkloadsRequest, _mo_v1_StartWorkloadsResponse, _mo_v1_StartWorkloadsRequest__Output, _mo_v1_StartWorkloadsResponse__Output>
  StopWorkload: MethodDefinition<_mo_v1_StopWorkloadRequest, _mo_v1_StopWorkloadResponse, _mo_v1_StopWorkloadRequest__Output, _mo_v1_StopWorkloadResponse__Output>
  StreamLogs: MethodDefinition<_mo_v1_StreamLogsRequest, _mo_v1_LogChunk, _mo_v1_StreamLogsRequest__Output, _mo_v1_LogChunk__Output>
}
