// Workload arrays (SubmitWorkloadRequest.count): N workloads of one spec in one group, as Slurm's
// job arrays and Nomad's `count`. Pure rules here: the count's bounds, each member's spec (its
// index in the env, its name), the members' ids. The manager persists and places them.
//
// Member i (0-based, like SLURM_ARRAY_TASK_ID and NOMAD_ALLOC_INDEX) gets MO_INDEX=i,
// MO_COUNT=count and MO_GROUP=<group id> in its env (written into its spec, so what a record shows
// is what runs), and the name "<name>-<i>" when the spec has a name.
import { InvalidArgumentError, LIMITS, NAME_RE, newId, validateEnv, type NormalizedWorkloadSpec } from '@mo/api';

/**
 * The store record (kind 'meta') that says an array was written whole. Its members are written in
 * slices (one transaction of 10,000 rows held the event loop for seconds), then this marker with
 * the idempotency key: at start-up, members of an array with no marker (a crash mid-write, before
 * the acknowledgement) are deleted, so an array is all or nothing. Deleted with its last member.
 */
export function arrayMarkerId(groupId: string): string {
  return `array:${groupId}`;
}

export function groupOfMarker(id: string): string | undefined {
  return id.startsWith('array:') ? id.slice('array:'.length) : undefined;
}

/** The env variables an array sets on each member; a spec of an array may not set them itself. */
export const ARRAY_ENV = ['MO_INDEX', 'MO_COUNT', 'MO_GROUP'] as const;

/** `count` as sent: 0 = one workload (no array), else 1..LIMITS.arrayCount. */
export function validateCount(count: number): number {
  if (!Number.isSafeInteger(count) || count < 0 || count > LIMITS.arrayCount) {
    throw new InvalidArgumentError(
      'count',
      `must be between 1 and ${LIMITS.arrayCount} workloads (0: a single one, no array), got ${count}`,
    );
  }
  return count;
}

/**
 * Checks that every member's spec is valid, given a validated spec: the suffixed name still
 * matches the name rule, and the added variables fit the env limits. Throws naming the field.
 */
export function validateArraySpec(spec: NormalizedWorkloadSpec, count: number, groupId: string): void {
  for (const key of ARRAY_ENV) {
    if (Object.hasOwn(spec.env, key)) {
      throw new InvalidArgumentError(
        `spec.env[${JSON.stringify(key)}]`,
        'is set by the scheduler for an array (count)',
      );
    }
  }
  const last = memberName(spec.name, count - 1);
  if (last && !NAME_RE.test(last)) {
    throw new InvalidArgumentError(
      'spec.name',
      `is too long for an array of ${count}: members are named "<name>-<index>" (${JSON.stringify(last)}), at most ${LIMITS.nameChars} characters`,
    );
  }
  // The last member has the longest values: if its env fits, every member's does.
  validateEnv(memberEnv(spec.env, count - 1, count, groupId));
}

export function memberName(name: string, index: number): string {
  return name ? `${name}-${index}` : '';
}

function memberEnv(env: Record<string, string>, index: number, count: number, groupId: string) {
  return { ...env, MO_INDEX: String(index), MO_COUNT: String(count), MO_GROUP: groupId };
}

/** Member `index`'s spec: a shallow copy of the array's, with its own name and env. */
export function memberSpec(
  spec: NormalizedWorkloadSpec,
  index: number,
  count: number,
  groupId: string,
): NormalizedWorkloadSpec {
  return { ...spec, name: memberName(spec.name, index), env: memberEnv(spec.env, index, count, groupId) };
}

/**
 * `count` new workload ids in ascending order, so index order is id order (a group lists by
 * index, and newest first is highest index first). As ULID's monotonic mode: one random id, then
 * +1 in its random part per member; its top bit is cleared first, so the run cannot overflow.
 */
export function memberIds(count: number, nowMs: number): string[] {
  const base = newId(nowMs);
  const time = base.slice(0, 10);
  const digits = [...base.slice(10)].map((c) => CROCKFORD.indexOf(c));
  digits[0] = digits[0]! & 0b01111;
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(time + digits.map((d) => CROCKFORD[d]).join(''));
    for (let k = digits.length - 1; k >= 0 && ++digits[k]! === 32; k--) digits[k] = 0;
  }
  return ids;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
