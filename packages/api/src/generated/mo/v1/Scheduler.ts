// Original file: proto/mo/v1/scheduler.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ClusterEvent as _mo_v1_ClusterEvent, ClusterEvent__Output as _mo_v1_ClusterEvent__Output } from '../../mo/v1/ClusterEvent.js';
import type { ClusterStatus as _mo_v1_ClusterStatus, ClusterStatus__Output as _mo_v1_ClusterStatus__Output } from '../../mo/v1/ClusterStatus.js';
import type { DrainNodeRequest as _mo_v1_DrainNodeRequest, DrainNodeRequest__Output as _mo_v1_DrainNodeRequest__Output } from '../../mo/v1/DrainNodeRequest.js';
import type { DrainNodeResponse as _mo_v1_DrainNodeResponse, DrainNodeResponse__Output as _mo_v1_DrainNodeResponse__Output } from '../../mo/v1/DrainNodeResponse.js';
import type { GetClusterStatusRequest as _mo_v1_GetClusterStatusRequest, GetClusterStatusRequest__Output as _mo_v1_GetClusterStatusRequest__Output } from '../../mo/v1/GetClusterStatusRequest.js';
import type { GetScheduledWorkloadRequest as _mo_v1_GetScheduledWorkloadRequest, GetScheduledWorkloadRequest__Output as _mo_v1_GetScheduledWorkloadRequest__Output } from '../../mo/v1/GetScheduledWorkloadRequest.js';
import type { ListNodesRequest as _mo_v1_ListNodesRequest, ListNodesRequest__Output as _mo_v1_ListNodesRequest__Output } from '../../mo/v1/ListNodesRequest.js';
import type { ListNodesResponse as _mo_v1_ListNodesResponse, ListNodesResponse__Output as _mo_v1_ListNodesResponse__Output } from '../../mo/v1/ListNodesResponse.js';
import type { ListWorkloadsRequest as _mo_v1_ListWorkloadsRequest, ListWorkloadsRequest__Output as _mo_v1_ListWorkloadsRequest__Output } from '../../mo/v1/ListWorkloadsRequest.js';
import type { ListWorkloadsResponse as _mo_v1_ListWorkloadsResponse, ListWorkloadsResponse__Output as _mo_v1_ListWorkloadsResponse__Output } from '../../mo/v1/ListWorkloadsResponse.js';
import type { LogChunk as _mo_v1_LogChunk, LogChunk__Output as _mo_v1_LogChunk__Output } from '../../mo/v1/LogChunk.js';
import type { RemoveNodeRequest as _mo_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _mo_v1_RemoveNodeRequest__Output } from '../../mo/v1/RemoveNodeRequest.js';
import type { RemoveNodeResponse as _mo_v1_RemoveNodeResponse, RemoveNodeResponse__Output as _mo_v1_RemoveNodeResponse__Output } from '../../mo/v1/RemoveNodeResponse.js';
import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from '../../mo/v1/ScheduledWorkload.js';
import type { SetNodeEligibilityRequest as _mo_v1_SetNodeEligibilityRequest, SetNodeEligibilityRequest__Output as _mo_v1_SetNodeEligibilityRequest__Output } from '../../mo/v1/SetNodeEligibilityRequest.js';
import type { SetNodeEligibilityResponse as _mo_v1_SetNodeEligibilityResponse, SetNodeEligibilityResponse__Output as _mo_v1_SetNodeEligibilityResponse__Output } from '../../mo/v1/SetNodeEligibilityResponse.js';
import type { StopScheduledWorkloadRequest as _mo_v1_StopScheduledWorkloadRequest, StopScheduledWorkloadRequest__Output as _mo_v1_StopScheduledWorkloadRequest__Output } from '../../mo/v1/StopScheduledWorkloadRequest.js';
import type { StreamWorkloadLogsRequest as _mo_v1_StreamWorkloadLogsRequest, StreamWorkloadLogsRequest__Output as _mo_v1_StreamWorkloadLogsRequest__Output } from '../../mo/v1/StreamWorkloadLogsRequest.js';
import type { SubmitWorkloadRequest as _mo_v1_SubmitWorkloadRequest, SubmitWorkloadRequest__Output as _mo_v1_SubmitWorkloadRequest__Output } from '../../mo/v1/SubmitWorkloadRequest.js';
import type { SubmitWorkloadResponse as _mo_v1_SubmitWorkloadResponse, SubmitWorkloadResponse__Output as _mo_v1_SubmitWorkloadResponse__Output } from '../../mo/v1/SubmitWorkloadResponse.js';
import type { WatchRequest as _mo_v1_WatchRequest, WatchRequest__Output as _mo_v1_WatchRequest__Output } from '../../mo/v1/WatchRequest.js';

