#!/usr/bin/env bash
# berth's whole test suite, as CI runs it (as root):
#   setup → tsc --noEmit → biome lint → unit tests (*.test.ts) → integration and compat tests (*.itest.ts, each
#   file in its own sandbox: netns + mount/pid namespaces + state dir) → leak check of the host.
# Exits non-zero when anything fails. Ends with node:test's totals and a plain "N passed, N failed" line.
#
#   bash scripts/test.sh                  everything
#   bash scripts/test.sh FILE...          only these test files (typecheck and lint still run)
# Environment: BERTH_TEST_CONCURRENCY (integration files run at once, default 2), BERTH_TEST_RUN_ID,
# BERTH_TEST_LOG_DIR (daemon logs of every sandbox, default /tmp/berth-logs/<run id>).
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if ! bash scripts/setup.sh; then
  echo "test: setup failed"
  echo "0 passed, 1 failed"
  exit 1
fi

NODE=$ROOT/node_modules/.bin/node
export BERTH_TEST_RUN_ID=${BERTH_TEST_RUN_ID:-$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')}
own_log_dir=0
if [ -z "${BERTH_TEST_LOG_DIR:-}" ]; then
  export BERTH_TEST_LOG_DIR=/tmp/berth-logs/$BERTH_TEST_RUN_ID
  own_log_dir=1
fi
mkdir -p "$BERTH_TEST_LOG_DIR"
work=$(mktemp -d /tmp/berth-suite-XXXXXX)
cleanup() {
  "$NODE" test/support/leak-check.ts clean --run "$BERTH_TEST_RUN_ID" | grep -v '^$' || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "test: run $BERTH_TEST_RUN_ID, daemon logs in $BERTH_TEST_LOG_DIR"

checks_pass=0
checks_fail=0
failed_steps=()
# run_step COUNTED NAME CMD…: runs a step; COUNTED=1 makes it count as one test in the totals (typecheck, lint,
# leak check), COUNTED=0 is for node:test runs, whose own tests are counted
run_step() {
  local counted=$1 name=$2
  shift 2
  echo
  echo "=== $name"
  local t0=$SECONDS
  if "$@"; then
    [ "$counted" -eq 1 ] && checks_pass=$((checks_pass + 1))
    echo "=== $name: ok ($((SECONDS - t0)) s)"
  else
    [ "$counted" -eq 1 ] && checks_fail=$((checks_fail + 1))
    failed_steps+=("$name")
    echo "=== $name: FAILED ($((SECONDS - t0)) s)"
  fi
}
check() { run_step 1 "$@"; }
phase() { run_step 0 "$@"; }

"$NODE" test/support/leak-check.ts snapshot --out "$work/baseline.json"

unit=()
itest=()
if [ "$#" -gt 0 ]; then
  for f in "$@"; do
    case "$f" in
      *.itest.ts) itest+=("$f") ;;
      *.test.ts) unit+=("$f") ;;
      *) echo "test: not a test file: $f" >&2; exit 2 ;;
    esac
  done
else
  mapfile -t unit < <(find src test -name '*.test.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
  mapfile -t itest < <(find src test -name '*.itest.ts' -not -path '*/node_modules/*' 2>/dev/null | sort)
fi

lint_dirs=()
for d in src test bench scripts; do [ -d "$d" ] && lint_dirs+=("$d"); done
check typecheck ./node_modules/.bin/tsc --noEmit -p .
check lint ./node_modules/.bin/biome lint --diagnostic-level=error "${lint_dirs[@]}"

tap_files=()
# node_tests TAP CONCURRENCY TIMEOUT_MS FILE... : node's test runner, spec on stdout, TAP into a file for the
# totals; the whole run is bounded (30 minutes) so a stuck file cannot hold the suite
node_tests() {
  local tap=$1 concurrency=$2 timeout_ms=$3
  shift 3
  tap_files+=("$tap")
  timeout --kill-after=30 1800 "$NODE" --test --test-concurrency="$concurrency" --test-timeout="$timeout_ms" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$@"
}

if [ "${#unit[@]}" -gt 0 ]; then
  phase "unit tests (${#unit[@]} files)" node_tests "$work/unit.tap" 2 120000 "${unit[@]}"
fi
if [ "${#itest[@]}" -gt 0 ]; then
  # each file makes its own sandbox (netns, mount and pid namespaces, state dir)
  phase "integration and compat tests (${#itest[@]} files)" node_tests "$work/itest.tap" "${BERTH_TEST_CONCURRENCY:-2}" 300000 "${itest[@]}"
fi

check "leak check" "$NODE" test/support/leak-check.ts check --baseline "$work/baseline.json"

# totals over all node:test runs, plus the checks above
sum() { cat "${tap_files[@]}" 2>/dev/null | awk -v k="$1" '$1 == "#" && $2 == k && NF == 3 { s += $3 } END { print s + 0 }'; }
tests=$(sum tests)
pass=$(sum pass)
fail=$(sum fail)
cancelled=$(sum cancelled)
skipped=$(sum skipped)
todo=$(sum todo)
failures=$((fail + cancelled + checks_fail))
# a node:test run that failed without a failing test (killed by the time limit, a file that did not load)
if [ "${#failed_steps[@]}" -gt 0 ] && [ "$failures" -eq 0 ]; then failures=1; fi
echo
if [ "${#failed_steps[@]}" -gt 0 ]; then
  echo "test: failed steps: ${failed_steps[*]}"
  echo "test: daemon logs of the test sandboxes are in $BERTH_TEST_LOG_DIR"
elif [ "$own_log_dir" -eq 1 ]; then
  rm -rf "$BERTH_TEST_LOG_DIR"
fi
echo "# tests $((tests + checks_pass + checks_fail))"
echo "# pass $((pass + checks_pass))"
echo "# fail $failures"
echo "# cancelled $cancelled"
echo "# skipped $skipped"
echo "# todo $todo"
echo "$((pass + checks_pass)) passed, $failures failed, $skipped skipped"
[ "${#failed_steps[@]}" -eq 0 ]
