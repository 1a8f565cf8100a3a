// Original file: proto/mo/v1/node.proto

import type { Long } from '@grpc/proto-loader';

export interface NodeFacts {
  /**
   * ≤ 253, DNS-like as the node name
   */
  'nodeName'?: (string);
  /**
   * ≤ 253
   */
  'hostname'?: (string);
  /**
   * ≤ 256
   */
  'cpuModel'?: (string);
  /**
   * 0..65536
   */
  'cpuCores'?: (number);
  'memoryTotalBytes'?: (number | string | Long);
  /**
   * ≤ 256
   */
  'os'?: (string);
  /**
   * ≤ 256
   */
  'kernel'?: (string);
  /**
   * ≤ 64
   */
  'arch'?: (string);
  /**
   * Drivers this node can run ("process", and "docker" when an engine answers).
   */
  'drivers'?: (string)[];
  'dockerAvailable'?: (boolean);
  /**
   * ≤ 64
   */
  'dockerVersion'?: (string);
  /**
   * ≤ 64
   */
  'bootId'?: (string);
  /**
   * ≤ 64
   */
  'agentVersion'?: (string);
  /**
   * How process workloads are contained: "v2" or "v1" (a cgroup per workload: stop kills the whole
   * tree, usage covers the whole tree; "v1" when limits come from v1 hierarchies, as on a v1/v2
   * hybrid host, whose v2 tree tracks and kills), or "" (no writable cgroup: the tree is found from
   * /proc, nothing is limited).
   */
  'cgroupMode'?: (string);
  /**
   * The limits enforced on process workloads ("cpu", "memory", "pids"); docker ones always are.
   */
  'enforcedLimits'?: (string)[];
}

export interface NodeFacts__Output {
  /**
   * ≤ 253, DNS-like as the node name
   */
  'nodeName': (string);
  /**
   * ≤ 253
   */
  'hostname': (string);
  /**
   * ≤ 256
   */
  'cpuModel': (string);
  /**
   * 0..65536
   */
  'cpuCores': (number);
  'memoryTotalBytes': (number);
  /**
   * ≤ 256
   */
  'os': (string);
  /**
   * ≤ 256
   */
  'kernel': (string);
  /**
   * ≤ 64
   */
  'arch': (string);
  /**
   * Drivers this node can run ("process", and "docker" when an engine answers).
   */
  'drivers': (string)[];
  'dockerAvailable': (boolean);
  /**
   * ≤ 64
   */
  'dockerVersion': (string);
  /**
   * ≤ 64
   */
  'bootId': (string);
  /**
   * ≤ 64
   */
  'agentVersion': (string);
  /**
   * How process workloads are contained: "v2" or "v1" (a cgroup per workload: stop kills the whole
   * tree, usage covers the whole tree; "v1" when limits come from v1 hierarchies, as on a v1/v2
   * hybrid host, whose v2 tree tracks and kills), or "" (no writable cgroup: the tree is found from
   * /proc, nothing is limited).
   */
  'cgroupMode': (string);
  /**
   * The limits enforced on process workloads ("cpu", "memory", "pids"); docker ones always are.
   */
  'enforcedLimits': (string)[];
}
