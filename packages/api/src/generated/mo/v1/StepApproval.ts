// Original file: proto/mo/v1/pipeline.proto

import type { Long } from '@grpc/proto-loader';

export interface StepApproval {
  'approved'?: (boolean);
  'by'?: (string);
  'reason'?: (string);
  'atMs'?: (number | string | Long);
}

export interface StepApproval__Output {
  'approved': (boolean);
  'by': (string);
  'reason': (string);
  'atMs': (number);
}
