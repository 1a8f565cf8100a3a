// The dashboard's one error class, apart from api.ts so that code without the DOM (log-follow.ts,
// and the Node tests that import it) can tell an error answer from a broken connection.

/** Thrown when the API answers with an error status; code is the gRPC-style code name. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
