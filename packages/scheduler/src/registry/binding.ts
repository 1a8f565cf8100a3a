// An agent acts only as its own node. Its certificate names the node (SAN agent.<name>.mo); the
// node's id is bound to that name by the registry, so a certificate for node A cannot register as
// B, claim B's id, or heartbeat, sync or report for B. Pure: the registry service asks with the
// caller and what the request claims, and gets the refusal (or nothing).
import { MoError, quote } from '@mo/api';
import * as grpc from '@grpc/grpc-js';

/** The caller as the binding sees it: an agent certificate's node, or no identity at all (--insecure). */
export type NodeCaller = { kind: 'agent'; node: string } | { kind: 'insecure' };

/** What the registry knows of the node a request names. */
export interface KnownNode {
  id: string;
  name: string;
}

function denied(message: string): MoError {
  return new MoError(grpc.status.PERMISSION_DENIED, message);
}

/**
 * A Register that claims `nodeName` and `nodeId`: refused unless the caller's certificate is that
 * node's, and the id is unknown or already that node's. (A known name under a new id is the same
 * node after its data dir was wiped: only the holder of the name's certificate can do that.)
 */
export function registerBindingError(
  caller: NodeCaller,
  claim: { nodeId: string; nodeName: string },
  byId: KnownNode | undefined,
): MoError | undefined {
  if (caller.kind === 'insecure') return undefined;
  if (claim.nodeName !== caller.node) {
    return denied(`agent ${quote(caller.node)} may register only as itself, not as node ${quote(claim.nodeName)}`);
  }
  if (byId && byId.name !== caller.node) {
    return denied(`node id ${claim.nodeId} belongs to node ${quote(byId.name)}, not to agent ${quote(caller.node)}`);
  }
  return undefined;
}

/** A heartbeat, inventory page or upload for node `nodeId`: only from that node's certificate. */
export function nodeBindingError(caller: NodeCaller, nodeId: string, node: KnownNode | undefined): MoError | undefined {
  if (caller.kind === 'insecure' || !node) return undefined; // an unknown id is the caller's NOT_FOUND
  if (node.name !== caller.node) {
    return denied(`node id ${nodeId} belongs to node ${quote(node.name)}, not to agent ${quote(caller.node)}`);
  }
  return undefined;
}
