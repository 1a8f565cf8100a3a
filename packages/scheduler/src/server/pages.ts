// The pages the Scheduler and Pipelines services hand out: workloads and pipelines newest first
// (cursor: the last id; ULIDs sort by creation, so the cursor holds under inserts), nodes by name
// (cursor: name and id). Each page is bounded by count and by encoded bytes (@mo/api fillPage).
import {
  decodePageToken,
  encodePageToken,
  fillPage,
  repeatedEntrySize,
  type Node,
  type Pipeline,
  type ScheduledWorkload,
} from '@mo/api';
import type { PipelineListFilter, PipelineManager } from '../pipelines/manager.js';
import type { PipelineRecord } from '../pipelines/record.js';
import type { NodeEntry, NodeTable } from '../registry/nodes.js';
import type { WorkloadFilter } from '../workloads/manager.js';
import type { WorkloadReads } from '../workloads/reads.js';
import { toScheduledWorkload } from './convert.js';

export interface PageRequest {
  pageSize: number;
  pageToken: string;
  /** Byte budget of the page (default PAGE_BYTES). */
  maxBytes?: number;
}

export interface ServedPage<W> {
  items: W[];
  bytes: number;
  nextPageToken: string;
}

export function workloadPage(
  manager: Pick<WorkloadReads, 'newestFirst'>,
  filter: WorkloadFilter,
  req: PageRequest & { withEvents: boolean },
): ServedPage<ScheduledWorkload> {
  const [before] = decodePageToken('workloads', req.pageToken, ['string']) ?? [];
  const page = fillPage(
    manager.newestFirst(filter, before as string | undefined),
    (w) => toScheduledWorkload(w, req.withEvents),
    (m) => repeatedEntrySize('ScheduledWorkload', m),
    req,
  );
  return { ...page, nextPageToken: page.more ? encodePageToken('workloads', [page.last!.id]) : '' };
}

export function pipelinePage(
  pipelines: Pick<PipelineManager, 'newestFirst'>,
  filter: PipelineListFilter,
  req: PageRequest,
  toWire: (p: PipelineRecord) => Pipeline,
): ServedPage<Pipeline> {
  const [before] = decodePageToken('pipelines', req.pageToken, ['string']) ?? [];
  const page = fillPage(
    pipelines.newestFirst(filter, before as string | undefined),
    toWire,
    (m) => repeatedEntrySize('Pipeline', m),
    req,
  );
  return { ...page, nextPageToken: page.more ? encodePageToken('pipelines', [page.last!.id]) : '' };
}

const byNameThenId = (a: { name: string; id: string }, b: { name: string; id: string }): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

/** Nodes by name. Sorted per call: node tables are small next to workloads. */
export function nodePage(
  nodes: Pick<NodeTable, 'list'>,
  req: PageRequest,
  toWire: (n: NodeEntry) => Node,
): ServedPage<Node> {
  const pos = decodePageToken('nodes', req.pageToken, ['string', 'string']);
  const after = pos && { name: pos[0] as string, id: pos[1] as string };
  const sorted = nodes
    .list()
    .filter((n) => !after || byNameThenId(n, after) > 0)
    .sort(byNameThenId);
  const page = fillPage(sorted, toWire, (m) => repeatedEntrySize('Node', m), req);
  return { ...page, nextPageToken: page.more ? encodePageToken('nodes', [page.last!.name, page.last!.id]) : '' };
}
