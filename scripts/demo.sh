#!/usr/bin/env bash
# The main job on an embedded default: build mo, start a node agent on this machine (fresh data
# dir, default ports), drive it with the mo CLI — start workloads, watch status, follow logs, crash
# and restart the agent to show the workloads survive — then stop everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

GRPC=${MO_DEMO_GRPC:-127.0.0.1:7610}
HTTP=${MO_DEMO_HTTP:-127.0.0.1:7611}

./scripts/setup.sh
echo "building mo (mo-shim + TypeScript)..."
pnpm build >/dev/null

DATA=$(mktemp -d /tmp/mo-demo.XXXXXX)
AGENT_PID=
mo() { node packages/cli/bin/mo.js --agent "$GRPC" "$@"; }
step() { printf '\n\033[1m$ mo %s\033[0m\n' "$*"; mo "$@"; }
start_agent() {
  node packages/agent/bin/mo-agent.js --data-dir "$DATA" --grpc-listen "$GRPC" --http-listen "$HTTP" \
    2>>"$DATA/agent.log" &
  AGENT_PID=$!
  for _ in $(seq 1 100); do
    if mo status >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$AGENT_PID" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "the agent did not start; its log:" >&2
  cat "$DATA/agent.log" >&2
  exit 1
}
cleanup() {
  # Stop every workload still running, then the agent; keep the data dir only on failure.
  if [ -n "$AGENT_PID" ] && kill -0 "$AGENT_PID" 2>/dev/null; then
    for id in $(mo status --json 2>/dev/null | node -e '
      const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
      for (const w of s.workloads) if (w.state === "WORKLOAD_STATE_RUNNING") console.log(w.spec.id);'); do
      mo stop "$id" --grace 1s >/dev/null || true
    done
    kill -TERM "$AGENT_PID" 2>/dev/null || true
    wait "$AGENT_PID" 2>/dev/null || true
  fi
  rm -rf "$DATA"
}
trap cleanup EXIT

echo "starting mo-agent on $GRPC (metrics on http://$HTTP/metrics), data in $DATA"
start_agent

step start --name hello -- sh -c 'echo "hello from $MO_WORKLOAD_NAME on $MO_NODE_NAME"; sleep 1; echo done'
WEB=$(mo start --json --name web --label tier=demo -- python3 -m http.server 0 --bind 127.0.0.1 |
  node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).spec.id)')
echo "started web: $WEB"
step start --name ticker --grace 2s -- sh -c 'i=0; while true; do i=$((i+1)); echo "tick $i"; sleep 0.3; done'
TICKER=$(mo status --json | node -e '
  const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(s.workloads.find((w) => w.spec.name === "ticker").spec.id)')
HELLO=$(mo status --json | node -e '
  const s = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(s.workloads.find((w) => w.spec.name === "hello").spec.id)')

step logs "$HELLO" --follow
step status

echo
echo "--- crash the agent (SIGKILL) and start it again: workloads keep running and are re-attached"
kill -KILL "$AGENT_PID"
wait "$AGENT_PID" 2>/dev/null || true
sleep 1
start_agent
step status "$TICKER"
step logs "$TICKER" --tail 3

step stop "$TICKER"
step stop "$WEB" --grace 1s
step status
echo
echo "demo finished: the agent is stopped and its data dir removed."
