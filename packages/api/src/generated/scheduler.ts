import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApproveStepRequest as _mo_v1_ApproveStepRequest, ApproveStepRequest__Output as _mo_v1_ApproveStepRequest__Output } from './mo/v1/ApproveStepRequest.js';
import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from './mo/v1/ArtifactRef.js';
import type { ArtifactSpec as _mo_v1_ArtifactSpec, ArtifactSpec__Output as _mo_v1_ArtifactSpec__Output } from './mo/v1/ArtifactSpec.js';
import type { CancelPipelineRequest as _mo_v1_CancelPipelineRequest, CancelPipelineRequest__Output as _mo_v1_CancelPipelineRequest__Output } from './mo/v1/CancelPipelineRequest.js';
import type { CheckSpec as _mo_v1_CheckSpec, CheckSpec__Output as _mo_v1_CheckSpec__Output } from './mo/v1/CheckSpec.js';
import type { CheckStatus as _mo_v1_CheckStatus, CheckStatus__Output as _mo_v1_CheckStatus__Output } from './mo/v1/CheckStatus.js';
import type { ClusterEvent as _mo_v1_ClusterEvent, ClusterEvent__Output as _mo_v1_ClusterEvent__Output } from './mo/v1/ClusterEvent.js';
import type { ClusterStatus as _mo_v1_ClusterStatus, ClusterStatus__Output as _mo_v1_ClusterStatus__Output } from './mo/v1/ClusterStatus.js';
import type { Compensation as _mo_v1_Compensation, Compensation__Output as _mo_v1_Compensation__Output } from './mo/v1/Compensation.js';
import type { Deployment as _mo_v1_Deployment, Deployment__Output as _mo_v1_Deployment__Output } from './mo/v1/Deployment.js';
import type { DockerMount as _mo_v1_DockerMount, DockerMount__Output as _mo_v1_DockerMount__Output } from './mo/v1/DockerMount.js';
import type { DockerSpec as _mo_v1_DockerSpec, DockerSpec__Output as _mo_v1_DockerSpec__Output } from './mo/v1/DockerSpec.js';
import type { DrainNodeRequest as _mo_v1_DrainNodeRequest, DrainNodeRequest__Output as _mo_v1_DrainNodeRequest__Output } from './mo/v1/DrainNodeRequest.js';
import type { DrainNodeResponse as _mo_v1_DrainNodeResponse, DrainNodeResponse__Output as _mo_v1_DrainNodeResponse__Output } from './mo/v1/DrainNodeResponse.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from './mo/v1/ExitStatus.js';
import type { GetClusterStatusRequest as _mo_v1_GetClusterStatusRequest, GetClusterStatusRequest__Output as _mo_v1_GetClusterStatusRequest__Output } from './mo/v1/GetClusterStatusRequest.js';
import type { GetJobRequest as _mo_v1_GetJobRequest, GetJobRequest__Output as _mo_v1_GetJobRequest__Output } from './mo/v1/GetJobRequest.js';
import type { GetNodeStatusRequest as _mo_v1_GetNodeStatusRequest, GetNodeStatusRequest__Output as _mo_v1_GetNodeStatusRequest__Output } from './mo/v1/GetNodeStatusRequest.js';
import type { GetPipelineRequest as _mo_v1_GetPipelineRequest, GetPipelineRequest__Output as _mo_v1_GetPipelineRequest__Output } from './mo/v1/GetPipelineRequest.js';
import type { GetScheduledWorkloadRequest as _mo_v1_GetScheduledWorkloadRequest, GetScheduledWorkloadRequest__Output as _mo_v1_GetScheduledWorkloadRequest__Output } from './mo/v1/GetScheduledWorkloadRequest.js';
import type { GetServiceRequest as _mo_v1_GetServiceRequest, GetServiceRequest__Output as _mo_v1_GetServiceRequest__Output } from './mo/v1/GetServiceRequest.js';
import type { GetWorkloadRequest as _mo_v1_GetWorkloadRequest, GetWorkloadRequest__Output as _mo_v1_GetWorkloadRequest__Output } from './mo/v1/GetWorkloadRequest.js';
import type { Job as _mo_v1_Job, Job__Output as _mo_v1_Job__Output } from './mo/v1/Job.js';
import type { JobChange as _mo_v1_JobChange, JobChange__Output as _mo_v1_JobChange__Output } from './mo/v1/JobChange.js';
import type { JobEvent as _mo_v1_JobEvent, JobEvent__Output as _mo_v1_JobEvent__Output } from './mo/v1/JobEvent.js';
import type { JobHistoryResponse as _mo_v1_JobHistoryResponse, JobHistoryResponse__Output as _mo_v1_JobHistoryResponse__Output } from './mo/v1/JobHistoryResponse.js';
import type { JobInstance as _mo_v1_JobInstance, JobInstance__Output as _mo_v1_JobInstance__Output } from './mo/v1/JobInstance.js';
import type { JobPlan as _mo_v1_JobPlan, JobPlan__Output as _mo_v1_JobPlan__Output } from './mo/v1/JobPlan.js';
import type { JobVersionInfo as _mo_v1_JobVersionInfo, JobVersionInfo__Output as _mo_v1_JobVersionInfo__Output } from './mo/v1/JobVersionInfo.js';
import type { JobsClient as _mo_v1_JobsClient, JobsDefinition as _mo_v1_JobsDefinition } from './mo/v1/Jobs.js';
import type { ListJobsRequest as _mo_v1_ListJobsRequest, ListJobsRequest__Output as _mo_v1_ListJobsRequest__Output } from './mo/v1/ListJobsRequest.js';
import type { ListJobsResponse as _mo_v1_ListJobsResponse, ListJobsResponse__Output as _mo_v1_ListJobsResponse__Output } from './mo/v1/ListJobsResponse.js';
import type { ListNodesRequest as _mo_v1_ListNodesRequest, ListNodesRequest__Output as _mo_v1_ListNodesRequest__Output } from './mo/v1/ListNodesRequest.js';
import type { ListNodesResponse as _mo_v1_ListNodesResponse, ListNodesResponse__Output as _mo_v1_ListNodesResponse__Output } from './mo/v1/ListNodesResponse.js';
import type { ListPipelinesRequest as _mo_v1_ListPipelinesRequest, ListPipelinesRequest__Output as _mo_v1_ListPipelinesRequest__Output } from './mo/v1/ListPipelinesRequest.js';
import type { ListPipelinesResponse as _mo_v1_ListPipelinesResponse, ListPipelinesResponse__Output as _mo_v1_ListPipelinesResponse__Output } from './mo/v1/ListPipelinesResponse.js';
import type { ListWorkloadsRequest as _mo_v1_ListWorkloadsRequest, ListWorkloadsRequest__Output as _mo_v1_ListWorkloadsRequest__Output } from './mo/v1/ListWorkloadsRequest.js';
import type { ListWorkloadsResponse as _mo_v1_ListWorkloadsResponse, ListWorkloadsResponse__Output as _mo_v1_ListWorkloadsResponse__Output } from './mo/v1/ListWorkloadsResponse.js';
import type { LogChunk as _mo_v1_LogChunk, LogChunk__Output as _mo_v1_LogChunk__Output } from './mo/v1/LogChunk.js';
import type { Node as _mo_v1_Node, Node__Output as _mo_v1_Node__Output } from './mo/v1/Node.js';
import type { NodeAgentClient as _mo_v1_NodeAgentClient, NodeAgentDefinition as _mo_v1_NodeAgentDefinition } from './mo/v1/NodeAgent.js';
import type { NodeDrain as _mo_v1_NodeDrain, NodeDrain__Output as _mo_v1_NodeDrain__Output } from './mo/v1/NodeDrain.js';
import type { NodeFacts as _mo_v1_NodeFacts, NodeFacts__Output as _mo_v1_NodeFacts__Output } from './mo/v1/NodeFacts.js';
import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from './mo/v1/NodeMetrics.js';
import type { NodeStatus as _mo_v1_NodeStatus, NodeStatus__Output as _mo_v1_NodeStatus__Output } from './mo/v1/NodeStatus.js';
import type { PastAllocation as _mo_v1_PastAllocation, PastAllocation__Output as _mo_v1_PastAllocation__Output } from './mo/v1/PastAllocation.js';
import type { Pipeline as _mo_v1_Pipeline, Pipeline__Output as _mo_v1_Pipeline__Output } from './mo/v1/Pipeline.js';
import type { PipelineEvent as _mo_v1_PipelineEvent, PipelineEvent__Output as _mo_v1_PipelineEvent__Output } from './mo/v1/PipelineEvent.js';
import type { PipelineStep as _mo_v1_PipelineStep, PipelineStep__Output as _mo_v1_PipelineStep__Output } from './mo/v1/PipelineStep.js';
import type { PipelinesClient as _mo_v1_PipelinesClient, PipelinesDefinition as _mo_v1_PipelinesDefinition } from './mo/v1/Pipelines.js';
import type { PlannedPlacement as _mo_v1_PlannedPlacement, PlannedPlacement__Output as _mo_v1_PlannedPlacement__Output } from './mo/v1/PlannedPlacement.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from './mo/v1/PortMapping.js';
import type { PortSpec as _mo_v1_PortSpec, PortSpec__Output as _mo_v1_PortSpec__Output } from './mo/v1/PortSpec.js';
import type { RemoveNodeRequest as _mo_v1_RemoveNodeRequest, RemoveNodeRequest__Output as _mo_v1_RemoveNodeRequest__Output } from './mo/v1/RemoveNodeRequest.js';
import type { RemoveNodeResponse as _mo_v1_RemoveNodeResponse, RemoveNodeResponse__Output as _mo_v1_RemoveNodeResponse__Output } from './mo/v1/RemoveNodeResponse.js';
import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from './mo/v1/Resources.js';
import type { RestartPolicy as _mo_v1_RestartPolicy, RestartPolicy__Output as _mo_v1_RestartPolicy__Output } from './mo/v1/RestartPolicy.js';
import type { RevertJobRequest as _mo_v1_RevertJobRequest, RevertJobRequest__Output as _mo_v1_RevertJobRequest__Output } from './mo/v1/RevertJobRequest.js';
import type { RunJobRequest as _mo_v1_RunJobRequest, RunJobRequest__Output as _mo_v1_RunJobRequest__Output } from './mo/v1/RunJobRequest.js';
import type { RunJobResponse as _mo_v1_RunJobResponse, RunJobResponse__Output as _mo_v1_RunJobResponse__Output } from './mo/v1/RunJobResponse.js';
import type { ScaleJobRequest as _mo_v1_ScaleJobRequest, ScaleJobRequest__Output as _mo_v1_ScaleJobRequest__Output } from './mo/v1/ScaleJobRequest.js';
import type { ScheduledWorkload as _mo_v1_ScheduledWorkload, ScheduledWorkload__Output as _mo_v1_ScheduledWorkload__Output } from './mo/v1/ScheduledWorkload.js';
import type { SchedulerClient as _mo_v1_SchedulerClient, SchedulerDefinition as _mo_v1_SchedulerDefinition } from './mo/v1/Scheduler.js';
import type { SchedulingSpec as _mo_v1_SchedulingSpec, SchedulingSpec__Output as _mo_v1_SchedulingSpec__Output } from './mo/v1/SchedulingSpec.js';
import type { Service as _mo_v1_Service, Service__Output as _mo_v1_Service__Output } from './mo/v1/Service.js';
import type { ServiceInstance as _mo_v1_ServiceInstance, ServiceInstance__Output as _mo_v1_ServiceInstance__Output } from './mo/v1/ServiceInstance.js';
import type { SetNodeEligibilityRequest as _mo_v1_SetNodeEligibilityRequest, SetNodeEligibilityRequest__Output as _mo_v1_SetNodeEligibilityRequest__Output } from './mo/v1/SetNodeEligibilityRequest.js';
import type { SetNodeEligibilityResponse as _mo_v1_SetNodeEligibilityResponse, SetNodeEligibilityResponse__Output as _mo_v1_SetNodeEligibilityResponse__Output } from './mo/v1/SetNodeEligibilityResponse.js';
import type { StartResult as _mo_v1_StartResult, StartResult__Output as _mo_v1_StartResult__Output } from './mo/v1/StartResult.js';
import type { StartWorkloadRequest as _mo_v1_StartWorkloadRequest, StartWorkloadRequest__Output as _mo_v1_StartWorkloadRequest__Output } from './mo/v1/StartWorkloadRequest.js';
import type { StartWorkloadResponse as _mo_v1_StartWorkloadResponse, StartWorkloadResponse__Output as _mo_v1_StartWorkloadResponse__Output } from './mo/v1/StartWorkloadResponse.js';
import type { StartWorkloadsRequest as _mo_v1_StartWorkloadsRequest, StartWorkloadsRequest__Output as _mo_v1_StartWorkloadsRequest__Output } from './mo/v1/StartWorkloadsRequest.js';
import type { StartWorkloadsResponse as _mo_v1_StartWorkloadsResponse, StartWorkloadsResponse__Output as _mo_v1_StartWorkloadsResponse__Output } from './mo/v1/StartWorkloadsResponse.js';
import type { StepApproval as _mo_v1_StepApproval, StepApproval__Output as _mo_v1_StepApproval__Output } from './mo/v1/StepApproval.js';
import type { StopJobRequest as _mo_v1_StopJobRequest, StopJobRequest__Output as _mo_v1_StopJobRequest__Output } from './mo/v1/StopJobRequest.js';
import type { StopScheduledWorkloadRequest as _mo_v1_StopScheduledWorkloadRequest, StopScheduledWorkloadRequest__Output as _mo_v1_StopScheduledWorkloadRequest__Output } from './mo/v1/StopScheduledWorkloadRequest.js';
import type { StopWorkloadRequest as _mo_v1_StopWorkloadRequest, StopWorkloadRequest__Output as _mo_v1_StopWorkloadRequest__Output } from './mo/v1/StopWorkloadRequest.js';
import type { StopWorkloadResponse as _mo_v1_StopWorkloadResponse, StopWorkloadResponse__Output as _mo_v1_StopWorkloadResponse__Output } from './mo/v1/StopWorkloadResponse.js';
import type { StreamLogsRequest as _mo_v1_StreamLogsRequest, StreamLogsRequest__Output as _mo_v1_StreamLogsRequest__Output } from './mo/v1/StreamLogsRequest.js';
import type { StreamStepLogsRequest as _mo_v1_StreamStepLogsRequest, StreamStepLogsRequest__Output as _mo_v1_StreamStepLogsRequest__Output } from './mo/v1/StreamStepLogsRequest.js';
import type { StreamWorkloadLogsRequest as _mo_v1_StreamWorkloadLogsRequest, StreamWorkloadLogsRequest__Output as _mo_v1_StreamWorkloadLogsRequest__Output } from './mo/v1/StreamWorkloadLogsRequest.js';
import type { SubmitPipelineRequest as _mo_v1_SubmitPipelineRequest, SubmitPipelineRequest__Output as _mo_v1_SubmitPipelineRequest__Output } from './mo/v1/SubmitPipelineRequest.js';
import type { SubmitPipelineResponse as _mo_v1_SubmitPipelineResponse, SubmitPipelineResponse__Output as _mo_v1_SubmitPipelineResponse__Output } from './mo/v1/SubmitPipelineResponse.js';
import type { SubmitWorkloadRequest as _mo_v1_SubmitWorkloadRequest, SubmitWorkloadRequest__Output as _mo_v1_SubmitWorkloadRequest__Output } from './mo/v1/SubmitWorkloadRequest.js';
import type { SubmitWorkloadResponse as _mo_v1_SubmitWorkloadResponse, SubmitWorkloadResponse__Output as _mo_v1_SubmitWorkloadResponse__Output } from './mo/v1/SubmitWorkloadResponse.js';
import type { WatchPipelinesRequest as _mo_v1_WatchPipelinesRequest, WatchPipelinesRequest__Output as _mo_v1_WatchPipelinesRequest__Output } from './mo/v1/WatchPipelinesRequest.js';
import type { WatchRequest as _mo_v1_WatchRequest, WatchRequest__Output as _mo_v1_WatchRequest__Output } from './mo/v1/WatchRequest.js';
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
      ApproveStepRequest: MessageTypeDefinition<_mo_v1_ApproveStepRequest, _mo_v1_ApproveStepRequest__Output>
      ArtifactRef: MessageTypeDefinition<_mo_v1_ArtifactRef, _mo_v1_ArtifactRef__Output>
      ArtifactSpec: MessageTypeDefinition<_mo_v1_ArtifactSpec, _mo_v1_ArtifactSpec__Output>
      CancelPipelineRequest: MessageTypeDefinition<_mo_v1_CancelPipelineRequest, _mo_v1_CancelPipelineRequest__Output>
      CheckSpec: MessageTypeDefinition<_mo_v1_CheckSpec, _mo_v1_CheckSpec__Output>
      CheckStatus: MessageTypeDefinition<_mo_v1_CheckStatus, _mo_v1_CheckStatus__Output>
      ClusterEvent: MessageTypeDefinition<_mo_v1_ClusterEvent, _mo_v1_ClusterEvent__Output>
      ClusterStatus: MessageTypeDefinition<_mo_v1_ClusterStatus, _mo_v1_ClusterStatus__Output>
      Compensation: MessageTypeDefinition<_mo_v1_Compensation, _mo_v1_Compensation__Output>
      Deployment: MessageTypeDefinition<_mo_v1_Deployment, _mo_v1_Deployment__Output>
      DockerMount: MessageTypeDefinition<_mo_v1_DockerMount, _mo_v1_DockerMount__Output>
      DockerSpec: MessageTypeDefinition<_mo_v1_DockerSpec, _mo_v1_DockerSpec__Output>
      DrainNodeRequest: MessageTypeDefinition<_mo_v1_DrainNodeRequest, _mo_v1_DrainNodeRequest__Output>
      DrainNodeResponse: MessageTypeDefinition<_mo_v1_DrainNodeResponse, _mo_v1_DrainNodeResponse__Output>
      ExitStatus: MessageTypeDefinition<_mo_v1_ExitStatus, _mo_v1_ExitStatus__Output>
      GetClusterStatusRequest: MessageTypeDefinition<_mo_v1_GetClusterStatusRequest, _mo_v1_GetClusterStatusRequest__Output>
      GetJobRequest: MessageTypeDefinition<_mo_v1_GetJobRequest, _mo_v1_GetJobRequest__Output>
      GetNodeStatusRequest: MessageTypeDefinition<_mo_v1_GetNodeStatusRequest, _mo_v1_GetNodeStatusRequest__Output>
      GetPipelineRequest: MessageTypeDefinition<_mo_v1_GetPipelineRequest, _mo_v1_GetPipelineRequest__Output>
      GetScheduledWorkloadRequest: MessageTypeDefinition<_mo_v1_GetScheduledWorkloadRequest, _mo_v1_GetScheduledWorkloadRequest__Output>
      GetServiceRequest: MessageTypeDefinition<_mo_v1_GetServiceRequest, _mo_v1_GetServiceRequest__Output>
      GetWorkloadRequest: MessageTypeDefinition<_mo_v1_GetWorkloadRequest, _mo_v1_GetWorkloadRequest__Output>
      Health: EnumTypeDefinition
      Job: MessageTypeDefinition<_mo_v1_Job, _mo_v1_Job__Output>
      JobChange: MessageTypeDefinition<_mo_v1_JobChange, _mo_v1_JobChange__Output>
      JobEvent: MessageTypeDefinition<_mo_v1_JobEvent, _mo_v1_JobEvent__Output>
      JobHistoryResponse: MessageTypeDefinition<_mo_v1_JobHistoryResponse, _mo_v1_JobHistoryResponse__Output>
      JobInstance: MessageTypeDefinition<_mo_v1_JobInstance, _mo_v1_JobInstance__Output>
      JobPlan: MessageTypeDefinition<_mo_v1_JobPlan, _mo_v1_JobPlan__Output>
      JobVersionInfo: MessageTypeDefinition<_mo_v1_JobVersionInfo, _mo_v1_JobVersionInfo__Output>
      Jobs: SubtypeConstructor<typeof grpc.Client, _mo_v1_JobsClient> & { service: _mo_v1_JobsDefinition }
      ListJobsRequest: MessageTypeDefinition<_mo_v1_ListJobsRequest, _mo_v1_ListJobsRequest__Output>
      ListJobsResponse: MessageTypeDefinition<_mo_v1_ListJobsResponse, _mo_v1_ListJobsResponse__Output>
      ListNodesRequest: MessageTypeDefinition<_mo_v1_ListNodesRequest, _mo_v1_ListNodesRequest__Output>
      ListNodesResponse: MessageTypeDefinition<_mo_v1_ListNodesResponse, _mo_v1_ListNodesResponse__Output>
      ListPipelinesRequest: MessageTypeDefinition<_mo_v1_ListPipelinesRequest, _mo_v1_ListPipelinesRequest__Output>
      ListPipelinesResponse: MessageTypeDefinition<_mo_v1_ListPipelinesResponse, _mo_v1_ListPipelinesResponse__Output>
      ListWorkloadsRequest: MessageTypeDefinition<_mo_v1_ListWorkloadsRequest, _mo_v1_ListWorkloadsRequest__Output>
      ListWorkloadsResponse: MessageTypeDefinition<_mo_v1_ListWorkloadsResponse, _mo_v1_ListWorkloadsResponse__Output>
      LogChunk: MessageTypeDefinition<_mo_v1_LogChunk, _mo_v1_LogChunk__Output>
      LogStream: EnumTypeDefinition
      Node: MessageTypeDefinition<_mo_v1_Node, _mo_v1_Node__Output>
      NodeAgent: SubtypeConstructor<typeof grpc.Client, _mo_v1_NodeAgentClient> & { service: _mo_v1_NodeAgentDefinition }
      NodeDrain: MessageTypeDefinition<_mo_v1_NodeDrain, _mo_v1_NodeDrain__Output>
      NodeDrainState: EnumTypeDefinition
      NodeFacts: MessageTypeDefinition<_mo_v1_NodeFacts, _mo_v1_NodeFacts__Output>
      NodeMetrics: MessageTypeDefinition<_mo_v1_NodeMetrics, _mo_v1_NodeMetrics__Output>
      NodeState: EnumTypeDefinition
      NodeStatus: MessageTypeDefinition<_mo_v1_NodeStatus, _mo_v1_NodeStatus__Output>
      PastAllocation: MessageTypeDefinition<_mo_v1_PastAllocation, _mo_v1_PastAllocation__Output>
      Pipeline: MessageTypeDefinition<_mo_v1_Pipeline, _mo_v1_Pipeline__Output>
      PipelineEvent: MessageTypeDefinition<_mo_v1_PipelineEvent, _mo_v1_PipelineEvent__Output>
      PipelineState: EnumTypeDefinition
      PipelineStep: MessageTypeDefinition<_mo_v1_PipelineStep, _mo_v1_PipelineStep__Output>
      Pipelines: SubtypeConstructor<typeof grpc.Client, _mo_v1_PipelinesClient> & { service: _mo_v1_PipelinesDefinition }
      PlacementStrategy: EnumTypeDefinition
      PlannedPlacement: MessageTypeDefinition<_mo_v1_PlannedPlacement, _mo_v1_PlannedPlacement__Output>
      PortMapping: MessageTypeDefinition<_mo_v1_PortMapping, _mo_v1_PortMapping__Output>
      PortSpec: MessageTypeDefinition<_mo_v1_PortSpec, _mo_v1_PortSpec__Output>
      Priority: EnumTypeDefinition
      RemoveNodeRequest: MessageTypeDefinition<_mo_v1_RemoveNodeRequest, _mo_v1_RemoveNodeRequest__Output>
      RemoveNodeResponse: MessageTypeDefinition<_mo_v1_RemoveNodeResponse, _mo_v1_RemoveNodeResponse__Output>
      Resources: MessageTypeDefinition<_mo_v1_Resources, _mo_v1_Resources__Output>
      RestartMode: EnumTypeDefinition
      RestartPolicy: MessageTypeDefinition<_mo_v1_RestartPolicy, _mo_v1_RestartPolicy__Output>
      RevertJobRequest: MessageTypeDefinition<_mo_v1_RevertJobRequest, _mo_v1_RevertJobRequest__Output>
      RunJobRequest: MessageTypeDefinition<_mo_v1_RunJobRequest, _mo_v1_RunJobRequest__Output>
      RunJobResponse: MessageTypeDefinition<_mo_v1_RunJobResponse, _mo_v1_RunJobResponse__Output>
      ScaleJobRequest: MessageTypeDefinition<_mo_v1_ScaleJobRequest, _mo_v1_ScaleJobRequest__Output>
      ScheduledWorkload: MessageTypeDefinition<_mo_v1_ScheduledWorkload, _mo_v1_ScheduledWorkload__Output>
      Scheduler: SubtypeConstructor<typeof grpc.Client, _mo_v1_SchedulerClient> & { service: _mo_v1_SchedulerDefinition }
      SchedulingSpec: MessageTypeDefinition<_mo_v1_SchedulingSpec, _mo_v1_SchedulingSpec__Output>
      Service: MessageTypeDefinition<_mo_v1_Service, _mo_v1_Service__Output>
      ServiceInstance: MessageTypeDefinition<_mo_v1_ServiceInstance, _mo_v1_ServiceInstance__Output>
      SetNodeEligibilityRequest: MessageTypeDefinition<_mo_v1_SetNodeEligibilityRequest, _mo_v1_SetNodeEligibilityRequest__Output>
      SetNodeEligibilityResponse: MessageTypeDefinition<_mo_v1_SetNodeEligibilityResponse, _mo_v1_SetNodeEligibilityResponse__Output>
      StartResult: MessageTypeDefinition<_mo_v1_StartResult, _mo_v1_StartResult__Output>
      StartWorkloadRequest: MessageTypeDefinition<_mo_v1_StartWorkloadRequest, _mo_v1_StartWorkloadRequest__Output>
      StartWorkloadResponse: MessageTypeDefinition<_mo_v1_StartWorkloadResponse, _mo_v1_StartWorkloadResponse__Output>
      StartWorkloadsRequest: MessageTypeDefinition<_mo_v1_StartWorkloadsRequest, _mo_v1_StartWorkloadsRequest__Output>
      StartWorkloadsResponse: MessageTypeDefinition<_mo_v1_StartWorkloadsResponse, _mo_v1_StartWorkloadsResponse__Output>
      StepApproval: MessageTypeDefinition<_mo_v1_StepApproval, _mo_v1_StepApproval__Output>
      StepState: EnumTypeDefinition
      StopJobRequest: MessageTypeDefinition<_mo_v1_StopJobRequest, _mo_v1_StopJobRequest__Output>
      StopScheduledWorkloadRequest: MessageTypeDefinition<_mo_v1_StopScheduledWorkloadRequest, _mo_v1_StopScheduledWorkloadRequest__Output>
      StopWorkloadRequest: MessageTypeDefinition<_mo_v1_StopWorkloadRequest, _mo_v1_StopWorkloadRequest__Output>
      StopWorkloadResponse: MessageTypeDefinition<_mo_v1_StopWorkloadResponse, _mo_v1_StopWorkloadResponse__Output>
      StreamLogsRequest: MessageTypeDefinition<_mo_v1_StreamLogsRequest, _mo_v1_StreamLogsRequest__Output>
      StreamStepLogsRequest: MessageTypeDefinition<_mo_v1_StreamStepLogsRequest, _mo_v1_StreamStepLogsRequest__Output>
      StreamWorkloadLogsRequest: MessageTypeDefinition<_mo_v1_StreamWorkloadLogsRequest, _mo_v1_StreamWorkloadLogsRequest__Output>
      SubmitPipelineRequest: MessageTypeDefinition<_mo_v1_SubmitPipelineRequest, _mo_v1_SubmitPipelineRequest__Output>
      SubmitPipelineResponse: MessageTypeDefinition<_mo_v1_SubmitPipelineResponse, _mo_v1_SubmitPipelineResponse__Output>
      SubmitWorkloadRequest: MessageTypeDefinition<_mo_v1_SubmitWorkloadRequest, _mo_v1_SubmitWorkloadRequest__Output>
      SubmitWorkloadResponse: MessageTypeDefinition<_mo_v1_SubmitWorkloadResponse, _mo_v1_SubmitWorkloadResponse__Output>
      WatchPipelinesRequest: MessageTypeDefinition<_mo_v1_WatchPipelinesRequest, _mo_v1_WatchPipelinesRequest__Output>
      WatchRequest: MessageTypeDefinition<_mo_v1_WatchRequest, _mo_v1_WatchRequest__Output>
      WorkloadEvent: MessageTypeDefinition<_mo_v1_WorkloadEvent, _mo_v1_WorkloadEvent__Output>
      WorkloadSpec: MessageTypeDefinition<_mo_v1_WorkloadSpec, _mo_v1_WorkloadSpec__Output>
      WorkloadState: EnumTypeDefinition
      WorkloadStatus: MessageTypeDefinition<_mo_v1_WorkloadStatus, _mo_v1_WorkloadStatus__Output>
      WorkloadUsage: MessageTypeDefinition<_mo_v1_WorkloadUsage, _mo_v1_WorkloadUsage__Output>
    }
  }
}

