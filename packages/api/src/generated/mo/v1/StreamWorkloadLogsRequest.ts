// Original file: proto/mo/v1/scheduler.proto

import type { LogStream as _mo_v1_LogStream, LogStream__Output as _mo_v1_LogStream__Output } from '../../mo/v1/LogStream.js';

export interface StreamWorkloadLogsRequest {
  'workloadId'?: (string);
  'stream'?: (_mo_v1_LogStream);
  'tailLines'?: (number);
  'follow'?: (boolean);
}

export interface StreamWorkloadLogsRequest__Output {
  'workloadId': (string);
  'stream': (_mo_v1_LogStream__Output);
  'tailLines': (number);
  'follow': (boolean);
}
