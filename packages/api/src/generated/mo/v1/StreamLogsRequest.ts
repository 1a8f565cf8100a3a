// Original file: proto/mo/v1/agent.proto

import type { LogStream as _mo_v1_LogStream, LogStream__Output as _mo_v1_LogStream__Output } from '../../mo/v1/LogStream.js';

export interface StreamLogsRequest {
  'workloadId'?: (string);
  'stream'?: (_mo_v1_LogStream);
  /**
   * Start with the last N lines of each stream; 0 means from the beginning of what is kept.
   */
  'tailLines'?: (number);
  'follow'?: (boolean);
}

export interface StreamLogsRequest__Output {
  'workloadId': (string);
  'stream': (_mo_v1_LogStream__Output);
  /**
   * Start with the last N lines of each stream; 0 means from the beginning of what is kept.
   */
  'tailLines': (number);
  'follow': (boolean);
}
