// Original file: proto/mo/v1/pipeline.proto


export interface SubmitPipelineRequest {
  /**
   * The spec, YAML or JSON text (at most 256 KiB).
   */
  'spec'?: (string);
  /**
   * A retried submit with the same key returns the first pipeline.
   */
  'idempotencyKey'?: (string);
}

export interface SubmitPipelineRequest__Output {
  /**
   * The spec, YAML or JSON text (at most 256 KiB).
   */
  'spec': (string);
  /**
   * A retried submit with the same key returns the first pipeline.
   */
  'idempotencyKey': (string);
}
