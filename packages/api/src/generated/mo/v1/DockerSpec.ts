// Original file: proto/mo/v1/workload.proto

import type { DockerMount as _mo_v1_DockerMount, DockerMount__Output as _mo_v1_DockerMount__Output } from '../../mo/v1/DockerMount.js';
import type { Long } from '@grpc/proto-loader';

/**
 * A Docker sandbox. Safe by default: no network, read-only root with a small tmpfs at /tmp, all
 * capabilities dropped, no-new-privileges, memory (swap off), CPU and pids limits. Each relaxation
 * is explicit here and allowed only within the limits of the agent's configuration.
 */
export interface DockerSpec {
  /**
   * Image reference, e.g. "mo-sandbox:latest": present on the node, or pulled there.
   */
  'image'?: (string);
  /**
   * "none" (default: loopback only) or "bridge" (Docker's bridge network; needed for ports).
   */
  'network'?: (string);
  /**
   * Relaxation: a writable root filesystem (default read-only).
   */
  'writableRoot'?: (boolean);
  /**
   * Container TCP ports to publish, each on a host port from the agent's range (1-65535).
   */
  'ports'?: (number)[];
  'mounts'?: (_mo_v1_DockerMount)[];
  /**
   * Most processes the sandbox may hold; 0 = the agent's default, above the agent's maximum is refused.
   */
  'pidsLimit'?: (number | string | Long);
  /**
   * Relaxation: Linux capabilities given back after all are dropped ("NET_BIND_SERVICE"); each must be
   * in the agent's allow-list (--docker-allow-caps, empty by default).
   */
  'capAdd'?: (string)[];
  /**
   * Relaxation: let the workload gain privileges (setuid binaries): no-new-privileges is set otherwise.
   */
  'allowNewPrivileges'?: (boolean);
}

/**
 * A Docker sandbox. Safe by default: no network, read-only root with a small tmpfs at /tmp, all
 * capabilities dropped, no-new-privileges, memory (swap off), CPU and pids limits. Each relaxation
 * is explicit here and allowed only within the limits of the agent's configuration.
 */
export interface DockerSpec__Output {
  /**
   * Image reference, e.g. "mo-sandbox:latest": present on the node, or pulled there.
   */
  'image': (string);
  /**
   * "none" (default: loopback only) or "bridge" (Docker's bridge network; needed for ports).
   */
  'network': (string);
  /**
   * Relaxation: a writable root filesystem (default read-only).
   */
  'writableRoot': (boolean);
  /**
   * Container TCP ports to publish, each on a host port from the agent's range (1-65535).
   */
  'ports': (number)[];
  'mounts': (_mo_v1_DockerMount__Output)[];
  /**
   * Most processes the sandbox may hold; 0 = the agent's default, above the agent's maximum is refused.
   */
  'pidsLimit': (number);
  /**
   * Relaxation: Linux capabilities given back after all are dropped ("NET_BIND_SERVICE"); each must be
   * in the agent's allow-list (--docker-allow-caps, empty by default).
   */
  'capAdd': (string)[];
  /**
   * Relaxation: let the workload gain privileges (setuid binaries): no-new-privileges is set otherwise.
   */
  'allowNewPrivileges': (boolean);
}
