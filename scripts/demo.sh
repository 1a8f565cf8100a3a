#!/usr/bin/env bash
# The main job on the embedded default: build mo, start a dev cluster on this machine (`mo dev`:
# one scheduler + 2 agents, fresh data dir, ports picked by the OS unless MO_DEMO_PORT_BASE is
# set), drive it with the mo CLI — a short workload that prints, a long one, one that fails, one too
# big for any node (pending, with the reason) — show status, nodes and logs, then stop everything.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT_BASE=${MO_DEMO_PORT_BASE:-0}

./scripts/setup.sh
echo "building mo (mo-shim + TypeScript)..."
pnpm build >/dev/null

DATA=$(mktemp -d /tmp/mo-demo.XXXXXX)
# Passable by others: run as root, the agents run workloads as nobody, which must reach its dirs.
chmod 711 "$DATA"
DEV_PID=
export MO_SCHEDULER_ADDR= MO_TOKEN=
mo() { node packages/cli/bin/mo.cjs "$@"; }
step() { printf '\n\033[1m$ mo %s\033[0m\n' "$*"; mo "$@"; }
json() { node -e "const d = JSON.parse(require('fs').readFileSync(0, 'utf8')); console.log($1)"; }

cleanup() {
  # mo dev stops the workloads it still has, then the agents and the scheduler, on SIGINT.
  if [ -n "$DEV_PID" ] && kill -0 "$DEV_PID" 2>/dev/null; then
    kill -INT "$DEV_PID" 2>/dev/null || true
    wait "$DEV_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "starting the dev cluster (mo dev --agents 2), data in $DATA, logs in $DATA/dev.log"
# --json: one line on stdout once every agent is registered, with the addresses it picked.
# Started directly (not through the mo function) so that $! is mo dev itself, which Ctrl-C/SIGINT stops.
node packages/cli/bin/mo.cjs dev --agents 2 --data-dir "$DATA/cluster" --port-base "$PORT_BASE" --json \
  >"$DATA/ready.json" 2>"$DATA/dev.log" &
DEV_PID=$!
for _ in $(seq 1 300); do
  if [ -s "$DATA/ready.json" ]; then break; fi
  if ! kill -0 "$DEV_PID" 2>/dev/null; then break; fi
  sleep 0.1
done
if [ ! -s "$DATA/ready.json" ]; then
  echo "the dev cluster did not start; its log:" >&2
  cat "$DATA/dev.log" >&2
  exit 1
fi
MO_SCHEDULER_ADDR=$(json 'd.scheduler.grpcAddress' <"$DATA/ready.json")
# TLS is on: mo dev made a CA and certificates in its data dir; these point mo at them (the same
# lines mo dev prints without --json).
export MO_CA_CERT MO_CLIENT_CERT MO_CLIENT_KEY
MO_CA_CERT=$(json 'd.tls.caCert' <"$DATA/ready.json")
MO_CLIENT_CERT=$(json 'd.tls.clientCert' <"$DATA/ready.json")
MO_CLIENT_KEY=$(json 'd.tls.clientKey' <"$DATA/ready.json")
echo "scheduler at $MO_SCHEDULER_ADDR; agents: $(json 'd.agents.map((a) => a.name).join(", ")' <"$DATA/ready.json")"

step nodes

# A short workload that prints; --wait=exit returns once it has ended (exit 0: it succeeded).
step start --name hello --wait=exit -- sh -c 'echo "hello from $MO_WORKLOAD_NAME on $MO_NODE_NAME"; echo done'
HELLO=$(mo status --json | json 'd.recent.find((w) => w.spec.name === "hello").id')

# A long one with declared resources: --wait returns once it runs.
TICKER=$(mo start --json --wait --name ticker --cpu 250m --memory 32Mi --grace 2s -- \
  sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done' | json 'd.workload.id')
echo "ticker: $TICKER"

# One that fails: --wait=exit exits 4 when the workload does not succeed.
set +e
step start --name oops --wait=exit -- sh -c 'echo "about to fail" >&2; exit 3'
code=$?
set -e
echo "(mo start exited $code: 4 means the workload failed)"
OOPS=$(mo status --json | json 'd.recent.find((w) => w.spec.name === "oops").id')

# One too big for any node: it waits in the queue, pending, and says why.
step start --name huge --memory 1Ti -- sleep 1
HUGE=$(mo status --json | json 'd.recent.find((w) => w.spec.name === "huge").id')

step status
step nodes
step logs "$HELLO"
step logs "$OOPS"
sleep 1
step logs "$TICKER" --tail 3
step status "$TICKER"

# A pipeline (deploy/examples/diamond.yaml): parse, then generate and lint in parallel, then
# package. --wait prints each event and exits with the pipeline's result.
step pipeline run deploy/examples/diamond.yaml --wait
PIPELINE=$(mo pipeline list --json | json 'd.pipelines[0].id')
step pipeline logs "$PIPELINE" generate

step stop "$TICKER"
step stop "$HUGE"
step status --recent 5

echo
echo "--- stopping the dev cluster (SIGINT, as Ctrl-C would)"
kill -INT "$DEV_PID"
code=0
wait "$DEV_PID" || code=$?
DEV_PID=
tail -n 4 "$DATA/dev.log"
if [ "$code" -ne 0 ]; then
  echo "mo dev exited $code" >&2
  exit 1
fi
echo
echo "demo finished: the cluster is stopped and its data dir removed."
