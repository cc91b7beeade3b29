#!/usr/bin/env bash
# Builds and opens Bitbucket Setup Assistant (installs what it needs first): the command line and
# the window program beside it; `bitbucket-setup` with no arguments opens the window.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh run
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
cargo build --locked -p bitbucket-setup -p bitbucket-setup-window
exec target/debug/bitbucket-setup "$@"
