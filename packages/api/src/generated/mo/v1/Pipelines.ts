// Original file: proto/mo/v1/pipeline.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ApproveStepRequest as _mo_v1_ApproveStepRequest, ApproveStepRequest__Output as _mo_v1_ApproveStepRequest__Output } from '../../mo/v1/ApproveStepRequest.js';
import type { CancelPipelineRequest as _mo_v1_CancelPipelineRequest, CancelPipelineRequest__Output as _mo_v1_CancelPipelineRequest__Output } from '../../mo/v1/CancelPipelineRequest.js';
import type { GetPipelineRequest as _mo_v1_GetPipelineRequest, GetPipelineRequest__Output as _mo_v1_GetPipelineRequest__Output } from '../../mo/v1/GetPipelineRequest.js';
import type { ListPipelinesRequest as _mo_v1_ListPipelinesRequest, ListPipelinesRequest__Output as _mo_v1_ListPipelinesRequest__Output } from '../../mo/v1/ListPipelinesRequest.js';
import type { ListPipelinesResponse as _mo_v1_ListPipelinesResponse, ListPipelinesResponse__Output as _mo_v1_ListPipelinesResponse__Output } from '../../mo/v1/ListPipelinesResponse.js';
import type { LogChunk as _mo_v1_LogChunk, LogChunk__Output as _mo_v1_LogChunk__Output } from '../../mo/v1/LogChunk.js';
import type { Pipeline as _mo_v1_Pipeline, Pipeline__Output as _mo_v1_Pipeline__Output } from '../../mo/v1/Pipeline.js';
import type { PipelineEvent as _mo_v1_PipelineEvent, PipelineEvent__Output as _mo_v1_PipelineEvent__Output } from '../../mo/v1/PipelineEvent.js';
import type { StreamStepLogsRequest as _mo_v1_StreamStepLogsRequest, StreamStepLogsRequest__Output as _mo_v1_StreamStepLogsRequest__Output } from '../../mo/v1/StreamStepLogsRequest.js';
import type { SubmitPipelineRequest as _mo_v1_SubmitPipelineRequest, SubmitPipelineRequest__Output as _mo_v1_SubmitPipelineRequest__Output } from '../../mo/v1/SubmitPipelineRequest.js';
import type { SubmitPipelineResponse as _mo_v1_SubmitPipelineResponse, SubmitPipelineResponse__Output as _mo_v1_SubmitPipelineResponse__Output } from '../../mo/v1/SubmitPipelineResponse.js';
import type { WatchPipelinesRequest as _mo_v1_WatchPipelinesRequest, WatchPipelinesRequest__Output as _mo_v1_WatchPipelinesRequest__Output } from '../../mo/v1/WatchPipelinesRequest.js';

