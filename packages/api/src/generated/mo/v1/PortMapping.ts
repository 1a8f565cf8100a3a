// Original file: proto/mo/v1/workload.proto


/**
 * A published port: what the agent mapped a container port to.
 */
export interface PortMapping {
  'containerPort'?: (number);
  'hostPort'?: (number);
  /**
   * The host address it listens on ("0.0.0.0" = every address).
   */
  'hostIp'?: (string);
}

/**
 * A published port: what the agent mapped a container port to.
 */
export interface PortMapping__Output {
  'containerPort': (number);
  'hostPort': (number);
  /**
   * The host address it listens on ("0.0.0.0" = every address).
   */
  'hostIp': (string);
}
