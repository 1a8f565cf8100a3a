// Original file: proto/mo/v1/workload.proto


/**
 * A host directory or file bound into the sandbox. The source must lie under a root the agent allows.
 */
export interface DockerMount {
  /**
   * Absolute host path that exists.
   */
  'source'?: (string);
  /**
   * Absolute path in the container.
   */
  'target'?: (string);
  'readOnly'?: (boolean);
}

/**
 * A host directory or file bound into the sandbox. The source must lie under a root the agent allows.
 */
export interface DockerMount__Output {
  /**
   * Absolute host path that exists.
   */
  'source': (string);
  /**
   * Absolute path in the container.
   */
  'target': (string);
  'readOnly': (boolean);
}
