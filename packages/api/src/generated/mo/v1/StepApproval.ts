// Original file: proto/mo/v1/pipeline.proto

import type { Long } from '@grpc/proto-loader';

export interface StepApproval {
  'approved'?: (boolean);
  /**
   * The identity that decided, as describeIdentity writes it: "token:ci", "client:alice", "insecure".
   */
  'by'?: (string);
  'reason'?: (string);
  'atMs'?: (number | string | Long);
}

export interface StepApproval__Output {
  'approved': (boolean);
  /**
   * The identity that decided, as describeIdentity writes it: "token:ci", "client:alice", "insecure".
   */
  'by': (string);
  'reason': (string);
  'atMs': (number);
}
