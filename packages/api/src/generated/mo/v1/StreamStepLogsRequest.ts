// Original file: proto/mo/v1/pipeline.proto

import type { LogStream as _mo_v1_LogStream, LogStream__Output as _mo_v1_LogStream__Output } from '../../mo/v1/LogStream.js';

export interface StreamStepLogsRequest {
  'pipelineId'?: (string);
  'stepId'?: (string);
  'stream'?: (_mo_v1_LogStream);
  'tailLines'?: (number);
  'follow'?: (boolean);
}

export interface StreamStepLogsRequest__Output {
  'pipelineId': (string);
  'stepId': (string);
  'stream': (_mo_v1_LogStream__Output);
  'tailLines': (number);
  'follow': (boolean);
}
