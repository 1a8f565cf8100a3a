// Re-exports of the generated message types under their domain names. `X` is what callers may
// send (permissive), `X__Output` is what the loader hands back (all defaults filled).
export { WorkloadState } from './generated/mo/v1/WorkloadState.js';
export type { WorkloadState__Output } from './generated/mo/v1/WorkloadState.js';
export { LogStream } from './generated/mo/v1/LogStream.js';
export type { LogStream__Output } from './generated/mo/v1/LogStream.js';
export type { WorkloadSpec, WorkloadSpec__Output } from './generated/mo/v1/WorkloadSpec.js';
export type { WorkloadStatus, WorkloadStatus__Output } from './generated/mo/v1/WorkloadStatus.js';
export type { WorkloadEvent, WorkloadEvent__Output } from './generated/mo/v1/WorkloadEvent.js';
export type { Resources, Resources__Output } from './generated/mo/v1/Resources.js';
export type { ExitStatus, ExitStatus__Output } from './generated/mo/v1/ExitStatus.js';
export type { WorkloadUsage, WorkloadUsage__Output } from './generated/mo/v1/WorkloadUsage.js';
export type { NodeFacts, NodeFacts__Output } from './generated/mo/v1/NodeFacts.js';
export type { NodeMetrics, NodeMetrics__Output } from './generated/mo/v1/NodeMetrics.js';
export type { NodeStatus, NodeStatus__Output } from './generated/mo/v1/NodeStatus.js';
export type { LogChunk, LogChunk__Output } from './generated/mo/v1/LogChunk.js';
export type { StartWorkloadRequest__Output } from './generated/mo/v1/StartWorkloadRequest.js';
export type { StartWorkloadResponse } from './generated/mo/v1/StartWorkloadResponse.js';
export type { StopWorkloadRequest__Output } from './generated/mo/v1/StopWorkloadRequest.js';
export type { StopWorkloadResponse } from './generated/mo/v1/StopWorkloadResponse.js';
export type { GetWorkloadRequest__Output } from './generated/mo/v1/GetWorkloadRequest.js';
export type { GetNodeStatusRequest__Output } from './generated/mo/v1/GetNodeStatusRequest.js';
export type { StreamLogsRequest, StreamLogsRequest__Output } from './generated/mo/v1/StreamLogsRequest.js';
export type { NodeAgentHandlers, NodeAgentClient } from './generated/mo/v1/NodeAgent.js';
