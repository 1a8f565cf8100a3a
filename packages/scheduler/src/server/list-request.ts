// The page size and state filter every List* call takes (0 = the default page, the deprecated
// `limit` an alias of page_size), state enum names mapped to ours, each bad value refused by its
// field path. Page tokens are decoded by the pages (pages.ts) that hand them out.
import { InvalidArgumentError, parsePageSize, quote, validateLabels, validateName } from '@mo/api';

/** Most workloads a Watch's initial snapshot sends (the watch helper's; not a page). */
export const MAX_LIST = 10_000;

export interface ListRequest<S> {
  pageSize: number;
  /** Undefined = every state. */
  states?: Set<S>;
}

export function parseListRequest<S>(
  req: { pageSize: number; limit: number; states: readonly string[] },
  stateOf: (wire: string) => S | undefined,
): ListRequest<S> {
  const pageSize = parsePageSize(req);
  if (req.states.length === 0) return { pageSize };
  const states = new Set(
    req.states.map((s, i) => {
      const name = stateOf(s);
      if (name === undefined) throw new InvalidArgumentError(`states[${i}]`, `unknown state ${quote(s)}`);
      return name;
    }),
  );
  return { pageSize, states };
}

/** ListWorkloadsRequest's name, id_prefix and labels filters (validated; unset ones left out). */
export interface WorkloadSearch {
  name?: string;
  /** Upper-cased (ids are upper-case ULIDs; the prefix is matched without case). */
  idPrefix?: string;
  labels?: Record<string, string>;
}

const ID_PREFIX_RE = /^[0-9A-Za-z_-]{1,64}$/;

export function parseWorkloadSearch(req: {
  name: string;
  idPrefix: string;
  labels: Record<string, string>;
}): WorkloadSearch {
  const out: WorkloadSearch = {};
  if (req.name) out.name = validateName('name', req.name);
  if (req.idPrefix) {
    if (!ID_PREFIX_RE.test(req.idPrefix)) {
      throw new InvalidArgumentError('id_prefix', `must match ${ID_PREFIX_RE.source}, got ${quote(req.idPrefix)}`);
    }
    out.idPrefix = req.idPrefix.toUpperCase();
  }
  if (Object.keys(req.labels).length > 0) out.labels = validateLabels(req.labels, 'labels');
  return out;
}
