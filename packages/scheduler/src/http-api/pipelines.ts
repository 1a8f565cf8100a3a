// /api/v1/pipelines: submit (a JSON SubmitPipelineRequest, whose `spec` may be the YAML/JSON text
// or a JSON object; or the YAML itself with Content-Type application/yaml and `?idempotencyKey=`),
// get, list, cancel, and a step's approve / reject — over PipelineCalls.
import {
  InvalidArgumentError,
  requestFromJson,
  type ApproveStepRequest__Output,
  type CancelPipelineRequest__Output,
  type GetPipelineRequest__Output,
  type ListPipelinesRequest__Output,
  type SubmitPipelineRequest__Output,
} from '@mo/api';
import type { PipelineCalls } from '../service/pipeline-calls.js';
import { route, type Route, type RouteInput } from './api.js';
import { readBody, readJson } from './body.js';
import { bodyRequest, queryRequest } from './workloads.js';

const P = '/mo.v1.Pipelines';
const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', 'text/plain'];

async function submitRequest({ req, query }: RouteInput): Promise<SubmitPipelineRequest__Output> {
  const type = (req.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
  if (YAML_TYPES.includes(type)) {
    const spec = (await readBody(req)).toString('utf8');
    const extra = [...query.keys()].find((k) => k !== 'idempotencyKey' && k !== 'idempotency_key');
    if (extra)
      throw new InvalidArgumentError(extra.slice(0, 64), 'is not a parameter of a YAML submit (idempotencyKey)');
    const key = query.get('idempotencyKey') ?? query.get('idempotency_key') ?? '';
    return requestFromJson('SubmitPipelineRequest', { spec, idempotencyKey: key });
  }
  const json = await readJson(req);
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const spec = (json as Record<string, unknown>).spec;
    // The spec as a JSON object is the same pipeline as its JSON text (the spec parser reads both).
    if (spec !== null && typeof spec === 'object' && !Array.isArray(spec)) {
      return requestFromJson('SubmitPipelineRequest', { ...json, spec: JSON.stringify(spec) });
    }
  }
  return requestFromJson('SubmitPipelineRequest', json);
}

export function pipelineRoutes(calls: PipelineCalls): Route[] {
  const decide = (reject: boolean) =>
    route<ApproveStepRequest__Output>({
      method: 'POST',
      path: `/api/v1/pipelines/:id/steps/:step/${reject ? 'reject' : 'approve'}`,
      rpc: `${P}/ApproveStep`,
      responseType: 'Pipeline',
      request: (i) =>
        bodyRequest('ApproveStepRequest', i, { pipelineId: i.params.id!, stepId: i.params.step!, reject }),
      // The approver is who was admitted (as gRPC's identityOf), never the body's `by`.
      respond: (m, i) => calls.approveStep(m, i.identity),
    });
  return [
    route<SubmitPipelineRequest__Output>({
      method: 'POST',
      path: '/api/v1/pipelines',
      rpc: `${P}/SubmitPipeline`,
      responseType: 'SubmitPipelineResponse',
      request: submitRequest,
      respond: (m) => calls.submitPipeline(m),
    }),
    route<ListPipelinesRequest__Output>({
      method: 'GET',
      path: '/api/v1/pipelines',
      rpc: `${P}/ListPipelines`,
      responseType: 'ListPipelinesResponse',
      request: (i) => queryRequest('ListPipelinesRequest', i.query),
      respond: (m) => calls.listPipelines(m),
    }),
    route<GetPipelineRequest__Output>({
      method: 'GET',
      path: '/api/v1/pipelines/:id',
      rpc: `${P}/GetPipeline`,
      responseType: 'Pipeline',
      request: (i) => queryRequest('GetPipelineRequest', i.query, { pipelineId: i.params.id! }),
      respond: (m) => calls.getPipeline(m),
    }),
    route<CancelPipelineRequest__Output>({
      method: 'POST',
      path: '/api/v1/pipelines/:id/cancel',
      rpc: `${P}/CancelPipeline`,
      responseType: 'Pipeline',
      request: (i) => bodyRequest('CancelPipelineRequest', i, { pipelineId: i.params.id! }),
      respond: (m) => calls.cancelPipeline(m),
    }),
    decide(false),
    decide(true),
  ];
}
