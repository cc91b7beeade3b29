#!/usr/bin/env bash
# Builds the Debian package (.deb: the window with a desktop entry and icons, and the command line
# beside it) with the Tauri CLI from the npm registry; no other download. Prints the package's path.
# `scripts/package.sh windows` builds the Windows release and its NSIS installer
# (scripts/package-windows.sh) into target/x86_64-pc-windows-gnu/release/bundle/nsis.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test >&2
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" CARGO_TERM_COLOR=never
command -v npx >/dev/null || { echo "Node.js (npx) is needed for the Tauri CLI: apt-get install nodejs npm" >&2; exit 1; }
if [ "${1:-}" = windows ]; then
  cargo build --locked --release --target x86_64-pc-windows-gnu -p bitbucket-setup -p bitbucket-setup-window >&2
  exec scripts/package-windows.sh target/x86_64-pc-windows-gnu/release/bitbucket-setup.exe \
    target/x86_64-pc-windows-gnu/release/bundle/nsis
fi
# The command line rides along as Tauri's "external binary" (window/tauri.cli.conf.json): built
# first, named with the target triple, installed beside the window as /usr/bin/bitbucket-setup.
cargo build --locked --release -p bitbucket-setup >&2
triple=$(rustc -vV | sed -n 's/^host: //p')
mkdir -p window/binaries
cp target/release/bitbucket-setup "window/binaries/bitbucket-setup-$triple"
(cd window && npx --yes @tauri-apps/cli@2 build --bundles deb --config tauri.cli.conf.json >&2)
ls -1 target/release/bundle/deb/*.deb | tail -n 1
