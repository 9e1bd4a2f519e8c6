#!/usr/bin/env bash
# Installs what berth needs to run, test and demo on Debian 12, as root. Idempotent and quick when nothing is
# missing: apt-get runs only for missing packages (one `apt-get update` first), `npm ci` only when node_modules
# does not match package-lock.json.
#
#   bash scripts/setup.sh            run-time and test dependencies, node_modules (Node 26 from the npm `node` package)
#   bash scripts/setup.sh --bench    also docker.io (a reference dockerd for benchmarks; never started here)
set -euo pipefail
cd "$(dirname "$0")/.."

with_bench=0
for arg in "$@"; do
  case "$arg" in
    --bench) with_bench=1 ;;
    -h | --help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "setup: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

log() { echo "setup: $*"; }

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo -E bash "$0" "$@"; fi
  echo "setup: needs root (apt-get, network namespaces)" >&2
  exit 1
fi

# Run time: the OCI runtimes and conmon, netfilter and iproute2 tools, zstd layers.
# Tests and demo: busybox-static (test images), skopeo and umoci (validate saved images), tini (pid 1 of the test
# sandbox), socat, util-linux (unshare, nsenter), bsdutils (script, for pty tests), procps, tar.
# Registries: docker-registry (a real registry on loopback for pull/push tests), apache2-utils (htpasswd), openssl
# (test CAs for TLS registries and the daemon's mutual TLS), pigz (parallel gzip for pushes; zlib is the fallback).
# Build: gcc and libc6-dev compile the daemon's native network helper (native/berth-net.c).
packages=(crun runc conmon nftables iproute2 zstd busybox-static skopeo umoci tini socat util-linux bsdutils procps tar ca-certificates docker-registry apache2-utils openssl pigz openssh-server openssh-client gcc libc6-dev)
command -v npm >/dev/null 2>&1 || packages+=(npm)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

apt_updated=0
apt_install() {
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  log "apt-get install $*"
  # no package may start a service while it installs (docker-registry, dockerd, containerd would start in the
  # root namespaces): a policy-rc.d that denies every start is in place during the install
  local created=0 rc=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# berth setup: no service starts while packages install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null || rc=$?
  if [ "$created" -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  return "$rc"
}

missing=()
for p in "${packages[@]}"; do installed "$p" || missing+=("$p"); done
if [ "${#missing[@]}" -gt 0 ]; then apt_install "${missing[@]}"; fi

# Pids of running programs with one of these executables (read from /proc; used only to find what an install
# started, and to stop exactly those pids).
pids_of_exe() {
  local p exe
  for p in /proc/[0-9]*; do
    exe=$(readlink "$p/exe" 2>/dev/null || true)
    for want in "$@"; do [ "$exe" = "$want" ] && echo "${p#/proc/}"; done
  done
  return 0
}

# docker.io brings dockerd and containerd. Installing it must not start them in the root namespaces: a
# policy-rc.d that denies every service start is in place during the install, and anything that started anyway is
# stopped by pid.
install_docker_io() {
  local created=0 before after pid
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\n# berth setup: no service starts while packages install\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    created=1
  fi
  before=$(pids_of_exe /usr/sbin/dockerd /usr/bin/dockerd /usr/bin/containerd | sort)
  apt_install docker.io || { [ "$created" -eq 1 ] && rm -f /usr/sbin/policy-rc.d; return 1; }
  if [ "$created" -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  after=$(pids_of_exe /usr/sbin/dockerd /usr/bin/dockerd /usr/bin/containerd | sort)
  for pid in $(comm -13 <(echo "$before") <(echo "$after")); do
    log "docker.io install started pid $pid ($(cat /proc/"$pid"/comm 2>/dev/null)); stopping it"
    kill "$pid" 2>/dev/null || true
  done
}

# The stock docker CLI is the conformance client. This kind of machine has it at /usr/local/bin/docker; elsewhere
# Debian has it only inside docker.io.
if [ ! -x /usr/local/bin/docker ] && ! command -v docker >/dev/null 2>&1; then install_docker_io; fi
if [ "$with_bench" -eq 1 ] && ! installed docker.io; then install_docker_io; fi
# benchmark load tools: hyperfine (CLI), dnsperf (embedded DNS), wrk (published ports), iperf3 (bridge throughput)
if [ "$with_bench" -eq 1 ]; then
  bench_missing=()
  for p in hyperfine dnsperf wrk iperf3; do installed "$p" || bench_missing+=("$p"); done
  if [ "${#bench_missing[@]}" -gt 0 ]; then apt_install "${bench_missing[@]}"; fi
fi

# node_modules, with Node 26 from the npm `node` package at node_modules/.bin/node. `npm ci` runs only when
# what is installed (npm's node_modules/.package-lock.json) differs from package-lock.json, or the lock file
# does not match package.json.
deps_current() {
  [ -x node_modules/.bin/node ] && [ -f node_modules/.package-lock.json ] || return 1
  node_modules/.bin/node --version 2>/dev/null | grep -q '^v26\.' || return 1
  node_modules/.bin/node -e '
    const fs = require("node:fs");
    const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
    const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
    const have = JSON.parse(fs.readFileSync("node_modules/.package-lock.json", "utf8")).packages;
    const norm = (o) => JSON.stringify(Object.entries(o ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)));
    const same = (a, b) => norm(a) === norm(b);
    let ok = same(pkg.dependencies, lock[""].dependencies) && same(pkg.devDependencies, lock[""].devDependencies);
    for (const [k, v] of Object.entries(have)) if (!lock[k] || lock[k].version !== v.version) ok = false;
    for (const [k, v] of Object.entries(lock)) if (k !== "" && !have[k] && !v.optional) ok = false;
    process.exit(ok ? 0 : 1);
  '
}
if ! deps_current; then
  log "npm ci"
  # npm ci refuses a lock file that lacks optional platform packages the registry does not serve (node-unix-socket's
  # darwin/arm builds are missing from the registry mirror here, so no lock file can list them); npm install then
  # installs exactly the locked versions all the same
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/tmp/berth-npm-ci.log; then
    if grep -q 'EUSAGE' /tmp/berth-npm-ci.log; then
      log "npm ci refused the lock file (optional packages the registry lacks); npm install with the lock file"
      npm install --no-audit --no-fund --loglevel=error
    else
      cat /tmp/berth-npm-ci.log >&2
      exit 1
    fi
  fi
  rm -f /tmp/berth-npm-ci.log
  deps_current || { echo "setup: node_modules does not match package-lock.json after npm ci" >&2; exit 1; }
fi

# the daemon's native network helper (embedded DNS fast path, binding inside containers' namespaces; the daemon
# falls back to Node without it, but slower, so a failed build fails the setup)
node_modules/.bin/node scripts/build-native.ts || { echo "setup: building dist/native/berth-net.node failed" >&2; exit 1; }

# the bundles of the daemon and the CLI (less memory, faster start; the launchers fall back to the sources when
# a bundle is older than any of its inputs)
node_modules/.bin/node scripts/build-daemon.ts || { echo "setup: building dist/berthd.mjs failed" >&2; exit 1; }
if [ -f scripts/build-cli.ts ]; then
  node_modules/.bin/node scripts/build-cli.ts || { echo "setup: building dist/berth.cjs failed" >&2; exit 1; }
fi

log "ok ($(node_modules/.bin/node --version), $(crun --version | head -1), $(runc --version | head -1), conmon $(conmon --version | head -1 | awk '{print $3}'))"
