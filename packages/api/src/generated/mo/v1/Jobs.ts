// Original file: proto/mo/v1/jobs.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { GetJobRequest as _mo_v1_GetJobRequest, GetJobRequest__Output as _mo_v1_GetJobRequest__Output } from '../../mo/v1/GetJobRequest.js';
import type { GetServiceRequest as _mo_v1_GetServiceRequest, GetServiceRequest__Output as _mo_v1_GetServiceRequest__Output } from '../../mo/v1/GetServiceRequest.js';
import type { Job as _mo_v1_Job, Job__Output as _mo_v1_Job__Output } from '../../mo/v1/Job.js';
import type { JobHistoryResponse as _mo_v1_JobHistoryResponse, JobHistoryResponse__Output as _mo_v1_JobHistoryResponse__Output } from '../../mo/v1/JobHistoryResponse.js';
import type { JobPlan as _mo_v1_JobPlan, JobPlan__Output as _mo_v1_JobPlan__Output } from '../../mo/v1/JobPlan.js';
import type { ListJobsRequest as _mo_v1_ListJobsRequest, ListJobsRequest__Output as _mo_v1_ListJobsRequest__Output } from '../../mo/v1/ListJobsRequest.js';
import type { ListJobsResponse as _mo_v1_ListJobsResponse, ListJobsResponse__Output as _mo_v1_ListJobsResponse__Output } from '../../mo/v1/ListJobsResponse.js';
import type { RevertJobRequest as _mo_v1_RevertJobRequest, RevertJobRequest__Output as _mo_v1_RevertJobRequest__Output } from '../../mo/v1/RevertJobRequest.js';
import type { RunJobRequest as _mo_v1_RunJobRequest, RunJobRequest__Output as _mo_v1_RunJobRequest__Output } from '../../mo/v1/RunJobRequest.js';
import type { RunJobResponse as _mo_v1_RunJobResponse, RunJobResponse__Output as _mo_v1_RunJobResponse__Output } from '../../mo/v1/RunJobResponse.js';
import type { ScaleJobRequest as _mo_v1_ScaleJobRequest, ScaleJobRequest__Output as _mo_v1_ScaleJobRequest__Output } from '../../mo/v1/ScaleJobRequest.js';
import type { Service as _mo_v1_Service, Service__Output as _mo_v1_Service__Output } from '../../mo/v1/Service.js';
import type { StopJobRequest as _mo_v1_StopJobRequest, StopJobRequest__Output as _mo_v1_StopJobRequest__Output } from '../../mo/v1/StopJobRequest.js';

