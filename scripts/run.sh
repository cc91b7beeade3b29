#!/usr/bin/env bash
# Builds and opens Bitbucket Setup Assistant (installs what it needs first).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh run
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
exec cargo run --locked --bin bitbucket-setup -- "$@"
