#!/usr/bin/env bash
# berth's demo: installs what it needs (scripts/setup.sh), then runs berthd in a throwaway network + mount
# namespace, imports a busybox image, runs a web server with a published port and a bind mount, fetches the page,
# shows ps / port / logs / inspect and removes everything again — also when interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export BERTH_TEST_RUN_ID="demo$(od -An -tx1 -N3 /dev/urandom | tr -d ' \n')"
# the demo tears down after itself; this catches what a crash might leave (by the run's own names and pids)
trap 'node_modules/.bin/node test/support/leak-check.ts clean --run "$BERTH_TEST_RUN_ID" >/dev/null 2>&1 || true' EXIT
node_modules/.bin/node scripts/demo.ts "$@"