export interface SchedulerClient extends grpc.Client {
  /**
   * Drains a node (by name or id): it takes no new work at once (ineligible); a service's instances
   * move elsewhere max_parallel at a time (each replacement healthy before the old one stops),
   * other work runs until the deadline, then is stopped and placed elsewhere (a job's instance as
   * its job decides, a plain workload re-placed: a drain is not a failure). force stops everything
   * now; cancel ends a drain and makes the node eligible again. The drain is stored: a restarted
   * scheduler goes on with it. Done when nothing of it is left on the node, which then stays
   * ineligible until SetNodeEligibility makes it eligible.
   */
  DrainNode(argument: _mo_v1_DrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _mo_v1_DrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _mo_v1_DrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  DrainNode(argument: _mo_v1_DrainNodeRequest, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Drains a node (by name or id): it takes no new work at once (ineligible); a service's instances
   * move elsewhere max_parallel at a time (each replacement healthy before the old one stops),
   * other work runs until the deadline, then is stopped and placed elsewhere (a job's instance as
   * its job decides, a plain workload re-placed: a drain is not a failure). force stops everything
   * now; cancel ends a drain and makes the node eligible again. The drain is stored: a restarted
   * scheduler goes on with it. Done when nothing of it is left on the node, which then stays
   * ineligible until SetNodeEligibility makes it eligible.
   */
  drainNode(argument: _mo_v1_DrainNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _mo_v1_DrainNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _mo_v1_DrainNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  drainNode(argument: _mo_v1_DrainNodeRequest, callback: grpc.requestCallback<_mo_v1_DrainNodeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Nodes and workload counts in one call (what `mo status` shows).
   */
  GetClusterStatus(argument: _mo_v1_GetClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _mo_v1_GetClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _mo_v1_GetClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  GetClusterStatus(argument: _mo_v1_GetClusterStatusRequest, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  /**
   * Nodes and workload counts in one call (what `mo status` shows).
   */
  getClusterStatus(argument: _mo_v1_GetClusterStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _mo_v1_GetClusterStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _mo_v1_GetClusterStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  getClusterStatus(argument: _mo_v1_GetClusterStatusRequest, callback: grpc.requestCallback<_mo_v1_ClusterStatus__Output>): grpc.ClientUnaryCall;
  
  GetScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  GetScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  GetScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  GetScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  getScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  getScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  getScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  getScheduledWorkload(argument: _mo_v1_GetScheduledWorkloadRequest, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  
  ListNodes(argument: _mo_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _mo_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _mo_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  ListNodes(argument: _mo_v1_ListNodesRequest, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _mo_v1_ListNodesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _mo_v1_ListNodesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _mo_v1_ListNodesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  listNodes(argument: _mo_v1_ListNodesRequest, callback: grpc.requestCallback<_mo_v1_ListNodesResponse__Output>): grpc.ClientUnaryCall;
  
  ListWorkloads(argument: _mo_v1_ListWorkloadsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  ListWorkloads(argument: _mo_v1_ListWorkloadsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  ListWorkloads(argument: _mo_v1_ListWorkloadsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  ListWorkloads(argument: _mo_v1_ListWorkloadsRequest, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  listWorkloads(argument: _mo_v1_ListWorkloadsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  listWorkloads(argument: _mo_v1_ListWorkloadsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  listWorkloads(argument: _mo_v1_ListWorkloadsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  listWorkloads(argument: _mo_v1_ListWorkloadsRequest, callback: grpc.requestCallback<_mo_v1_ListWorkloadsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Forgets a down node (by name or id): FAILED_PRECONDITION while it is up. Its workloads still
   * waiting for it (`unknown`) are lost at once and handled by their restart policy; ended ones
   * stay readable. A node that comes back later simply registers anew.
   */
  RemoveNode(argument: _mo_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _mo_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _mo_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  RemoveNode(argument: _mo_v1_RemoveNodeRequest, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Forgets a down node (by name or id): FAILED_PRECONDITION while it is up. Its workloads still
   * waiting for it (`unknown`) are lost at once and handled by their restart policy; ended ones
   * stay readable. A node that comes back later simply registers anew.
   */
  removeNode(argument: _mo_v1_RemoveNodeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _mo_v1_RemoveNodeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _mo_v1_RemoveNodeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  removeNode(argument: _mo_v1_RemoveNodeRequest, callback: grpc.requestCallback<_mo_v1_RemoveNodeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Marks a node eligible for new work, or not (what is on it keeps running). Making a draining
   * node eligible is refused (FAILED_PRECONDITION): cancel the drain instead.
   */
  SetNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  SetNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  SetNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  SetNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Marks a node eligible for new work, or not (what is on it keeps running). Making a draining
   * node eligible is refused (FAILED_PRECONDITION): cancel the drain instead.
   */
  setNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  setNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  setNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  setNodeEligibility(argument: _mo_v1_SetNodeEligibilityRequest, callback: grpc.requestCallback<_mo_v1_SetNodeEligibilityResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stops a workload (SIGTERM, grace, SIGKILL on its node); a pending one is just cancelled.
   */
  StopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  StopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  StopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  StopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  /**
   * Stops a workload (SIGTERM, grace, SIGKILL on its node); a pending one is just cancelled.
   */
  stopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  stopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  stopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  stopScheduledWorkload(argument: _mo_v1_StopScheduledWorkloadRequest, callback: grpc.requestCallback<_mo_v1_ScheduledWorkload__Output>): grpc.ClientUnaryCall;
  
  /**
   * A workload's logs, proxied from the agent that runs (or ran) its current allocation.
   */
  StreamWorkloadLogs(argument: _mo_v1_StreamWorkloadLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  StreamWorkloadLogs(argument: _mo_v1_StreamWorkloadLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  /**
   * A workload's logs, proxied from the agent that runs (or ran) its current allocation.
   */
  streamWorkloadLogs(argument: _mo_v1_StreamWorkloadLogsRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  streamWorkloadLogs(argument: _mo_v1_StreamWorkloadLogsRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_LogChunk__Output>;
  
  /**
   * Validates, persists and queues a workload, and places it at once when a node fits. With count,
   * an array: count workloads of one spec, in one group, persisted in one transaction.
   */
  SubmitWorkload(argument: _mo_v1_SubmitWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  SubmitWorkload(argument: _mo_v1_SubmitWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  SubmitWorkload(argument: _mo_v1_SubmitWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  SubmitWorkload(argument: _mo_v1_SubmitWorkloadRequest, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Validates, persists and queues a workload, and places it at once when a node fits. With count,
   * an array: count workloads of one spec, in one group, persisted in one transaction.
   */
  submitWorkload(argument: _mo_v1_SubmitWorkloadRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  submitWorkload(argument: _mo_v1_SubmitWorkloadRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  submitWorkload(argument: _mo_v1_SubmitWorkloadRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  submitWorkload(argument: _mo_v1_SubmitWorkloadRequest, callback: grpc.requestCallback<_mo_v1_SubmitWorkloadResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Workload and node (with include_pipelines, pipeline) changes in sequence order: the retained
   * ones after after_seq (or the current state with initial_state), a caught_up marker, then live
   * ones. A reader that falls out of the retention window is cut off with RESOURCE_EXHAUSTED and
   * resumes with after_seq.
   */
  Watch(argument: _mo_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ClusterEvent__Output>;
  Watch(argument: _mo_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ClusterEvent__Output>;
  /**
   * Workload and node (with include_pipelines, pipeline) changes in sequence order: the retained
   * ones after after_seq (or the current state with initial_state), a caught_up marker, then live
   * ones. A reader that falls out of the retention window is cut off with RESOURCE_EXHAUSTED and
   * resumes with after_seq.
   */
  watch(argument: _mo_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ClusterEvent__Output>;
  watch(argument: _mo_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_mo_v1_ClusterEvent__Output>;
  
}

export interface SchedulerHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Drains a node (by name or id): it takes no new work at once (ineligible); a service's instances
   * move elsewhere max_parallel at a time (each replacement healthy before the old one stops),
   * other work runs until the deadline, then is stopped and placed elsewhere (a job's instance as
   * its job decides, a plain workload re-placed: a drain is not a failure). force stops everything
   * now; cancel ends a drain and makes the node eligible again. The drain is stored: a restarted
   * scheduler goes on with it. Done when nothing of it is left on the node, which then stays
   * ineligible until SetNodeEligibility makes it eligible.
   */
  DrainNode: grpc.handleUnaryCall<_mo_v1_DrainNodeRequest__Output, _mo_v1_DrainNodeResponse>;
  
  /**
   * Nodes and workload counts in one call (what `mo status` shows).
   */
  GetClusterStatus: grpc.handleUnaryCall<_mo_v1_GetClusterStatusRequest__Output, _mo_v1_ClusterStatus>;
  
  GetScheduledWorkload: grpc.handleUnaryCall<_mo_v1_GetScheduledWorkloadRequest__Output, _mo_v1_ScheduledWorkload>;
  
  ListNodes: grpc.handleUnaryCall<_mo_v1_ListNodesRequest__Output, _mo_v1_ListNodesResponse>;
  
  ListWorkloads: grpc.handleUnaryCall<_mo_v1_ListWorkloadsRequest__Output, _mo_v1_ListWorkloadsResponse>;
  
  /**
   * Forgets a down node (by name or id): FAILED_PRECONDITION while it is up. Its workloads still
   * waiting for it (`unknown`) are lost at once and handled by their restart policy; ended ones
   * stay readable. A node that comes back later simply registers anew.
   */
  RemoveNode: grpc.handleUnaryCall<_mo_v1_RemoveNodeRequest__Output, _mo_v1_RemoveNodeResponse>;
  
  /**
   * Marks a node eligible for new work, or not (what is on it keeps running). Making a draining
   * node eligible is refused (FAILED_PRECONDITION): cancel the drain instead.
   */
  SetNodeEligibility: grpc.handleUnaryCall<_mo_v1_SetNodeEligibilityRequest__Output, _mo_v1_SetNodeEligibilityResponse>;
  
  /**
   * Stops a workload (SIGTERM, grace, SIGKILL on its node); a pending one is just cancelled.
   */
  StopScheduledWorkload: grpc.handleUnaryCall<_mo_v1_StopScheduledWorkloadRequest__Output, _mo_v1_ScheduledWorkload>;
  
  /**
   * A workload's logs, proxied from the agent that runs (or ran) its current allocation.
   */
  StreamWorkloadLogs: grpc.handleServerStreamingCall<_mo_v1_StreamWorkloadLogsRequest__Output, _mo_v1_LogChunk>;
  
  /**
   * Validates, persists and queues a workload, and places it at once when a node fits. With count,
   * an array: count workloads of one spec, in one group, persisted in one transaction.
   */
  SubmitWorkload: grpc.handleUnaryCall<_mo_v1_SubmitWorkloadRequest__Output, _mo_v1_SubmitWorkloadResponse>;
  
  /**
   * Workload and node (with include_pipelines, pipeline) changes in sequence order: the retained
   * ones after after_seq (or the current state with initial_state), a caught_up marker, then live
   * ones. A reader that falls out of the retention window is cut off with RESOURCE_EXHAUSTED and
   * resumes with after_seq.
   */
  Watch: grpc.handleServerStreamingCall<_mo_v1_WatchRequest__Output, _mo_v1_ClusterEvent>;
  
}

export interface SchedulerDefinition extends grpc.ServiceDefinition {
  DrainNode: MethodDefinition<_mo_v1_DrainNodeRequest, _mo_v1_DrainNodeResponse, _mo_v1_DrainNodeRequest__Output, _mo_v1_DrainNodeResponse__Output>
  GetClusterStatus: MethodDefinition<_mo_v1_GetClusterStatusRequest, _mo_v1_ClusterStatus, _mo_v1_GetClusterStatusRequest__Output, _mo_v1_ClusterStatus__Output>
  GetScheduledWorkload: MethodDefinition<_mo_v1_GetScheduledWorkloadRequest, _mo_v1_ScheduledWorkload, _mo_v1_GetScheduledWorkloadRequest__Output, _mo_v1_ScheduledWorkload__Output>
  ListNodes: MethodDefinition<_mo_v1_ListNodesRequest, _mo_v1_ListNodesResponse, _mo_v1_ListNodesRequest__Output, _mo_v1_ListNodesResponse__Output>
  ListWorkloads: MethodDefinition<_mo_v1_ListWorkloadsRequest, _mo_v1_ListWorkloadsResponse, _mo_v1_ListWorkloadsRequest__Output, _mo_v1_ListWorkloadsResponse__Output>
  RemoveNode: MethodDefinition<_mo_v1_RemoveNodeRequest, _mo_v1_RemoveNodeResponse, _mo_v1_RemoveNodeRequest__Output, _mo_v1_RemoveNodeResponse__Output>
  SetNodeEligibility: MethodDefinition<_mo_v1_SetNodeEligibilityRequest, _mo_v1_SetNodeEligibilityResponse, _mo_v1_SetNodeEligibilityRequest__Output, _mo_v1_SetNodeEligibilityResponse__Output>
  StopScheduledWorkload: MethodDefinition<_mo_v1_StopScheduledWorkloadRequest, _mo_v1_ScheduledWorkload, _mo_v1_StopScheduledWorkloadRequest__Output, _mo_v1_ScheduledWorkload__Output>
  StreamWorkloadLogs: MethodDefinition<_mo_v1_StreamWorkloadLogsRequest, _mo_v1_LogChunk, _mo_v1_StreamWorkloadLogsRequest__Output, _mo_v1_LogChunk__Output>
  SubmitWorkload: MethodDefinition<_mo_v1_SubmitWorkloadRequest, _mo_v1_SubmitWorkloadResponse, _mo_v1_SubmitWorkloadRequest__Output, _mo_v1_SubmitWorkloadResponse__Output>
  Watch: MethodDefinition<_mo_v1_WatchRequest, _mo_v1_ClusterEvent, _mo_v1_WatchRequest__Output, _mo_v1_ClusterEvent__Output>
}
