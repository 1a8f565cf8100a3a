// /api/v1/nodes (list, one by name or id, removal of a down node, drain and eligibility) and
// /api/v1/cluster (status).
import {
  type DrainNodeRequest__Output,
  type SetNodeEligibilityRequest__Output,
  type GetClusterStatusRequest__Output,
  type ListNodesRequest__Output,
  type RemoveNodeRequest__Output,
} from '@mo/api';
import type { SchedulerCalls } from '../service/scheduler-calls.js';
import { route, type Route } from './api.js';
import { bodyRequest, queryRequest } from './workloads.js';

const S = '/mo.v1.Scheduler';

export function nodeRoutes(calls: SchedulerCalls): Route[] {
  return [
    route<ListNodesRequest__Output>({
      method: 'GET',
      path: '/api/v1/nodes',
      rpc: `${S}/ListNodes`,
      responseType: 'ListNodesResponse',
      request: (i) => queryRequest('ListNodesRequest', i.query),
      respond: (m) => calls.listNodes(m),
    }),
    route<RemoveNodeRequest__Output>({
      method: 'GET',
      path: '/api/v1/nodes/:node',
      // No GetNode in gRPC (clients list): read access, as listing.
      rpc: `${S}/ListNodes`,
      responseType: 'Node',
      request: (i) => queryRequest('RemoveNodeRequest', i.query, { node: i.params.node! }),
      respond: (m) => calls.getNode(m.node),
    }),
    route<RemoveNodeRequest__Output>({
      method: 'DELETE',
      path: '/api/v1/nodes/:node',
      rpc: `${S}/RemoveNode`,
      responseType: 'RemoveNodeResponse',
      request: (i) => queryRequest('RemoveNodeRequest', i.query, { node: i.params.node! }),
      respond: (m) => calls.removeNode(m),
    }),
    // Body: {"deadlineMs": 600000, "force": false, "cancel": false} (DrainNodeRequest's JSON).
    route<DrainNodeRequest__Output>({
      method: 'POST',
      path: '/api/v1/nodes/:node/drain',
      rpc: `${S}/DrainNode`,
      responseType: 'DrainNodeResponse',
      request: (i) => bodyRequest('DrainNodeRequest', i, { node: i.params.node! }),
      respond: (m) => calls.drainNode(m),
    }),
    // Body: {"eligible": true}.
    route<SetNodeEligibilityRequest__Output>({
      method: 'POST',
      path: '/api/v1/nodes/:node/eligibility',
      rpc: `${S}/SetNodeEligibility`,
      responseType: 'SetNodeEligibilityResponse',
      request: (i) => bodyRequest('SetNodeEligibilityRequest', i, { node: i.params.node! }),
      respond: (m) => calls.setNodeEligibility(m),
    }),
    route<GetClusterStatusRequest__Output>({
      method: 'GET',
      path: '/api/v1/cluster',
      rpc: `${S}/GetClusterStatus`,
      responseType: 'ClusterStatus',
      request: (i) => queryRequest('GetClusterStatusRequest', i.query),
      respond: (m) => calls.getClusterStatus(m),
    }),
  ];
}
