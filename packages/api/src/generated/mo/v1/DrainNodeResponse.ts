// Original file: proto/mo/v1/scheduler.proto

import type { Node as _mo_v1_Node, Node__Output as _mo_v1_Node__Output } from '../../mo/v1/Node.js';

export interface DrainNodeResponse {
  /**
   * The node with its drain as it now stands.
   */
  'node'?: (_mo_v1_Node | null);
}

export interface DrainNodeResponse__Output {
  /**
   * The node with its drain as it now stands.
   */
  'node': (_mo_v1_Node__Output | null);
}
