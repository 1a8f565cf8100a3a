// Original file: proto/mo/v1/workload.proto


/**
 * A named host port of a workload.
 */
export interface PortSpec {
  /**
   * [a-z][a-z0-9_]{0,31}, unique in the workload; upper-cased in the environment variables.
   */
  'name'?: (string);
  /**
   * docker: the container port it maps to (1-65535, required). A process: 0 (it listens on
   * $MO_PORT_<NAME>).
   */
  'to'?: (number);
}

/**
 * A named host port of a workload.
 */
export interface PortSpec__Output {
  /**
   * [a-z][a-z0-9_]{0,31}, unique in the workload; upper-cased in the environment variables.
   */
  'name': (string);
  /**
   * docker: the container port it maps to (1-65535, required). A process: 0 (it listens on
   * $MO_PORT_<NAME>).
   */
  'to': (number);
}
