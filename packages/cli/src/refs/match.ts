// How a workload reference on the command line is looked up, and which workload it names: pure
// decisions (no client), so every rule has a unit test. The lookup itself is resolve.ts.
//
// A reference is, in this order (Docker's): an exact id; the name of one live workload; a unique
// id prefix of 6+ characters, without regard to case. Anything else is an error: nothing matched
// (exit 1), or several did (exit 2, with the candidates listed).
import { UsageError } from '../errors.js';

/** Shortest id prefix looked up: shorter ones would match by their timestamp alone. */
export const MIN_PREFIX = 6;

/** Candidates asked for per lookup (and listed in an ambiguity error); `more` counts the rest. */
export const CANDIDATES = 10;

/** Ids are ULIDs: 26 characters of Crockford base32, upper case, as the scheduler makes them. */
const ULID_RE = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** A workload name, as @mo/api's NAME_RE (copied: importing @mo/api would load grpc-js). */
const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const PREFIX_RE = /^[0-9A-Za-z]+$/;

/** The states a workload counts as live in (a name refers only to live workloads). */
export const LIVE_STATES = [
  'WORKLOAD_STATE_PENDING',
  'WORKLOAD_STATE_STARTING',
  'WORKLOAD_STATE_RUNNING',
  'WORKLOAD_STATE_UNKNOWN',
] as const;

/** What to ask the scheduler for a reference: the id itself, or a search by name and/or prefix. */
export type RefPlan =
  | { readonly kind: 'exact'; readonly id: string }
  | { readonly kind: 'search'; readonly name?: string; readonly idPrefix?: string };

/** `flag` names where the reference came from (`id`, `--workload`) in a usage error. */
export function planLookup(ref: string, flag = 'id'): RefPlan {
  if (ref === '') throw new UsageError('is empty: give a workload id, id prefix or name', flag);
  if (ULID_RE.test(ref)) return { kind: 'exact', id: ref };
  const name = NAME_RE.test(ref) ? ref : undefined;
  const idPrefix = ref.length >= MIN_PREFIX && ref.length <= 26 && PREFIX_RE.test(ref) ? ref.toUpperCase() : undefined;
  if (name === undefined && idPrefix === undefined) {
    const why =
      PREFIX_RE.test(ref) && ref.length < MIN_PREFIX
        ? `an id prefix needs at least ${MIN_PREFIX} characters`
        : 'not a workload id, id prefix (6+ letters and digits) or name ([a-z0-9][a-z0-9._-]*)';
    throw new UsageError(`${JSON.stringify(ref)}: ${why}`, flag);
  }
  return { kind: 'search', ...(name !== undefined ? { name } : {}), ...(idPrefix !== undefined ? { idPrefix } : {}) };
}

/** One lookup's answer: the first matches and how many there are in all. */
export interface Matches<W> {
  readonly items: readonly W[];
  readonly total: number;
}

export type Resolution<W> =
  | { readonly kind: 'one'; readonly workload: W; readonly by: 'name' | 'prefix' }
  | { readonly kind: 'none' }
  | {
      readonly kind: 'ambiguous';
      readonly by: 'name' | 'prefix';
      readonly candidates: readonly W[];
      readonly more: number;
    };

const NONE: Matches<never> = { items: [], total: 0 };

/** Picks the workload a searched reference names: a live name first, then an id prefix. */
export function decide<W>(byName: Matches<W> = NONE, byPrefix: Matches<W> = NONE): Resolution<W> {
  for (const [by, m] of [
    ['name', byName],
    ['prefix', byPrefix],
  ] as const) {
    if (m.total === 1 && m.items[0] !== undefined) return { kind: 'one', workload: m.items[0], by };
    if (m.total > 1) return { kind: 'ambiguous', by, candidates: m.items, more: Math.max(0, m.total - m.items.length) };
  }
  return { kind: 'none' };
}

/** The message of a reference nothing matched. */
export function notFoundMessage(ref: string, plan: RefPlan): string {
  if (plan.kind === 'exact') return `no workload ${JSON.stringify(ref)}`;
  const tried = [
    ...(plan.idPrefix !== undefined ? ['no id starts with it'] : []),
    ...(plan.name !== undefined ? ['no live workload has that name'] : []),
  ];
  // A short reference with a digit in it was more likely meant as an id prefix than as a name.
  const hint =
    plan.idPrefix === undefined && PREFIX_RE.test(ref) && /\d/.test(ref)
      ? ` (id prefixes need ${MIN_PREFIX}+ characters)`
      : '';
  return `no workload ${JSON.stringify(ref)}: ${tried.join(' and ')}${hint}`;
}
