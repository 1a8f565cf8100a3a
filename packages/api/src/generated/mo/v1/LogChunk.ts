// Original file: proto/mo/v1/agent.proto

import type { LogStream as _mo_v1_LogStream, LogStream__Output as _mo_v1_LogStream__Output } from '../../mo/v1/LogStream.js';

export interface LogChunk {
  'stream'?: (_mo_v1_LogStream);
  'data'?: (Buffer | Uint8Array | string);
}

export interface LogChunk__Output {
  'stream': (_mo_v1_LogStream__Output);
  'data': (Buffer);
}
