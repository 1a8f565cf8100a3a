// Original file: proto/mo/v1/scheduler.proto

import type { Node as _mo_v1_Node, Node__Output as _mo_v1_Node__Output } from '../../mo/v1/Node.js';

export interface ListNodesResponse {
  'nodes'?: (_mo_v1_Node)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken'?: (string);
}

export interface ListNodesResponse__Output {
  'nodes': (_mo_v1_Node__Output)[];
  /**
   * Empty on the last page.
   */
  'nextPageToken': (string);
}
