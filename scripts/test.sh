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

# The Windows and macOS builds, compiled and linted with every platform-only path (Credential
# Manager, Windows Error Reporting; the login keychain), and the Windows one linked for the tests
# that run it under Wine and pack its installer: in a target folder of their own (target/cross),
# so they build beside the Linux build and tests (those mostly wait on WebKit, git and the fake),
# and nice, so the Linux build and the tests keep the upper hand. The tests that need the
# Windows programs (named on_windows_…) run once they are there. About 5 minutes of CPU the first
# time, seconds after.
cross_log="$PWD/target/cross-builds.log"
windows_built="$PWD/target/cross-windows-built"
rm -f "$windows_built"
(
  set -e
  export CARGO_TARGET_DIR="$PWD/target/cross"
  started=$(date +%s)
  # The Windows programs, linted while they compile: clippy-driver as the compiler of the
  # workspace's own crates (what `cargo clippy` sets, for `cargo check`), so the dependencies
  # are compiled once instead of once checked and once built (measured: 180 s against 312 s).
  # First the programs, which the Wine tests wait for; then the unit tests of the crates with
  # Windows-only paths (the keychain, file replacement), linted the same way. The command line's integration tests drive the
  # programs from Linux; linting them for another system would build their dev-dependencies
  # (the fake Bitbucket, WebDriver) for it too.
  lint_while_building() {
    RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)" CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__" \
      nice -n 10 cargo build --locked --target x86_64-pc-windows-gnu "$@"
  }
  lint_while_building -p bitbucket-setup -p bitbucket-setup-window
  echo "Windows build and lint: $(( $(date +%s) - started )) s"
  touch "$windows_built"
  started=$(date +%s)
  lint_while_building -p bitbucket-cloud -p bitbucket-setup-core --lib --tests
  echo "Windows lint of the unit tests: $(( $(date +%s) - started )) s"
  nice -n 10 scripts/macos-check.sh
  # The fuzz targets (a workspace of their own, run by cargo-fuzz on a nightly Rust, so not here)
  # are compiled, so they keep up with the crates they link.
  started=$(date +%s)
  nice -n 10 cargo check --locked --manifest-path fuzz/Cargo.toml --bins --no-default-features
  echo "Fuzz targets compiled: $(( $(date +%s) - started )) s"
) > "$cross_log" 2>&1 &
cross=$!

# One debug build of everything the tests use (the niced cross builds take what it leaves).
cargo build --locked --workspace --exclude hello-tauri --all-targets

if ! wait "$consumers"; then
  cat target/consumers-setup.log >&2
  echo "Could not install the tools that read the exports (above)." >&2
  exit 1
fi

# The release workflow is valid GitHub Actions (actionlint, and the workflow JSON schema).
scripts/lint-workflows.sh

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

# The private session bus and its gnome-keyring (scripts/lib/keyring.sh).
. scripts/lib/keyring.sh
keyring_bus_config "$scratch/dbus"

# The live contract suite against the fake as a separate process, as if it were Bitbucket: its
# transcript must hold no secret, and its replay must give verdicts that hold.
scripts/live-check.sh --fake strictest --out "$scratch/live-transcript.json"

# xvfb-run gives a display; dbus-run-session a private session bus; gnome-keyring the
# Secret Service on it, unlocked with a throwaway password. Each phase gets its own.
in_session() {
  xvfb-run -a -s "-screen 0 1280x900x24" bash -c '. scripts/lib/keyring.sh; keyring_session "$@"' in-session "$scratch/dbus" "$@"
}
cross_built() {
  if ! wait "$cross"; then
    cat "$cross_log" >&2
    echo "The Windows or macOS lint or build, or the fuzz targets' check, failed (above)." >&2
    exit 1
  fi
  grep -E '^(Windows|macOS|Fuzz) ' "$cross_log" || true
}
# The Windows programs are there (the lints may still run), or the job stopped without them.
windows_programs_built() {
  while [ ! -e "$windows_built" ] && kill -0 "$cross" 2>/dev/null; do
    sleep 2
  done
  [ -e "$windows_built" ] || cross_built
}
if [ $# -gt 0 ]; then
  # Arguments choose the tests: one run, once the Windows build is there.
  cross_built
  in_session cargo test --locked --workspace --exclude hello-tauri --no-fail-fast "$@"
  exit
fi
failed=0
# Everything but the tests of the Windows build, while it builds.
in_session cargo test --locked --workspace --exclude hello-tauri --no-fail-fast -- --skip on_windows_ || failed=1
windows_programs_built
# The Windows build under Wine, and its installer, while the lints finish.
# (--workspace as above: the same features, so nothing is compiled again.)
in_session cargo test --locked --workspace --exclude hello-tauri --test windows_wine --test package -- on_windows_ || failed=1
cross_built
exit "$failed"
