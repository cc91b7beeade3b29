#!/usr/bin/env bash
# Runs every test: unit, integration (fake Bitbucket over HTTP), keychain (a real Secret
# Service) and the window tests (real WebKit under Xvfb). Starts its own Xvfb display, D-Bus
# session and unlocked gnome-keyring with a throwaway HOME, so it needs no display or keyring
# and never touches yours. Installs missing system packages first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
export CARGO_TERM_COLOR=never
# Every run here starts from a clean clone in CI: incremental compilation would only write caches
# no later run reads (it applies to the workspace's own crates; a local re-run after an edit
# recompiles those whole, in seconds).
export CARGO_INCREMENTAL=0
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"

# The real tools that read the exports (tests/consumers.rs): python-dotenv, requests, PyYAML,
# Node 24, Node's dotenv and n8n, cached in target/consumers (about 5 minutes the first time,
# nothing after that). Mostly downloading, so it runs beside the builds below; the tests wait
# for it.
mkdir -p target
scripts/consumers-setup.sh target/consumers > target/consumers-setup.log 2>&1 &
consumers=$!

scratch=$(mktemp -d /tmp/bitbucket-setup-test.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_CONFIG_HOME="$scratch/home/.config" \
  XDG_DATA_HOME="$scratch/home/.local/share" XDG_CACHE_HOME="$scratch/home/.cache" \
  XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME"
mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
export NO_AT_BRIDGE=1
# Tests talk to a fake Bitbucket on 127.0.0.1; keep any proxy away from it.
export NO_PROXY="127.0.0.1,localhost,::1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1,localhost,::1${no_proxy:+,$no_proxy}"

# 1. One debug build of everything the Linux tests run (the fuzz targets too, as seed replayers),
# on both cores: the tests wait for it.
cargo build --locked --workspace --exclude hello-tauri --all-targets

# What needs cargo itself runs now, before the Windows and macOS builds below take cargo's lock
# on target/ for the rest of the run: the list of test programs, the one doc test, and the live
# contract suite against the fake as a separate process, as if it were Bitbucket (its transcript
# must hold no secret, and its replay must give verdicts that hold).
cargo test --locked --workspace --exclude hello-tauri --no-run --message-format=json-render-diagnostics \
  > target/test-programs.json
cargo test --locked --workspace --exclude hello-tauri --doc
scripts/live-check.sh --fake strictest --out "$scratch/live-transcript.json"

# 2. The Windows and macOS builds, compiled and linted with every platform-only path (Credential
# Manager, Windows Error Reporting; the login keychain), and the Windows one linked for the tests
# that run it under Wine and pack its installer. In the same target folder as the Linux build,
# whose host build scripts and proc-macros they reuse, beside the Linux tests (which mostly wait
# on WebKit, git and the fake). The macOS lint is niced: nothing waits for it. The Windows build
# is not: the Wine tests wait for it, and niced it finished 80 s later and the whole run 170 s
# later (the two cores are busy from start to end either way).
cross_log="$PWD/target/cross-builds.log"
windows_built="$PWD/target/cross-windows-built"
rm -f "$windows_built"
(
  set -e
  started=$(date +%s)
  # The Windows programs, linted while they compile: clippy-driver as the compiler of the
  # workspace's own crates (what `cargo clippy` sets, for `cargo check`), so the dependencies
  # are compiled once instead of once checked and once built (measured: 180 s against 312 s).
  RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
    cargo build --locked --target x86_64-pc-windows-gnu -p bitbucket-setup -p bitbucket-setup-window
  echo "Windows build and lint: $(( $(date +%s) - started )) s"
  touch "$windows_built"
  nice -n 10 scripts/macos-check.sh
) > "$cross_log" 2>&1 &
cross=$!
cross_built() {
  if ! wait "$cross"; then
    cat "$cross_log" >&2
    echo "The Windows build or the macOS lint failed (above)." >&2
    exit 1
  fi
  grep -E '^(Windows|macOS) ' "$cross_log" || true
}

if ! wait "$consumers"; then
  cat target/consumers-setup.log >&2
  echo "Could not install the tools that read the exports (above)." >&2
  exit 1
fi

# The release workflow is valid GitHub Actions (actionlint, and the workflow JSON schema).
scripts/lint-workflows.sh

if [ $# -gt 0 ]; then
  # Arguments choose the tests: one `cargo test`, once the Windows build is there.
  cross_built
  . scripts/lib/keyring.sh
  keyring_bus_config "$scratch/dbus"
  xvfb-run -a -s "-screen 0 1280x900x24" bash -c '. scripts/lib/keyring.sh; keyring_session "$@"' in-session "$scratch/dbus" \
    cargo test --locked --workspace --exclude hello-tauri --no-fail-fast "$@"
  exit
fi

# 3. Every test program, three at a time, each in a display, D-Bus session, keyring and HOME of
# its own (scripts/lib/run_tests.py); the wizard's window tests, the longest, as two programs;
# the tests of the Windows build under Wine (named on_windows_…) as soon as it is there.
failed=0
python3 scripts/lib/run_tests.py --lanes 3 --split e2e_wizard=2 --gate "$windows_built" "$cross" \
  --gated-prefix on_windows_ --gated-binary windows_wine --gated-binary package \
  --durations target/test-durations.json target/test-programs.json || failed=1
cross_built
exit "$failed"
