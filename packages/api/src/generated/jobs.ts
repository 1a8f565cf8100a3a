import type * as grpc from '@grpc/grpc-js';
import type { EnumTypeDefinition, MessageTypeDefinition } from '@grpc/proto-loader';

import type { ArtifactRef as _mo_v1_ArtifactRef, ArtifactRef__Output as _mo_v1_ArtifactRef__Output } from './mo/v1/ArtifactRef.js';
import type { ArtifactSpec as _mo_v1_ArtifactSpec, ArtifactSpec__Output as _mo_v1_ArtifactSpec__Output } from './mo/v1/ArtifactSpec.js';
import type { CheckSpec as _mo_v1_CheckSpec, CheckSpec__Output as _mo_v1_CheckSpec__Output } from './mo/v1/CheckSpec.js';
import type { CheckStatus as _mo_v1_CheckStatus, CheckStatus__Output as _mo_v1_CheckStatus__Output } from './mo/v1/CheckStatus.js';
import type { Deployment as _mo_v1_Deployment, Deployment__Output as _mo_v1_Deployment__Output } from './mo/v1/Deployment.js';
import type { DockerMount as _mo_v1_DockerMount, DockerMount__Output as _mo_v1_DockerMount__Output } from './mo/v1/DockerMount.js';
import type { DockerSpec as _mo_v1_DockerSpec, DockerSpec__Output as _mo_v1_DockerSpec__Output } from './mo/v1/DockerSpec.js';
import type { ExitStatus as _mo_v1_ExitStatus, ExitStatus__Output as _mo_v1_ExitStatus__Output } from './mo/v1/ExitStatus.js';
import type { GetJobRequest as _mo_v1_GetJobRequest, GetJobRequest__Output as _mo_v1_GetJobRequest__Output } from './mo/v1/GetJobRequest.js';
import type { GetServiceRequest as _mo_v1_GetServiceRequest, GetServiceRequest__Output as _mo_v1_GetServiceRequest__Output } from './mo/v1/GetServiceRequest.js';
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
import type { PlannedPlacement as _mo_v1_PlannedPlacement, PlannedPlacement__Output as _mo_v1_PlannedPlacement__Output } from './mo/v1/PlannedPlacement.js';
import type { PortMapping as _mo_v1_PortMapping, PortMapping__Output as _mo_v1_PortMapping__Output } from './mo/v1/PortMapping.js';
import type { PortSpec as _mo_v1_PortSpec, PortSpec__Output as _mo_v1_PortSpec__Output } from './mo/v1/PortSpec.js';
import type { Resources as _mo_v1_Resources, Resources__Output as _mo_v1_Resources__Output } from './mo/v1/Resources.js';
import type { RevertJobRequest as _mo_v1_RevertJobRequest, RevertJobRequest__Output as _mo_v1_RevertJobRequest__Output } from './mo/v1/RevertJobRequest.js';
import type { RunJobRequest as _mo_v1_RunJobRequest, RunJobRequest__Output as _mo_v1_RunJobRequest__Output } from './mo/v1/RunJobRequest.js';
import type { RunJobResponse as _mo_v1_RunJobResponse, RunJobResponse__Output as _mo_v1_RunJobResponse__Output } from './mo/v1/RunJobResponse.js';
import type { ScaleJobRequest as _mo_v1_ScaleJobRequest, ScaleJobRequest__Output as _mo_v1_ScaleJobRequest__Output } from './mo/v1/ScaleJobRequest.js';
import type { Service as _mo_v1_Service, Service__Output as _mo_v1_Service__Output } from './mo/v1/Service.js';
import type { ServiceInstance as _mo_v1_ServiceInstance, ServiceInstance__Output as _mo_v1_ServiceInstance__Output } from './mo/v1/ServiceInstance.js';
import type { StopJobRequest as _mo_v1_StopJobRequest, StopJobRequest__Output as _mo_v1_StopJobRequest__Output } from './mo/v1/StopJobRequest.js';
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
      ArtifactRef: MessageTypeDefinition<_mo_v1_ArtifactRef, _mo_v1_ArtifactRef__Output>
      ArtifactSpec: MessageTypeDefinition<_mo_v1_ArtifactSpec, _mo_v1_ArtifactSpec__Output>
      CheckSpec: MessageTypeDefinition<_mo_v1_CheckSpec, _mo_v1_CheckSpec__Output>
      CheckStatus: MessageTypeDefinition<_mo_v1_CheckStatus, _mo_v1_CheckStatus__Output>
      Deployment: MessageTypeDefinition<_mo_v1_Deployment, _mo_v1_Deployment__Output>
      DockerMount: MessageTypeDefinition<_mo_v1_DockerMount, _mo_v1_DockerMount__Output>
      DockerSpec: MessageTypeDefinition<_mo_v1_DockerSpec, _mo_v1_DockerSpec__Output>
      ExitStatus: MessageTypeDefinition<_mo_v1_ExitStatus, _mo_v1_ExitStatus__Output>
      GetJobRequest: MessageTypeDefinition<_mo_v1_GetJobRequest, _mo_v1_GetJobRequest__Output>
      GetServiceRequest: MessageTypeDefinition<_mo_v1_GetServiceRequest, _mo_v1_GetServiceRequest__Output>
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
      PlannedPlacement: MessageTypeDefinition<_mo_v1_PlannedPlacement, _mo_v1_PlannedPlacement__Output>
      PortMapping: MessageTypeDefinition<_mo_v1_PortMapping, _mo_v1_PortMapping__Output>
      PortSpec: MessageTypeDefinition<_mo_v1_PortSpec, _mo_v1_PortSpec__Output>
      Priority: EnumTypeDefinition
      Resources: MessageTypeDefinition<_mo_v1_Resources, _mo_v1_Resources__Output>
      RevertJobRequest: MessageTypeDefinition<_mo_v1_RevertJobRequest, _mo_v1_RevertJobRequest__Output>
      RunJobRequest: MessageTypeDefinition<_mo_v1_RunJobRequest, _mo_v1_RunJobRequest__Output>
      RunJobResponse: MessageTypeDefinition<_mo_v1_RunJobResponse, _mo_v1_RunJobResponse__Output>
      ScaleJobRequest: MessageTypeDefinition<_mo_v1_ScaleJobRequest, _mo_v1_ScaleJobRequest__Output>
      Service: MessageTypeDefinition<_mo_v1_Service, _mo_v1_Service__Output>
      ServiceInstance: MessageTypeDefinition<_mo_v1_ServiceInstance, _mo_v1_ServiceInstance__Output>
      StopJobRequest: MessageTypeDefinition<_mo_v1_StopJobRequest, _mo_v1_StopJobRequest__Output>
      WorkloadEvent: MessageTypeDefinition<_mo_v1_WorkloadEvent, _mo_v1_WorkloadEvent__Output>
      WorkloadSpec: MessageTypeDefinition<_mo_v1_WorkloadSpec, _mo_v1_WorkloadSpec__Output>
      WorkloadState: EnumTypeDefinition
      WorkloadStatus: MessageTypeDefinition<_mo_v1_WorkloadStatus, _mo_v1_WorkloadStatus__Output>
      WorkloadUsage: MessageTypeDefinition<_mo_v1_WorkloadUsage, _mo_v1_WorkloadUsage__Output>
    }
  }
}