export interface PipelinesClient extends grpc.Client {
  /**
   * Approves (or, with reject, rejects) a step that waits at its approval gate.
   */
  ApproveStep(argument: _mo_v1_ApproveStepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  ApproveStep(argument: _mo_v1_ApproveStepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  ApproveStep(argument: _mo_v1_ApproveStepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  ApproveStep(argument: _mo_v1_ApproveStepRequest, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  /**
   * Approves (or, with reject, rejects) a step that waits at its approval gate.
   */
  approveStep(argument: _mo_v1_ApproveStepRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  approveStep(argument: _mo_v1_ApproveStepRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  approveStep(argument: _mo_v1_ApproveStepRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  approveStep(argument: _mo_v1_ApproveStepRequest, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stops running steps; runs compensations when the spec says `onCancel: compensate`.
   */
  CancelPipeline(argument: _mo_v1_CancelPipelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  CancelPipeline(argument: _mo_v1_CancelPipelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  CancelPipeline(argument: _mo_v1_CancelPipelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  CancelPipeline(argument: _mo_v1_CancelPipelineRequest, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  /**
   * Stops running steps; runs compensations when the spec says `onCancel: compensate`.
   */
  cancelPipeline(argument: _mo_v1_CancelPipelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  cancelPipeline(argument: _mo_v1_CancelPipelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  cancelPipeline(argument: _mo_v1_CancelPipelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  cancelPipeline(argument: _mo_v1_CancelPipelineRequest, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  
  GetPipeline(argument: _mo_v1_GetPipelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  GetPipeline(argument: _mo_v1_GetPipelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  GetPipeline(argument: _mo_v1_GetPipelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  GetPipeline(argument: _mo_v1_GetPipelineRequest, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  getPipeline(argument: _mo_v1_GetPipelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  getPipeline(argument: _mo_v1_GetPipelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  getPipeline(argument: _mo_v1_GetPipelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  getPipeline(argument: _mo_v1_GetPipelineRequest, callback: grpc.requestCallback<_mo_v1_Pipeline__Output>): grpc.ClientUnaryCall;
  
  ListPipelines(argument: _mo_v1_ListPipelinesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  ListPipelines(argument: _mo_v1_ListPipelinesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  ListPipelines(argument: _mo_v1_ListPipelinesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  ListPipelines(argument: _mo_v1_ListPipelinesRequest, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _mo_v1_ListPipelinesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _mo_v1_ListPipelinesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _mo_v1_ListPipelinesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  listPipelines(argument: _mo_v1_ListPipelinesRequest, callback: grpc.requestCallback<_mo_v1_ListPipelinesResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The logs of a step's (latest) workload.
   */
  StreamStepLogs(argument: _mo_v1_StreamStepLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  StreamStepLogs(argument: _mo_v1_StreamStepLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  /**
   * The logs of a step's (latest) workload.
   */
  streamStepLogs(argument: _mo_v1_StreamStepLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  streamStepLogs(argument: _mo_v1_StreamStepLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  
  /**
   * Validates (INVALID_ARGUMENT names the field), persists and queues a pipeline. Past the
   * admission bound (queued pipelines) it is refused with RESOURCE_EXHAUSTED.
   */
  SubmitPipeline(argument: _mo_v1_SubmitPipelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  SubmitPipeline(argument: _mo_v1_SubmitPipelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  SubmitPipeline(argument: _mo_v1_SubmitPipelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  SubmitPipeline(argument: _mo_v1_SubmitPipelineRequest, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Validates (INVALID_ARGUMENT names the field), persists and queues a pipeline. Past the
   * admission bound (queued pipelines) it is refused with RESOURCE_EXHAUSTED.
   */
  submitPipeline(argument: _mo_v1_SubmitPipelineRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  submitPipeline(argument: _mo_v1_SubmitPipelineRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  submitPipeline(argument: _mo_v1_SubmitPipelineRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  submitPipeline(argument: _mo_v1_SubmitPipelineRequest, callback: grpc.requestCallback<_mo_v1_SubmitPipelineResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Pipeline and step events in sequence order: the retained ones after after_seq, then live.
   */
  WatchPipelines(argument: _mo_v1_WatchPipelinesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_PipelineEvent__Output>;
  WatchPipelines(argument: _mo_v1_WatchPipelinesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_PipelineEvent__Output>;
  /**
   * Pipeline and step events in sequence order: the retained ones after after_seq, then live.
   */
  watchPipelines(argument: _mo_v1_WatchPipelinesRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_PipelineEvent__Output>;
  watchPipelines(argument: _mo_v1_WatchPipelinesRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_PipelineEvent__Output>;
  
}

export interface PipelinesHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Approves (or, with reject, rejects) a step that waits at its approval gate.
   */
  ApproveStep: grpc.handleUnaryCall<_mo_v1_ApproveStepRequest__Output, _mo_v1_Pipeline>;
  
  /**
   * Stops running steps; runs compensations when the spec says `onCancel: compensate`.
   */
  CancelPipeline: grpc.handleUnaryCall<_mo_v1_CancelPipelineRequest__Output, _mo_v1_Pipeline>;
  
  GetPipeline: grpc.handleUnaryCall<_mo_v1_GetPipelineRequest__Output, _mo_v1_Pipeline>;
  
  ListPipelines: grpc.handleUnaryCall<_mo_v1_ListPipelinesRequest__Output, _mo_v1_ListPipelinesResponse>;
  
  /**
   * The logs of a step's (latest) workload.
   */
  StreamStepLogs: grpc.handleServerStreamingCall<_mo_v1_StreamStepLogsRequest__Output, _mo_v1_LogChunk>;
  
  /**
   * Validates (INVALID_ARGUMENT names the field), persists and queues a pipeline. Past the
   * admission bound (queued pipelines) it is refused with RESOURCE_EXHAUSTED.
   */
  SubmitPipeline: grpc.handleUnaryCall<_mo_v1_SubmitPipelineRequest__Output, _mo_v1_SubmitPipelineResponse>;
  
  /**
   * Pipeline and step events in sequence order: the retained ones after after_seq, then live.
   */
  WatchPipelines: grpc.handleServerStreamingCall<_mo_v1_WatchPipelinesRequest__Output, _mo_v1_PipelineEvent>;
  
}

export interface PipelinesDefinition extends grpc.ServiceDefinition {
  ApproveStep: MethodDefinition<_mo_v1_ApproveStepRequest, _mo_v1_Pipeline, _mo_v1_ApproveStepRequest__Output, _mo_v1_Pipeline__Output>
  CancelPipeline: MethodDefinition<_mo_v1_CancelPipelineRequest, _mo_v1_Pipeline, _mo_v1_CancelPipelineRequest__Output, _mo_v1_Pipeline__Output>
  GetPipeline: MethodDefinition<_mo_v1_GetPipelineRequest, _mo_v1_Pipeline, _mo_v1_GetPipelineRequest__Output, _mo_v1_Pipeline__Output>
  ListPipelines: MethodDefinition<_mo_v1_ListPipelinesRequest, _mo_v1_ListPipelinesResponse, _mo_v1_ListPipelinesRequest__Output, _mo_v1_ListPipelinesResponse__Output>
  StreamStepLogs: MethodDefinition<_mo_v1_StreamStepLogsRequest, _mo_v1_LogChunk, _mo_v1_StreamStepLogsRequest__Output, _mo_v1_LogChunk__Output>
  SubmitPipeline: MethodDefinition<_mo_v1_SubmitPipelineRequest, _mo_v1_SubmitPipelineResponse, _mo_v1_SubmitPipelineRequest__Output, _mo_v1_SubmitPipelineResponse__Output>
  WatchPipelines: MethodDefinition<_mo_v1_WatchPipelinesRequest, _mo_v1_PipelineEvent, _mo_v1_WatchPipelinesRequest__Output, _mo_v1_PipelineEvent__Output>
}
