// Whole lists from paged calls, shared by the full clients (client.ts) and the wire one (`mo
// status`): each takes the one-page call and follows next_page_token. Type imports only, so the
// wire client stays free of grpc-js.
import type { ClusterStatus__Output } from '../generated/mo/v1/ClusterStatus.js';
import type { GetClusterStatusRequest } from '../generated/mo/v1/GetClusterStatusRequest.js';
import type { GetNodeStatusRequest } from '../generated/mo/v1/GetNodeStatusRequest.js';
import type { ListNodesRequest } from '../generated/mo/v1/ListNodesRequest.js';
import type { ListNodesResponse__Output } from '../generated/mo/v1/ListNodesResponse.js';
import type { ListPipelinesRequest } from '../generated/mo/v1/ListPipelinesRequest.js';
import type { ListPipelinesResponse__Output } from '../generated/mo/v1/ListPipelinesResponse.js';
import type { ListWorkloadsRequest } from '../generated/mo/v1/ListWorkloadsRequest.js';
import type { ListWorkloadsResponse__Output } from '../generated/mo/v1/ListWorkloadsResponse.js';
import type { NodeStatus__Output } from '../generated/mo/v1/NodeStatus.js';
import { followPages } from './follow.js';

type Call<Req, Res> = (req: Req) => Promise<Res>;

/** Every matching workload (at most `max`), newest first; nextPageToken says where `max` stopped. */
export async function allWorkloads(
  list: Call<ListWorkloadsRequest, ListWorkloadsResponse__Output>,
  req: ListWorkloadsRequest = {},
  max = Infinity,
): Promise<ListWorkloadsResponse__Output> {
  const { limit: _deprecated, ...rest } = req;
  const r = await followPages(
    (pageToken, pageSize) => list({ ...rest, pageToken, pageSize }),
    (res) => res.workloads,
    max,
    req.pageToken ?? '',
  );
  return { ...r.first, workloads: r.items, nextPageToken: r.nextPageToken };
}

/** Every node (at most `max`), by name. */
export async function allNodes(
  list: Call<ListNodesRequest, ListNodesResponse__Output>,
  max = Infinity,
  startToken = '',
): Promise<ListNodesResponse__Output> {
  const r = await followPages(
    (pageToken, pageSize) => list({ pageToken, pageSize }),
    (res) => res.nodes,
    max,
    startToken,
  );
  return { ...r.first, nodes: r.items, nextPageToken: r.nextPageToken };
}

/** Every matching pipeline (at most `max`), newest first. */
export async function allPipelines(
  list: Call<ListPipelinesRequest, ListPipelinesResponse__Output>,
  req: ListPipelinesRequest = {},
  max = Infinity,
): Promise<ListPipelinesResponse__Output> {
  const { limit: _deprecated, ...rest } = req;
  const r = await followPages(
    (pageToken, pageSize) => list({ ...rest, pageToken, pageSize }),
    (res) => res.pipelines,
    max,
    req.pageToken ?? '',
  );
  return { ...r.first, pipelines: r.items, nextPageToken: r.nextPageToken };
}

/** An agent's status with every one of its workloads (facts and metrics of the first page). */
export async function fullNodeStatus(
  get: Call<GetNodeStatusRequest, NodeStatus__Output>,
  req: GetNodeStatusRequest = {},
): Promise<NodeStatus__Output> {
  if (req.omitWorkloads) return get(req);
  const r = await followPages(
    (pageToken, pageSize) => get({ ...req, pageToken, pageSize }),
    (res) => res.workloads,
    Infinity,
    req.pageToken ?? '',
  );
  return { ...r.first, workloads: r.items, nextPageToken: '' };
}

/**
 * The cluster status with every node (the nodes left out continued through ListNodes) and
 * `recent_workloads` recent ones (continued through ListWorkloads), as `mo status` shows them.
 */
export async function fullClusterStatus(
  calls: {
    getClusterStatus: Call<GetClusterStatusRequest, ClusterStatus__Output>;
    listNodes: Call<ListNodesRequest, ListNodesResponse__Output>;
    listWorkloads: Call<ListWorkloadsRequest, ListWorkloadsResponse__Output>;
  },
  req: GetClusterStatusRequest = {},
): Promise<ClusterStatus__Output> {
  const cs = await calls.getClusterStatus(req);
  const wanted = req.recentWorkloads || 10;
  const [nodes, recent] = await Promise.all([
    cs.nodesNextPageToken ? allNodes(calls.listNodes, Infinity, cs.nodesNextPageToken) : undefined,
    cs.recentNextPageToken && cs.recent.length < wanted
      ? allWorkloads(
          calls.listWorkloads,
          { omitEvents: true, pageToken: cs.recentNextPageToken },
          wanted - cs.recent.length,
        )
      : undefined,
  ]);
  return {
    ...cs,
    nodes: nodes ? [...cs.nodes, ...nodes.nodes] : cs.nodes,
    nodesNextPageToken: '',
    recent: recent ? [...cs.recent, ...recent.workloads] : cs.recent,
    recentNextPageToken: recent ? recent.nextPageToken : cs.recentNextPageToken,
  };
}

/** fullClusterStatus over a client's own methods (the full client and the wire one share it). */
export function fullClusterStatusOf(
  client: {
    getClusterStatus(r: GetClusterStatusRequest): Promise<ClusterStatus__Output>;
    listNodes(r: ListNodesRequest): Promise<ListNodesResponse__Output>;
    listWorkloads(r: ListWorkloadsRequest): Promise<ListWorkloadsResponse__Output>;
  },
  req: GetClusterStatusRequest = {},
): Promise<ClusterStatus__Output> {
  return fullClusterStatus(
    {
      getClusterStatus: (r) => client.getClusterStatus(r),
      listNodes: (r) => client.listNodes(r),
      listWorkloads: (r) => client.listWorkloads(r),
    },
    req,
  );
}
