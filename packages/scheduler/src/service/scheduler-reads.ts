// The Scheduler API's read methods (get, list, nodes, cluster status), apart from the writes in
// scheduler-calls.ts: they need only records and their indexes, so the leader answers them from its
// manager and a follower (ha/) from its watch-fed cache of the same records, by the same rules.
import {
  InvalidArgumentError,
  NotFoundError,
  PAGE_BYTES,
  parsePageSize,
  stateFromWire,
  validateWorkloadId,
  type ClusterStatus,
  type GetClusterStatusRequest__Output,
  type GetScheduledWorkloadRequest__Output,
  type ListNodesRequest__Output,
  type ListNodesResponse,
  type ListWorkloadsRequest__Output,
  type ListWorkloadsResponse,
  type Node,
  type ScheduledWorkload,
} from '@mo/api';
import type { PlacementEngine } from '../placement/index.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { WorkloadReads } from '../workloads/reads.js';
import { toNode, toScheduledWorkload } from '../server/convert.js';
import { parseListRequest, parseWorkloadSearch } from '../server/list-request.js';
import { nodePage, workloadPage } from '../server/pages.js';

/** What the read methods ask of the node table. */
export type NodeReads = Pick<NodeTable, 'list' | 'get' | 'byNodeName' | 'size'>;

export interface SchedulerReadsContext {
  manager: WorkloadReads;
  nodes: NodeReads;
  engine: Pick<PlacementEngine, 'reservedOf'>;
  version: string;
  startedAtMs: number;
}

export class SchedulerReads {
  constructor(protected readonly reads: SchedulerReadsContext) {}

  nodeMessage(n: NodeEntry): Node {
    return toNode(n, this.reads.engine.reservedOf(n.id), this.reads.manager.runningOn(n.id));
  }

  getWorkload(req: GetScheduledWorkloadRequest__Output): ScheduledWorkload {
    validateWorkloadId('workload_id', req.workloadId);
    return toScheduledWorkload(this.reads.manager.get(req.workloadId));
  }

  listWorkloads(req: ListWorkloadsRequest__Output): ListWorkloadsResponse {
    const { manager } = this.reads;
    const { pageSize, states } = parseListRequest(req, stateFromWire);
    if (req.groupId) validateWorkloadId('group_id', req.groupId);
    const filter = {
      ...(states ? { states } : {}),
      ...(req.nodeId ? { nodeId: req.nodeId } : {}),
      ...(req.groupId ? { groupId: req.groupId } : {}),
      ...parseWorkloadSearch(req),
    };
    const page = workloadPage(manager, filter, { pageSize, pageToken: req.pageToken, withEvents: !req.omitEvents });
    return { workloads: page.items, total: manager.countMatching(filter), nextPageToken: page.nextPageToken };
  }

  listNodes(req: ListNodesRequest__Output): ListNodesResponse {
    const page = nodePage(this.reads.nodes, { pageSize: parsePageSize(req), pageToken: req.pageToken }, (n) =>
      this.nodeMessage(n),
    );
    return { nodes: page.items, nextPageToken: page.nextPageToken };
  }

  /**
   * One node by name or id (the HTTP API's GET /nodes/NAME; gRPC clients list). Read access as
   * ListNodes. NOT_FOUND names the field `node`.
   */
  getNode(nameOrId: string): Node {
    if (!nameOrId) throw new InvalidArgumentError('node', 'is required (a node name or id)');
    if (nameOrId.length > 253) throw new InvalidArgumentError('node', `is ${nameOrId.length} characters, at most 253`);
    const n = this.reads.nodes.get(nameOrId) ?? this.reads.nodes.byNodeName(nameOrId);
    if (!n) throw new NotFoundError('node', 'node', nameOrId);
    return this.nodeMessage(n);
  }

  getClusterStatus(req: GetClusterStatusRequest__Output): ClusterStatus {
    const { manager, nodes } = this.reads;
    const recentN = req.recentWorkloads || 10;
    if (!Number.isSafeInteger(recentN) || recentN < 0 || recentN > 1000) {
      throw new InvalidArgumentError('recent_workloads', `must be between 0 and 1000, got ${req.recentWorkloads}`);
    }
    const counts: Record<string, number> = {};
    for (const [state, n] of manager.stateCounts()) if (n > 0) counts[state] = n;
    // Nodes take up to half the byte budget, recent workloads the rest: the whole stays bounded.
    const nodeList = nodePage(
      nodes,
      { pageSize: parsePageSize({ pageSize: req.maxNodes }, 'max_nodes'), pageToken: '', maxBytes: PAGE_BYTES / 2 },
      (n) => this.nodeMessage(n),
    );
    const recent = workloadPage(
      manager,
      {},
      { pageSize: recentN, pageToken: '', withEvents: false, maxBytes: PAGE_BYTES - nodeList.bytes },
    );
    return {
      nodes: nodeList.items,
      nodesTotal: nodes.size,
      nodesNextPageToken: nodeList.nextPageToken,
      workloadCounts: counts,
      recent: recent.items,
      recentNextPageToken: recent.nextPageToken,
      queueDepth: manager.queueDepth(),
      schedulerVersion: this.reads.version,
      startedAtMs: this.reads.startedAtMs,
    };
  }
}
