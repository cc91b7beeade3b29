#!/usr/bin/env bash
# The live contract suite: records what Bitbucket answers to the app's probes with your tokens,
# writes a redacted transcript (no token, email, account id or workspace/repository names),
# prints which UNCONFIRMED point each answer settles, and checks the app's verdicts against a
# replay of it. Only GET requests are sent.
#
#   BITBUCKET_LIVE_WORKSPACE=acme BITBUCKET_LIVE_REPOSITORY=website \
#   BITBUCKET_LIVE_REPOSITORY_TOKEN=... scripts/live-check.sh [--out FILE]
#
#   scripts/live-check.sh --fake [WORLD] [--out FILE]
#     the same against the fake Bitbucket (a separate process, as if it were Bitbucket),
#     in WORLD (default, strictest, or key=value switches; see docs/bitbucket-behaviour.md).
#
# Every variable it reads: see docs/bitbucket-behaviour.md ("Recording the real Bitbucket").
# Tokens go in environment variables, never in arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

fake_world=""
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --fake)
      fake_world="default"
      if [ $# -gt 1 ] && [ "${2#--}" = "$2" ]; then fake_world="$2"; shift; fi
      ;;
    --out) out="$2"; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "live-check: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
  shift
done
out="${out:-target/live/transcript.json}"
mkdir -p "$(dirname "$out")"
out="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"

# The whole workspace's selection (less hello-tauri), as scripts/test.sh builds it: the same
# features for every dependency, so after the test command's build nothing is compiled again (with
# `-p fake-bitbucket`, and the root package alone for `--test live`, cargo resolved other
# features and compiled much of the tree twice more: 150 s of a cold test run).
workspace=(--workspace --exclude hello-tauri)
cargo build --locked --quiet "${workspace[@]}" --bin fake-bitbucket --test live

if [ -n "$fake_world" ]; then
  tmp=$(mktemp -d)
  fake_pid=""
  trap '[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
  "${CARGO_TARGET_DIR:-target}/debug/fake-bitbucket" --quiet --live-env --behaviour "$fake_world" </dev/null >"$tmp/env" 2>"$tmp/log" &
  fake_pid=$!
  for _ in $(seq 1 100); do
    grep -q '^BITBUCKET_LIVE_EMAIL=' "$tmp/env" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '^BITBUCKET_LIVE_EMAIL=' "$tmp/env" || { echo "live-check: the fake did not start:" >&2; cat "$tmp/log" >&2; exit 1; }
  # `export` is a shell builtin: the (fake) tokens never become a process argument.
  while IFS='=' read -r key value; do
    case "$key" in BITBUCKET_LIVE_*) export "$key=$value" ;; esac
  done <"$tmp/env"
  echo "live-check: against the fake Bitbucket at $BITBUCKET_LIVE_API_URL, world: $fake_world"
elif [ -z "${BITBUCKET_LIVE_REPOSITORY_TOKEN:-}${BITBUCKET_LIVE_PROJECT_TOKEN:-}${BITBUCKET_LIVE_WORKSPACE_TOKEN:-}${BITBUCKET_LIVE_API_TOKEN:-}${BITBUCKET_LIVE_UNSCOPED_API_TOKEN:-}" ]; then
  echo "live-check: no BITBUCKET_LIVE_* token is set. See docs/bitbucket-behaviour.md, or use --fake." >&2
  exit 64
fi

export BITBUCKET_LIVE_TRANSCRIPT="$out"
cargo test --locked --quiet "${workspace[@]}" --test live -- --ignored --exact live_contract --nocapture
echo "live-check: transcript written to $out"
