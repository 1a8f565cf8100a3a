// Re-exports of the generated message types under their domain names. `X` is what callers may
// send (permissive), `X__Output` is what the loader hands back (all defaults filled).
export { WorkloadState } from './generated/mo/v1/WorkloadState.js';
export type { WorkloadState__Output } from './generated/mo/v1/WorkloadState.js';
export { LogStream } from './generated/mo/v1/LogStream.js';
export type { LogStream__Output } from './generated/mo/v1/LogStream.js';
export type { WorkloadSpec, WorkloadSpec__Output } from './generated/mo/v1/WorkloadSpec.js';
export type { WorkloadStatus, WorkloadStatus__Output } from './generated/mo/v1/WorkloadStatus.js';
export type { DockerSpec, DockerSpec__Output } from './generated/mo/v1/DockerSpec.js';
export type { DockerMount, DockerMount__Output } from './generated/mo/v1/DockerMount.js';
export type { PortMapping, PortMapping__Output } from './generated/mo/v1/PortMapping.js';
export type { ArtifactSpec, ArtifactSpec__Output } from './generated/mo/v1/ArtifactSpec.js';
export type { ArtifactRef, ArtifactRef__Output } from './generated/mo/v1/ArtifactRef.js';
export type { ArtifactUpload, ArtifactUpload__Output } from './generated/mo/v1/ArtifactUpload.js';
export type { ArtifactChunk, ArtifactChunk__Output } from './generated/mo/v1/ArtifactChunk.js';
export type { ArtifactReplica, ArtifactReplica__Output } from './generated/mo/v1/ArtifactReplica.js';
export type { ArtifactReplicaReport, ArtifactReplicaReport__Output } from './generated/mo/v1/ArtifactReplicaReport.js';
export type { ArtifactReplicaAck, ArtifactReplicaAck__Output } from './generated/mo/v1/ArtifactReplicaAck.js';
export type {
  DownloadArtifactRequest,
  DownloadArtifactRequest__Output,
} from './generated/mo/v1/DownloadArtifactRequest.js';
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
export type { StartWorkloadsRequest__Output } from './generated/mo/v1/StartWorkloadsRequest.js';
export type { StartWorkloadsResponse } from './generated/mo/v1/StartWorkloadsResponse.js';
export type { StartResult } from './generated/mo/v1/StartResult.js';
export type { StopWorkloadRequest__Output } from './generated/mo/v1/StopWorkloadRequest.js';
export type { StopWorkloadResponse } from './generated/mo/v1/StopWorkloadResponse.js';
export type { GetWorkloadRequest__Output } from './generated/mo/v1/GetWorkloadRequest.js';
export type { GetNodeStatusRequest__Output } from './generated/mo/v1/GetNodeStatusRequest.js';
export type { StreamLogsRequest, StreamLogsRequest__Output } from './generated/mo/v1/StreamLogsRequest.js';
export type { NodeAgentHandlers, NodeAgentClient } from './generated/mo/v1/NodeAgent.js';
// The scheduler's client API and the agent -> scheduler registry.
export { Priority } from './generated/mo/v1/Priority.js';
export { RestartMode } from './generated/mo/v1/RestartMode.js';
export { PlacementStrategy } from './generated/mo/v1/PlacementStrategy.js';
export { NodeState } from './generated/mo/v1/NodeState.js';
export type { Priority__Output } from './generated/mo/v1/Priority.js';
export type { RestartMode__Output } from './generated/mo/v1/RestartMode.js';
export type { PlacementStrategy__Output } from './generated/mo/v1/PlacementStrategy.js';
export type { NodeState__Output } from './generated/mo/v1/NodeState.js';
export type { RestartPolicy, RestartPolicy__Output } from './generated/mo/v1/RestartPolicy.js';
export type { SchedulingSpec, SchedulingSpec__Output } from './generated/mo/v1/SchedulingSpec.js';
export type { ScheduledWorkload, ScheduledWorkload__Output } from './generated/mo/v1/ScheduledWorkload.js';
export type { SubmitWorkloadRequest, SubmitWorkloadRequest__Output } from './generated/mo/v1/SubmitWorkloadRequest.js';
export type {
  SubmitWorkloadResponse,
  SubmitWorkloadResponse__Output,
} from './generated/mo/v1/SubmitWorkloadResponse.js';
export type {
  StopScheduledWorkloadRequest,
  StopScheduledWorkloadRequest__Output,
} from './generated/mo/v1/StopScheduledWorkloadRequest.js';
export type {
  GetScheduledWorkloadRequest,
  GetScheduledWorkloadRequest__Output,
} from './generated/mo/v1/GetScheduledWorkloadRequest.js';
export type { ListWorkloadsRequest, ListWorkloadsRequest__Output } from './generated/mo/v1/ListWorkloadsRequest.js';
export type { ListWorkloadsResponse, ListWorkloadsResponse__Output } from './generated/mo/v1/ListWorkloadsResponse.js';
export type { Node, Node__Output } from './generated/mo/v1/Node.js';
export type { ListNodesRequest__Output } from './generated/mo/v1/ListNodesRequest.js';
export type { ListNodesResponse, ListNodesResponse__Output } from './generated/mo/v1/ListNodesResponse.js';
export type {
  GetClusterStatusRequest,
  GetClusterStatusRequest__Output,
} from './generated/mo/v1/GetClusterStatusRequest.js';
export type { ClusterStatus, ClusterStatus__Output } from './generated/mo/v1/ClusterStatus.js';
export type {
  StreamWorkloadLogsRequest,
  StreamWorkloadLogsRequest__Output,
} from './generated/mo/v1/StreamWorkloadLogsRequest.js';
export type { WatchRequest, WatchRequest__Output } from './generated/mo/v1/WatchRequest.js';
export type { ClusterEvent, ClusterEvent__Output } from './generated/mo/v1/ClusterEvent.js';
export type { SchedulerHandlers, SchedulerClient as RawSchedulerClient } from './generated/mo/v1/Scheduler.js';
export type { RegisterRequest, RegisterRequest__Output } from './generated/mo/v1/RegisterRequest.js';
export type { RegisterResponse, RegisterResponse__Output } from './generated/mo/v1/RegisterResponse.js';
export type { HeartbeatRequest, HeartbeatRequest__Output } from './generated/mo/v1/HeartbeatRequest.js';
export type { SyncInventoryRequest, SyncInventoryRequest__Output } from './generated/mo/v1/SyncInventoryRequest.js';
export type { SyncInventoryResponse, SyncInventoryResponse__Output } from './generated/mo/v1/SyncInventoryResponse.js';
export type { RemoveNodeRequest, RemoveNodeRequest__Output } from './generated/mo/v1/RemoveNodeRequest.js';
export type { RemoveNodeResponse, RemoveNodeResponse__Output } from './generated/mo/v1/RemoveNodeResponse.js';
export type { DrainNodeRequest, DrainNodeRequest__Output } from './generated/mo/v1/DrainNodeRequest.js';
export type { DrainNodeResponse, DrainNodeResponse__Output } from './generated/mo/v1/DrainNodeResponse.js';
export type { NodeDrain, NodeDrain__Output } from './generated/mo/v1/NodeDrain.js';
export type { NodeDrainState, NodeDrainState__Output } from './generated/mo/v1/NodeDrainState.js';
export type {
  SetNodeEligibilityRequest,
  SetNodeEligibilityRequest__Output,
} from './generated/mo/v1/SetNodeEligibilityRequest.js';
export type {
  SetNodeEligibilityResponse,
  SetNodeEligibilityResponse__Output,
} from './generated/mo/v1/SetNodeEligibilityResponse.js';
export type { HeartbeatResponse, HeartbeatResponse__Output } from './generated/mo/v1/HeartbeatResponse.js';
export type {
  NodeRegistryHandlers,
  NodeRegistryClient as RawNodeRegistryClient,
} from './generated/mo/v1/NodeRegistry.js';
// Pipelines (proto/mo/v1/pipeline.proto).
export { PipelineState } from './generated/mo/v1/PipelineState.js';
export { StepState } from './generated/mo/v1/StepState.js';
export type { PipelineState__Output } from './generated/mo/v1/PipelineState.js';
export type { StepState__Output } from './generated/mo/v1/StepState.js';
export type { Pipeline, Pipeline__Output } from './generated/mo/v1/Pipeline.js';
export type { PipelineStep, PipelineStep__Output } from './generated/mo/v1/PipelineStep.js';
export type { StepApproval, StepApproval__Output } from './generated/mo/v1/StepApproval.js';
export type { Compensation, Compensation__Output } from './generated/mo/v1/Compensation.js';
export type { PipelineEvent, PipelineEvent__Output } from './generated/mo/v1/PipelineEvent.js';
export type { SubmitPipelineRequest, SubmitPipelineRequest__Output } from './generated/mo/v1/SubmitPipelineRequest.js';
export type {
  SubmitPipelineResponse,
  SubmitPipelineResponse__Output,
} from './generated/mo/v1/SubmitPipelineResponse.js';
export type { GetPipelineRequest, GetPipelineRequest__Output } from './generated/mo/v1/GetPipelineRequest.js';
export type { ListPipelinesRequest, ListPipelinesRequest__Output } from './generated/mo/v1/ListPipelinesRequest.js';
export type { ListPipelinesResponse, ListPipelinesResponse__Output } from './generated/mo/v1/ListPipelinesResponse.js';
export type { CancelPipelineRequest, CancelPipelineRequest__Output } from './generated/mo/v1/CancelPipelineRequest.js';
export type { ApproveStepRequest, ApproveStepRequest__Output } from './generated/mo/v1/ApproveStepRequest.js';
export type { WatchPipelinesRequest, WatchPipelinesRequest__Output } from './generated/mo/v1/WatchPipelinesRequest.js';
export type { StreamStepLogsRequest, StreamStepLogsRequest__Output } from './generated/mo/v1/StreamStepLogsRequest.js';
export type { PipelinesHandlers, PipelinesClient as RawPipelinesClient } from './generated/mo/v1/Pipelines.js';
// Jobs and services (proto/mo/v1/jobs.proto), health checks and named ports (workload.proto).
export { Health } from './generated/mo/v1/Health.js';
export type { Health__Output } from './generated/mo/v1/Health.js';
export type { PortSpec, PortSpec__Output } from './generated/mo/v1/PortSpec.js';
export type {
  CheckSpec as WireCheckSpec,
  CheckSpec__Output as WireCheckSpec__Output,
} from './generated/mo/v1/CheckSpec.js';
export type { CheckStatus, CheckStatus__Output } from './generated/mo/v1/CheckStatus.js';
export type { Job, Job__Output } from './generated/mo/v1/Job.js';
export type { JobInstance, JobInstance__Output } from './generated/mo/v1/JobInstance.js';
export type { Deployment, Deployment__Output } from './generated/mo/v1/Deployment.js';
export type { JobChange, JobChange__Output } from './generated/mo/v1/JobChange.js';
export type { JobEvent, JobEvent__Output } from './generated/mo/v1/JobEvent.js';
export type { JobPlan, JobPlan__Output } from './generated/mo/v1/JobPlan.js';
export type { PlannedPlacement, PlannedPlacement__Output } from './generated/mo/v1/PlannedPlacement.js';
export type { JobVersionInfo, JobVersionInfo__Output } from './generated/mo/v1/JobVersionInfo.js';
export type { JobHistoryResponse, JobHistoryResponse__Output } from './generated/mo/v1/JobHistoryResponse.js';
export type { RunJobRequest, RunJobRequest__Output } from './generated/mo/v1/RunJobRequest.js';
export type { RunJobResponse, RunJobResponse__Output } from './generated/mo/v1/RunJobResponse.js';
export type { GetJobRequest, GetJobRequest__Output } from './generated/mo/v1/GetJobRequest.js';
export type { ListJobsRequest, ListJobsRequest__Output } from './generated/mo/v1/ListJobsRequest.js';
export type { ListJobsResponse, ListJobsResponse__Output } from './generated/mo/v1/ListJobsResponse.js';
export type { RevertJobRequest, RevertJobRequest__Output } from './generated/mo/v1/RevertJobRequest.js';
export type { ScaleJobRequest, ScaleJobRequest__Output } from './generated/mo/v1/ScaleJobRequest.js';
export type { StopJobRequest, StopJobRequest__Output } from './generated/mo/v1/StopJobRequest.js';
export type { GetServiceRequest, GetServiceRequest__Output } from './generated/mo/v1/GetServiceRequest.js';
export type { Service, Service__Output } from './generated/mo/v1/Service.js';
export type { ServiceInstance, ServiceInstance__Output } from './generated/mo/v1/ServiceInstance.js';
export type { JobsHandlers, JobsClient as RawJobsClient } from './generated/mo/v1/Jobs.js';
// Bearer tokens (proto/mo/v1/token.proto).
export { AccessLevel } from './generated/mo/v1/AccessLevel.js';
export type { AccessLevel__Output } from './generated/mo/v1/AccessLevel.js';
export type { Token, Token__Output } from './generated/mo/v1/Token.js';
export type { CreateTokenRequest, CreateTokenRequest__Output } from './generated/mo/v1/CreateTokenRequest.js';
export type { CreateTokenResponse, CreateTokenResponse__Output } from './generated/mo/v1/CreateTokenResponse.js';
export type { ListTokensRequest, ListTokensRequest__Output } from './generated/mo/v1/ListTokensRequest.js';
export type { ListTokensResponse, ListTokensResponse__Output } from './generated/mo/v1/ListTokensResponse.js';
export type { RevokeTokenRequest, RevokeTokenRequest__Output } from './generated/mo/v1/RevokeTokenRequest.js';
export type { RevokeTokenResponse, RevokeTokenResponse__Output } from './generated/mo/v1/RevokeTokenResponse.js';
export type { TokensHandlers, TokensClient as RawTokensClient } from './generated/mo/v1/Tokens.js';
