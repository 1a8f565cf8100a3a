import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ApproveStepRequest as _mo_v1_ApproveStepRequest, ApproveStepRequest__Output as _mo_v1_ApproveStepRequest__Output } from './mo/v1/ApproveStepRequest.js';
import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from './mo/v1/ArtifactRef.js';
import type { ArtifactSpec as _mo_v1_ArtifactSpec, ArtifactSpec__Output as _mo_v1_ArtifactSpec__Output } from './mo/v1/ArtifactSpec.js';
import type { CancelPipelineRequest as _mo_v1_CancelPipelineRequest, CancelPipelineRequest__Output as _mo_v1_CancelPipelineRequest__Output } from './mo/v1/CancelPipelineRequest.js';
import type { CheckSpec as _mo_v1_CheckSpec, CheckSpec__Output as _mo_v1_CheckSpec__Output } from './mo/v1/CheckSpec.js';
import type { CheckStatus as _mo_v1_CheckStatus, CheckStatus__Output as _mo_v1_CheckStatus__Output } from './mo/v1/CheckStatus.js';
import type { Compensation as _mo_v1_Compensation, Compensation__Output as _mo_v1_Compensation__Output } from './mo/v1/Compensation.js';
import type { DockerMount as _mo_v1_DockerMount, DockerMount__Output as _mo_v1_DockerMount__Output } from './mo/v1/DockerMount.js';
import type { DockerSpec as _mo_v1_DockerSpec, DockerSpec__Output as _mo_v1_DockerSpec__Output } from './mo/v1/DockerSpec.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from './mo/v1/ExitStatus.js';
import type { GetNodeStatusRequest as _mo_v1_GetNodeStatusRequest, GetNodeStatusRequest__Output as _mo_v1_GetNodeStatusRequest__Output } from './mo/v1/GetNodeStatusRequest.js';
import type { GetPipelineRequest as _mo_v1_GetPipelineRequest, GetPipelineRequest__Output as _mo_v1_GetPipelineRequest__Output } from './mo/v1/GetPipelineRequest.js';
import type { GetWorkloadRequest as _mo_v1_GetWorkloadRequest, GetWorkloadRequest__Output as _mo_v1_GetWorkloadRequest__Output } from './mo/v1/GetWorkloadRequest.js';
import type { ListPipelinesRequest as _mo_v1_ListPipelinesRequest, ListPipelinesRequest__Output as _mo_v1_ListPipelinesRequest__Output } from './mo/v1/ListPipelinesRequest.js';
import type { ListPipelinesResponse as _mo_v1_ListPipelinesResponse, ListPipelinesResponse__Output as _mo_v1_ListPipelinesResponse__Output } from './mo/v1/ListPipelinesResponse.js';
import type { LogChunk as _mo_v1_LogChunk, LogChunk__Output as _mo_v1_LogChunk__Output } from './mo/v1/LogChunk.js';
import type { NodeAgentClient as _mo_v1_NodeAgentClient, NodeAgentDefinition as _mo_v1_NodeAgentDefinition } from './mo/v1/NodeAgent.js';
import type { NodeFacts as _mo_v1_NodeFacts, NodeFacts__Output as _mo_v1_NodeFacts__Output } from './mo/v1/NodeFacts.js';
import type { NodeMetrics as _mo_v1_NodeMetrics, NodeMetrics__Output as _mo_v1_NodeMetrics__Output } from './mo/v1/NodeMetrics.js';
import type { NodeStatus as _mo_v1_NodeStatus, NodeStatus__Output as _mo_v1_NodeStatus__Output } from './mo/v1/NodeStatus.js';
import type { Pipeline as _mo_v1_Pipeline, Pipeline__Output as _mo_v1_Pipeline__Output } from './mo/v1/Pipeline.js';
import type { PipelineEvent as _mo_v1_PipelineEvent, PipelineEvent__Output as _mo_v1_PipelineEvent__Output } from './mo/v1/PipelineEvent.js';
import type { PipelineStep as _mo_v1_PipelineStep, PipelineStep__Output as _mo_v1_PipelineStep__Output } from './mo/v1/PipelineStep.js';
import type { PipelinesClient as _mo_v1_PipelinesClient, PipelinesDefinition as _mo_v1_PipelinesDefinition } from './mo/v1/Pipelines.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from './mo/v1/PortMapping.js';
import type { PortSpec as _mo_v1_PortSpec, PortSpec__Output as _mo_v1_PortSpec__Output } from './mo/v1/PortSpec.js';
import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from './mo/v1/Resources.js';
import type { StartResult as _mo_v1_StartResult, StartResult__Output as _mo_v1_StartResult__Output } from './mo/v1/StartResult.js';
import type { StartWorkloadRequest as _mo_v1_StartWorkloadRequest, StartWorkloadRequest__Output as _mo_v1_StartWorkloadRequest__Output } from './mo/v1/StartWorkloadRequest.js';
import type { StartWorkloadResponse as _mo_v1_StartWorkloadResponse, StartWorkloadResponse__Output as _mo_v1_StartWorkloadResponse__Output } from './mo/v1/StartWorkloadResponse.js';
import type { StartWorkloadsRequest as _mo_v1_StartWorkloadsRequest, StartWorkloadsRequest__Output as _mo_v1_StartWorkloadsRequest__Output } from './mo/v1/StartWorkloadsRequest.js';
import type { StartWorkloadsResponse as _mo_v1_StartWorkloadsResponse, StartWorkloadsResponse__Output as _mo_v1_StartWorkloadsResponse__Output } from './mo/v1/StartWorkloadsResponse.js';
import type { StepApproval as _mo_v1_StepApproval, StepApproval__Output as _mo_v1_StepApproval__Output } from './mo/v1/StepApproval.js';
import type { StopWorkloadRequest as _mo_v1_StopWorkloadRequest, StopWorkloadRequest__Output as _mo_v1_StopWorkloadRequest__Output } from './mo/v1/StopWorkloadRequest.js';
import type { StopWorkloadResponse as _mo_v1_StopWorkloadResponse, StopWorkloadResponse__Output as _mo_v1_StopWorkloadResponse__Output } from './mo/v1/StopWorkloadResponse.js';
import type { StreamLogsRequest as _mo_v1_StreamLogsRequest, StreamLogsRequest__Output as _mo_v1_StreamLogsRequest__Output } from './mo/v1/StreamLogsRequest.js';
import type { StreamStepLogsRequest as _mo_v1_StreamStepLogsRequest, StreamStepLogsRequest__Output as _mo_v1_StreamStepLogsRequest__Output } from './mo/v1/StreamStepLogsRequest.js';
import type { SubmitPipelineRequest as _mo_v1_SubmitPipelineRequest, SubmitPipelineRequest__Output as _mo_v1_SubmitPipelineRequest__Output } from './mo/v1/SubmitPipelineRequest.js';
import type { SubmitPipelineResponse as _mo_v1_SubmitPipelineResponse, SubmitPipelineResponse__Output as _mo_v1_SubmitPipelineResponse__Output } from './mo/v1/SubmitPipelineResponse.js';
import type { WatchPipelinesRequest as _mo_v1_WatchPipelinesRequest, WatchPipelinesRequest__Output as _mo_v1_WatchPipelinesRequest__Output } from './mo/v1/WatchPipelinesRequest.js';
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
      Compensation: MessageTypeDefinition<_mo_v1_Compensation, _mo_v1_Compensation__Output>
      DockerMount: MessageTypeDefinition<_mo_v1_DockerMount, _mo_v1_DockerMount__Output>
      DockerSpec: MessageTypeDefinition<_mo_v1_DockerSpec, _mo_v1_DockerSpec__Output>
      ExitStatus: MessageTypeDefinition<_mo_v1_ExitStatus, _mo_v1_ExitStatus__Output>
      GetNodeStatusRequest: MessageTypeDefinition<_mo_v1_GetNodeStatusRequest, _mo_v1_GetNodeStatusRequest__Output>
      GetPipelineRequest: MessageTypeDefinition<_mo_v1_GetPipelineRequest, _mo_v1_GetPipelineRequest__Output>
      GetWorkloadRequest: MessageTypeDefinition<_mo_v1_GetWorkloadRequest, _mo_v1_GetWorkloadRequest__Output>
      Health: EnumTypeDefinition
      ListPipelinesRequest: MessageTypeDefinition<_mo_v1_ListPipelinesRequest, _mo_v1_ListPipelinesRequest__Output>
      ListPipelinesResponse: MessageTypeDefinition<_mo_v1_ListPipelinesResponse, _mo_v1_ListPipelinesResponse__Output>
      LogChunk: MessageTypeDefinition<_mo_v1_LogChunk, _mo_v1_LogChunk__Output>
      LogStream: EnumTypeDefinition
      NodeAgent: SubtypeConstructor<typeof grpc.Client, _mo_v1_NodeAgentClient> & { service: _mo_v1_NodeAgentDefinition }
      NodeFacts: MessageTypeDefinition<_mo_v1_NodeFacts, _mo_v1_NodeFacts__Output>
      NodeMetrics: MessageTypeDefinition<_mo_v1_NodeMetrics, _mo_v1_NodeMetrics__Output>
      NodeStatus: MessageTypeDefinition<_mo_v1_NodeStatus, _mo_v1_NodeStatus__Output>
      Pipeline: MessageTypeDefinition<_mo_v1_Pipeline, _mo_v1_Pipeline__Output>
      PipelineEvent: MessageTypeDefinition<_mo_v1_PipelineEvent, _mo_v1_PipelineEvent__Output>
      PipelineState: EnumTypeDefinition
      PipelineStep: MessageTypeDefinition<_mo_v1_PipelineStep, _mo_v1_PipelineStep__Output>
      Pipelines: SubtypeConstructor<typeof grpc.Client, _mo_v1_PipelinesClient> & { service: _mo_v1_PipelinesDefinition }
      PortMapping: MessageTypeDefinition<_mo_v1_PortMapping, _mo_v1_PortMapping__Output>
      PortSpec: MessageTypeDefinition<_mo_v1_PortSpec, _mo_v1_PortSpec__Output>
      Priority: EnumTypeDefinition
      Resources: MessageTypeDefinition<_mo_v1_Resources, _mo_v1_Resources__Output>
      StartResult: MessageTypeDefinition<_mo_v1_StartResult, _mo_v1_StartResult__Output>
      StartWorkloadRequest: MessageTypeDefinition<_mo_v1_StartWorkloadRequest, _mo_v1_StartWorkloadRequest__Output>
      StartWorkloadResponse: MessageTypeDefinition<_mo_v1_StartWorkloadResponse, _mo_v1_StartWorkloadResponse__Output>
      StartWorkloadsRequest: MessageTypeDefinition<_mo_v1_StartWorkloadsRequest, _mo_v1_StartWorkloadsRequest__Output>
      StartWorkloadsResponse: MessageTypeDefinition<_mo_v1_StartWorkloadsResponse, _mo_v1_StartWorkloadsResponse__Output>
      StepApproval: MessageTypeDefinition<_mo_v1_StepApproval, _mo_v1_StepApproval__Output>
      StepState: EnumTypeDefinition
      StopWorkloadRequest: MessageTypeDefinition<_mo_v1_StopWorkloadRequest, _mo_v1_StopWorkloadRequest__Output>
      StopWorkloadResponse: MessageTypeDefinition<_mo_v1_StopWorkloadResponse, _mo_v1_StopWorkloadResponse__Output>
      StreamLogsRequest: MessageTypeDefinition<_mo_v1_StreamLogsRequest, _mo_v1_StreamLogsRequest__Output>
      StreamStepLogsRequest: MessageTypeDefinition<_mo_v1_StreamStepLogsRequest, _mo_v1_StreamStepLogsRequest__Output>
      SubmitPipelineRequest: MessageTypeDefinition<_mo_v1_SubmitPipelineRequest, _mo_v1_SubmitPipelineRequest__Output>
      SubmitPipelineResponse: MessageTypeDefinition<_mo_v1_SubmitPipelineResponse, _mo_v1_SubmitPipelineResponse__Output>
      WatchPipelinesRequest: MessageTypeDefinition<_mo_v1_WatchPipelinesRequest, _mo_v1_WatchPipelinesRequest__Output>
      WorkloadEvent: MessageTypeDefinition<_mo_v1_WorkloadEvent, _mo_v1_WorkloadEvent__Output>
      WorkloadSpec: MessageTypeDefinition<_mo_v1_WorkloadSpec, _mo_v1_WorkloadSpec__Output>
      WorkloadState: EnumTypeDefinition
      WorkloadStatus: MessageTypeDefinition<_mo_v1_WorkloadStatus, _mo_v1_WorkloadStatus__Output>
      WorkloadUsage: MessageTypeDefinition<_mo_v1_WorkloadUsage, _mo_v1_WorkloadUsage__Output>
    }
  }
}

