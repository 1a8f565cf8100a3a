// Job files the spec tests share: a docker service with ports and an http check, and a process
// service with all three check kinds.

export const DOCKER_WEB = `
name: web
count: 3
driver: docker
image: python:3.12-slim
network: bridge
command: [python, -m, http.server, "8080"]
env: { GREETING: hi, PORT: 8080 }
resources: { cpu: 250m, memory: 64Mi }
labels: { team: a }
ports:
  - { name: http, to: 8080 }
  - { name: admin, to: 9090 }
checks:
  - { type: http, port: http, path: /healthz, interval: 2s }
update: { max_parallel: 2, min_healthy_time: 5s, healthy_deadline: 2m, auto_revert: true }
lost_after: 1m
`;

export const PROCESS_API = `
name: api
command: [python3, -m, http.server]
ports: [{ name: http }]
checks:
  - { name: ready, type: http, port: http, expect_status: 200 }
  - { type: tcp, port: http }
  - { type: exec, command: [test, -f, /tmp/ok], failure_threshold: 5, restart_after: 10, initial_delay: 3s }
`;
