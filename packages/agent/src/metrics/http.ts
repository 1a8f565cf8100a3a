// The /metrics + /healthz server is shared with the scheduler; it lives in @mo/api.
export { parseAddress, startMetricsServer, type HealthStatus, type MetricsServer } from '@mo/api';