export interface JobsClient extends grpc.Client {
  /**
   * A job with its instances and current deployment. NOT_FOUND names the job.
   */
  GetJob(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _mo_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  GetJob(argument: _mo_v1_GetJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * A job with its instances and current deployment. NOT_FOUND names the job.
   */
  getJob(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _mo_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  getJob(argument: _mo_v1_GetJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * A service's instances and where to reach them: by default the healthy ones (a reverse proxy's
   * upstreams); `all` includes the others, with their health.
   */
  GetService(argument: _mo_v1_GetServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  GetService(argument: _mo_v1_GetServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  GetService(argument: _mo_v1_GetServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  GetService(argument: _mo_v1_GetServiceRequest, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  /**
   * A service's instances and where to reach them: by default the healthy ones (a reverse proxy's
   * upstreams); `all` includes the others, with their health.
   */
  getService(argument: _mo_v1_GetServiceRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  getService(argument: _mo_v1_GetServiceRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  getService(argument: _mo_v1_GetServiceRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  getService(argument: _mo_v1_GetServiceRequest, callback: grpc.requestCallback<_mo_v1_Service__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every version kept of a job, newest first, and its deployments.
   */
  JobHistory(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  JobHistory(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  JobHistory(argument: _mo_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  JobHistory(argument: _mo_v1_GetJobRequest, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Every version kept of a job, newest first, and its deployments.
   */
  jobHistory(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  jobHistory(argument: _mo_v1_GetJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  jobHistory(argument: _mo_v1_GetJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  jobHistory(argument: _mo_v1_GetJobRequest, callback: grpc.requestCallback<_mo_v1_JobHistoryResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Jobs by name, without instances (their counts are there).
   */
  ListJobs(argument: _mo_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _mo_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _mo_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  ListJobs(argument: _mo_v1_ListJobsRequest, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Jobs by name, without instances (their counts are there).
   */
  listJobs(argument: _mo_v1_ListJobsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _mo_v1_ListJobsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _mo_v1_ListJobsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  listJobs(argument: _mo_v1_ListJobsRequest, callback: grpc.requestCallback<_mo_v1_ListJobsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * What RunJob of this file would change, and where new instances would go, without doing it.
   */
  PlanJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  PlanJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  PlanJob(argument: _mo_v1_RunJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  PlanJob(argument: _mo_v1_RunJobRequest, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  /**
   * What RunJob of this file would change, and where new instances would go, without doing it.
   */
  planJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  planJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  planJob(argument: _mo_v1_RunJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  planJob(argument: _mo_v1_RunJobRequest, callback: grpc.requestCallback<_mo_v1_JobPlan__Output>): grpc.ClientUnaryCall;
  
  /**
   * Makes an earlier version current again (a new deployment of it; no new version number).
   */
  RevertJob(argument: _mo_v1_RevertJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  RevertJob(argument: _mo_v1_RevertJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  RevertJob(argument: _mo_v1_RevertJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  RevertJob(argument: _mo_v1_RevertJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * Makes an earlier version current again (a new deployment of it; no new version number).
   */
  revertJob(argument: _mo_v1_RevertJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  revertJob(argument: _mo_v1_RevertJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  revertJob(argument: _mo_v1_RevertJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  revertJob(argument: _mo_v1_RevertJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * Makes the file the job's current version: a new job is version 1; the same spec again changes
   * nothing (changed = false); a changed one makes the next version and starts its deployment
   * (only `count` changed: a scale, the same version). INVALID_ARGUMENT names the field.
   */
  RunJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  RunJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  RunJob(argument: _mo_v1_RunJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  RunJob(argument: _mo_v1_RunJobRequest, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Makes the file the job's current version: a new job is version 1; the same spec again changes
   * nothing (changed = false); a changed one makes the next version and starts its deployment
   * (only `count` changed: a scale, the same version). INVALID_ARGUMENT names the field.
   */
  runJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  runJob(argument: _mo_v1_RunJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  runJob(argument: _mo_v1_RunJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  runJob(argument: _mo_v1_RunJobRequest, callback: grpc.requestCallback<_mo_v1_RunJobResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Sets count (a service: instances kept running) without a new version.
   */
  ScaleJob(argument: _mo_v1_ScaleJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  ScaleJob(argument: _mo_v1_ScaleJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  ScaleJob(argument: _mo_v1_ScaleJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  ScaleJob(argument: _mo_v1_ScaleJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * Sets count (a service: instances kept running) without a new version.
   */
  scaleJob(argument: _mo_v1_ScaleJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  scaleJob(argument: _mo_v1_ScaleJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  scaleJob(argument: _mo_v1_ScaleJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  scaleJob(argument: _mo_v1_ScaleJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  
  /**
   * Stops every instance; the job stays (history, `mo run -f` starts it again).
   */
  StopJob(argument: _mo_v1_StopJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  StopJob(argument: _mo_v1_StopJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  StopJob(argument: _mo_v1_StopJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  StopJob(argument: _mo_v1_StopJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  /**
   * Stops every instance; the job stays (history, `mo run -f` starts it again).
   */
  stopJob(argument: _mo_v1_StopJobRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  stopJob(argument: _mo_v1_StopJobRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  stopJob(argument: _mo_v1_StopJobRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  stopJob(argument: _mo_v1_StopJobRequest, callback: grpc.requestCallback<_mo_v1_Job__Output>): grpc.ClientUnaryCall;
  
}

export interface JobsHandlers extends grpc.UntypedServiceImplementation {
  /**
   * A job with its instances and current deployment. NOT_FOUND names the job.
   */
  GetJob: grpc.handleUnaryCall<_mo_v1_GetJobRequest__Output, _mo_v1_Job>;
  
  /**
   * A service's instances and where to reach them: by default the healthy ones (a reverse proxy's
   * upstreams); `all` includes the others, with their health.
   */
  GetService: grpc.handleUnaryCall<_mo_v1_GetServiceRequest__Output, _mo_v1_Service>;
  
  /**
   * Every version kept of a job, newest first, and its deployments.
   */
  JobHistory: grpc.handleUnaryCall<_mo_v1_GetJobRequest__Output, _mo_v1_JobHistoryResponse>;
  
  /**
   * Jobs by name, without instances (their counts are there).
   */
  ListJobs: grpc.handleUnaryCall<_mo_v1_ListJobsRequest__Output, _mo_v1_ListJobsResponse>;
  
  /**
   * What RunJob of this file would change, and where new instances would go, without doing it.
   */
  PlanJob: grpc.handleUnaryCall<_mo_v1_RunJobRequest__Output, _mo_v1_JobPlan>;
  
  /**
   * Makes an earlier version current again (a new deployment of it; no new version number).
   */
  RevertJob: grpc.handleUnaryCall<_mo_v1_RevertJobRequest__Output, _mo_v1_Job>;
  
  /**
   * Makes the file the job's current version: a new job is version 1; the same spec again changes
   * nothing (changed = false); a changed one makes the next version and starts its deployment
   * (only `count` changed: a scale, the same version). INVALID_ARGUMENT names the field.
   */
  RunJob: grpc.handleUnaryCall<_mo_v1_RunJobRequest__Output, _mo_v1_RunJobResponse>;
  
  /**
   * Sets count (a service: instances kept running) without a new version.
   */
  ScaleJob: grpc.handleUnaryCall<_mo_v1_ScaleJobRequest__Output, _mo_v1_Job>;
  
  /**
   * Stops every instance; the job stays (history, `mo run -f` starts it again).
   */
  StopJob: grpc.handleUnaryCall<_mo_v1_StopJobRequest__Output, _mo_v1_Job>;
  
}

export interface JobsDefinition extends grpc.ServiceDefinition {
  GetJob: MethodDefinition<_mo_v1_GetJobRequest, _mo_v1_Job, _mo_v1_GetJobRequest__Output, _mo_v1_Job__Output>
  GetService: MethodDefinition<_mo_v1_GetServiceRequest, _mo_v1_Service, _mo_v1_GetServiceRequest__Output, _mo_v1_Service__Output>
  JobHistory: MethodDefinition<_mo_v1_GetJobRequest, _mo_v1_JobHistoryResponse, _mo_v1_GetJobRequest__Output, _mo_v1_JobHistoryResponse__Output>
  ListJobs: MethodDefinition<_mo_v1_ListJobsRequest, _mo_v1_ListJobsResponse, _mo_v1_ListJobsRequest__Output, _mo_v1_ListJobsResponse__Output>
  PlanJob: MethodDefinition<_mo_v1_RunJobRequest, _mo_v1_JobPlan, _mo_v1_RunJobRequest__Output, _mo_v1_JobPlan__Output>
  RevertJob: MethodDefinition<_mo_v1_RevertJobRequest, _mo_v1_Job, _mo_v1_RevertJobRequest__Output, _mo_v1_Job__Output>
  RunJob: MethodDefinition<_mo_v1_RunJobRequest, _mo_v1_RunJobResponse, _mo_v1_RunJobRequest__Output, _mo_v1_RunJobResponse__Output>
  ScaleJob: MethodDefinition<_mo_v1_ScaleJobRequest, _mo_v1_Job, _mo_v1_ScaleJobRequest__Output, _mo_v1_Job__Output>
  StopJob: MethodDefinition<_mo_v1_StopJobRequest, _mo_v1_Job, _mo_v1_StopJobRequest__Output, _mo_v1_Job__Output>
}
