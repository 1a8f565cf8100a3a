// grpc.health.v1 (grpc/grpc-proto health.proto, the one grpc-health-check ships) as a protobufjs
// JSON descriptor, so the health service (../health.ts) runs on the same codec as mo's own services.
//
//   message HealthCheckRequest { string service = 1; }
//   message HealthCheckResponse {
//     enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
//     ServingStatus status = 1;
//   }
//   message HealthListRequest {}
//   message HealthListResponse { map<string, HealthCheckResponse> statuses = 1; }

export const HEALTH_DESCRIPTOR = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: {
                    ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } },
                  },
                },
                HealthListRequest: { fields: {} },
                HealthListResponse: {
                  fields: { statuses: { keyType: 'string', type: 'HealthCheckResponse', id: 1 } },
                },
                Health: {
                  methods: {
                    Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' },
                    Watch: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      responseStream: true,
                    },
                    List: { requestType: 'HealthListRequest', responseType: 'HealthListResponse' },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};
