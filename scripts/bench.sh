#!/usr/bin/env bash
# Measures what the README claims and writes docs/benchmarks.md:
#  - validation time against the fake Bitbucket with 100/200/300 ms latency, as a ratio to one
#    request, and requests per validation;
#  - cold start to the first step, memory (PSS of the app and its WebKit processes) and binary
#    size of the release build, against a hello-world Tauri app built with the same profile;
#  - the command line's hot paths (`git credential fill` through the helper, `token`) against
#    `secret-tool lookup`, the same keychain read by a small C program, with peak memory.
# Needs no display and no keyring: it starts Xvfb, a private D-Bus session and gnome-keyring
# itself, with a throwaway HOME.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" CARGO_TERM_COLOR=never NO_AT_BRIDGE=1
mkdir -p target/bench
cargo build --locked --release -p bitbucket-setup --bin bitbucket-setup
cargo build --locked --release -p bitbucket-setup-window
cargo build --locked --release -p hello-tauri
cargo build --locked --release -p bitbucket-setup-bench
cargo run --locked --release -p bitbucket-setup-bench --bin bench-validate -- --output target/bench/validate.md
# A D-Bus session of its own: without one GTK starts a bus through X11 on every run.
xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- \
  target/release/bench-startup \
    --app target/release/bitbucket-setup-window --hello target/release/hello-tauri --runs 10 \
    --output target/bench/startup.md

# The command line against secret-tool: a throwaway HOME and a private session bus whose
# Secret Service is gnome-keyring, unlocked with a throwaway password (as scripts/test.sh).
scratch=$(mktemp -d /tmp/bitbucket-setup-bench.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
. scripts/lib/keyring.sh
keyring_bus_config "$scratch/dbus"
(
  export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" \
    XDG_DATA_HOME="$scratch/home/.local/share" XDG_CACHE_HOME="$scratch/home/.cache" \
    XDG_RUNTIME_DIR="$scratch/run"
  mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
  mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
  export NO_PROXY="127.0.0.1,localhost,::1" no_proxy="127.0.0.1,localhost,::1"
  keyring_session "$scratch/dbus" target/release/bench-cli --app target/release/bitbucket-setup --runs 20 --output target/bench/cli.md
)
{
  echo "# Benchmarks"
  echo
  echo "Made by \`scripts/bench.sh\` on $(nproc) cores ($(uname -m), $(date -u +%Y-%m-%d)). Release builds with the"
  echo "size-tuned profile (opt-level s, LTO, one codegen unit, stripped). The assistant starts WebKitGTK on"
  echo "its legacy renderer (window/src/renderer.rs); the targets are read with both apps on that renderer,"
  echo "and the rows marked \"for reference\" show both on WebKit's DMA-BUF renderer."
  echo
  echo "## Validation"
  echo
  tail -n +2 target/bench/validate.md | sed '/^# /d'
  echo
  echo "## Start-up, memory, size"
  echo
  cat target/bench/startup.md
  echo
  echo "## Command line: git's helper and \`token\` against secret-tool"
  echo
  cat target/bench/cli.md
} > docs/benchmarks.md
cat docs/benchmarks.md
