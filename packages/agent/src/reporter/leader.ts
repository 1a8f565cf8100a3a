// Which scheduler an agent talks to, given several (`--scheduler a,b,c`, issue 18): the one it
// last found leading, then the others in the order given. The reporter registers with the first
// that answers as leader (a follower's redirect is followed by the client itself, see
// @mo/api's leader-choice.ts); the artifact transfers go to the same leader. A session that
// failed moves the guess on: to the leader a follower named, or past an address that did not answer
// or knew no leader. Decides only; the reporter and SchedulerArtifacts dial.
import { MoError, addressList, failureOf, following, fromServiceError, learnAddress } from '@mo/api';

export class SchedulerAddresses {
  private readonly known: string[];
  /** How many of `known` were given (leaders learned past them are capped: learnAddress). */
  private readonly given: number;
  private current: string;

  /** `addresses`: a list, or a comma-separated string of them; at least one. */
  constructor(addresses: string | readonly string[]) {
    this.known = addressList(addresses, 'scheduler addresses');
    this.given = this.known.length;
    this.current = this.known[0]!;
  }

  /** The scheduler that leads as far as this agent knows (the first address until one answered). */
  get leader(): string {
    return this.current;
  }

  /** Every address known, in the order given (leaders learned from redirects last). */
  get all(): readonly string[] {
    return this.known;
  }

  /** The order to try them in: the known leader first, then the others as given. */
  order(): string[] {
    return [this.current, ...this.known.filter((a) => a !== this.current)];
  }

  /** `address` answered as the leader (registered there), or a follower named it. */
  follow(address: string): void {
    learnAddress(this.known, this.given, address, this.current);
    this.current = address;
  }

  /** `at` answered as a deposed leader (reporter/leader-epoch.ts): the next one is tried first. */
  pass(at: string): void {
    if (at === this.current) this.current = following(this.known, at);
  }

  /**
   * A session with `at` failed with `err`: a follower's redirect names the leader; an address that
   * did not answer, or answered that no leader is known, is passed for the next in the list; any
   * other answer (a refusal of the request, a rate limit) changes nothing.
   */
  failed(err: unknown, at: string): void {
    // A transfer's error wraps the call's (`could not fetch input …`, its cause).
    const call = err instanceof Error && !(err instanceof MoError) && err.cause !== undefined ? err.cause : err;
    const failure = failureOf(fromServiceError(call, at));
    if (failure.kind === 'redirect') this.follow(failure.leader);
    else if (failure.kind !== 'answered' && at === this.current) this.current = following(this.known, at);
  }
}
