// Original file: proto/mo/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeFacts {
  'nodeName'?: (string);
  'hostname'?: (string);
  'cpuModel'?: (string);
  'cpuCores'?: (number);
  'memoryTotalBytes'?: (number | string | Long);
  'os'?: (string);
  'kernel'?: (string);
  'arch'?: (string);
  /**
   * Drivers this node can run ("process", and "docker" when an engine answers).
   */
  'drivers'?: (string)[];
  'dockerAvailable'?: (boolean);
  'dockerVersion'?: (string);
  'bootId'?: (string);
  'agentVersion'?: (string);
}

export interface NodeFacts__Output {
  'nodeName': (string);
  'hostname': (string);
  'cpuModel': (string);
  'cpuCores': (number);
  'memoryTotalBytes': (number);
  'os': (string);
  'kernel': (string);
  'arch': (string);
  /**
   * Drivers this node can run ("process", and "docker" when an engine answers).
   */
  'drivers': (string)[];
  'dockerAvailable': (boolean);
  'dockerVersion': (string);
  'bootId': (string);
  'agentVersion': (string);
}
