// Original file: proto/mo/v1/workload.proto


/**
 * A published port: what the agent mapped a container port to.
 */
export interface PortMapping {
  /**
   * 0 for a process's named port.
   */
  'containerPort'?: (number);
  'hostPort'?: (number);
  /**
   * The host address it listens on ("0.0.0.0" = every address).
   */
  'hostIp'?: (string);
  /**
   * The named port (spec.ports) it was allocated for; empty for docker.ports.
   */
  'name'?: (string);
}

/**
 * A published port: what the agent mapped a container port to.
 */
export interface PortMapping__Output {
  /**
   * 0 for a process's named port.
   */
  'containerPort': (number);
  'hostPort': (number);
  /**
   * The host address it listens on ("0.0.0.0" = every address).
   */
  'hostIp': (string);
  /**
   * The named port (spec.ports) it was allocated for; empty for docker.ports.
   */
  'name': (string);
}
