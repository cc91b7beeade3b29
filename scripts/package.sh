#!/usr/bin/env bash
# Builds the Debian package (.deb, with a desktop entry and icons) with the Tauri CLI from the
# npm registry; no other download. Prints the package's path.
# `scripts/package.sh windows` builds the Windows release and its NSIS installer
# (scripts/package-windows.sh) into target/x86_64-pc-windows-gnu/release/bundle/nsis.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test >&2
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" CARGO_TERM_COLOR=never
command -v npx >/dev/null || { echo "Node.js (npx) is needed for the Tauri CLI: apt-get install nodejs npm" >&2; exit 1; }
if [ "${1:-}" = windows ]; then
  cargo build --locked --release --target x86_64-pc-windows-gnu --bin bitbucket-setup >&2
  exec scripts/package-windows.sh target/x86_64-pc-windows-gnu/release/bitbucket-setup.exe \
    target/x86_64-pc-windows-gnu/release/bundle/nsis
fi
npx --yes @tauri-apps/cli@2 build --bundles deb >&2
ls -1 target/release/bundle/deb/*.deb | tail -n 1
