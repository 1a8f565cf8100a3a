#!/usr/bin/env bash
# Runs every check of mo: install, build (mo-shim + tsc -b), lint/format/generated-types, then
# every jest test (unit tests beside the code, integration tests with real processes over real
# gRPC). Ends with the plain line "N passed, N failed" (build and lint count as one check each).
set -uo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
check() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else echo "FAILED: $name"; failed=$((failed + 1)); fi
}

check build pnpm build
if [ "$failed" -gt 0 ]; then echo "$passed passed, $failed failed"; exit 1; fi
check lint pnpm lint

results=$(mktemp)
echo "== jest"
NODE_OPTIONS="--experimental-vm-modules --disable-warning=ExperimentalWarning" \
  pnpm exec jest --ci --json --outputFile="$results" "$@"
jest_status=$?

read -r jp jf <<<"$(node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  // A suite that failed to run at all has no test results: count it as a failure.
  const broken = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
  console.log(r.numPassedTests, r.numFailedTests + broken);
' "$results" 2>/dev/null || echo "0 1")"
rm -f "$results"
passed=$((passed + jp))
failed=$((failed + jf))
if [ "$jest_status" -ne 0 ] && [ "$jf" -eq 0 ]; then failed=$((failed + 1)); fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
