// The paging and state filter every List* call takes: a bounded limit (0 = the default) and
// state enum names mapped to ours, each bad value rejected by its field path.
import { InvalidArgumentError } from '@mo/api';

/** Most items one List* call returns. */
export const MAX_LIST = 10_000;
const DEFAULT_LIST = 100;

export interface ListRequest<S> {
  limit: number;
  /** Undefined = every state. */
  states?: Set<S>;
}

export function parseListRequest<S>(
  req: { limit: number; states: readonly string[] },
  stateOf: (wire: string) => S | undefined,
): ListRequest<S> {
  const limit = req.limit || DEFAULT_LIST;
  if (!Number.isSafeInteger(limit) || limit < 0 || limit > MAX_LIST) {
    throw new InvalidArgumentError('limit', `must be between 0 and ${MAX_LIST}, got ${req.limit}`);
  }
  if (req.states.length === 0) return { limit };
  const states = new Set(
    req.states.map((s, i) => {
      const name = stateOf(s);
      if (name === undefined) throw new InvalidArgumentError(`states[${i}]`, `unknown state ${JSON.stringify(s)}`);
      return name;
    }),
  );
  return { limit, states };
}
