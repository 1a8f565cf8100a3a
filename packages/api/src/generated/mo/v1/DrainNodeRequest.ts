// Original file: proto/mo/v1/scheduler.proto

import type { Long } from '@grpc/proto-loader';

export interface DrainNodeRequest {
  /**
   * The node's name or id.
   */
  'node'?: (string);
  /**
   * How long work other than services' instances may run on (and services take to move) before
   * what is left is stopped: 0 = 1 h; at most 30 days. A drain under way gets the new deadline.
   */
  'deadlineMs'?: (number | string | Long);
  /**
   * Stop everything on the node now (each replaced elsewhere as above).
   */
  'force'?: (boolean);
  /**
   * End the drain: nothing more is moved, and the node is eligible again.
   */
  'cancel'?: (boolean);
}

export interface DrainNodeRequest__Output {
  /**
   * The node's name or id.
   */
  'node': (string);
  /**
   * How long work other than services' instances may run on (and services take to move) before
   * what is left is stopped: 0 = 1 h; at most 30 days. A drain under way gets the new deadline.
   */
  'deadlineMs': (number);
  /**
   * Stop everything on the node now (each replaced elsewhere as above).
   */
  'force': (boolean);
  /**
   * End the drain: nothing more is moved, and the node is eligible again.
   */
  'cancel': (boolean);
}
