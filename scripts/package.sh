#!/usr/bin/env bash
# Builds the Debian package (.deb, with a desktop entry and icons) with the Tauri CLI from the
# npm registry; no other download. Prints the package's path.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test >&2
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" CARGO_TERM_COLOR=never
command -v npx >/dev/null || { echo "Node.js (npx) is needed for the Tauri CLI: apt-get install nodejs npm" >&2; exit 1; }
npx --yes @tauri-apps/cli@2 build --bundles deb >&2
ls -1 target/release/bundle/deb/*.deb | tail -n 1
