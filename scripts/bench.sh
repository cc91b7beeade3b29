#!/usr/bin/env bash
# Measures what the README claims and writes docs/benchmarks.md:
#  - validation time against the fake Bitbucket with 100/200/300 ms latency, as a ratio to one
#    request, and requests per validation;
#  - cold start to the first step, memory (PSS of the app and its WebKit processes) and binary
#    size of the release build, against a hello-world Tauri app built with the same profile.
# Needs no display: it starts Xvfb itself.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH" CARGO_TERM_COLOR=never NO_AT_BRIDGE=1
mkdir -p target/bench
cargo build --locked --release -p bitbucket-setup --bin bitbucket-setup
cargo build --locked --release -p hello-tauri
cargo run --locked --release --features bench --bin bench-validate -- --output target/bench/validate.md
# A D-Bus session of its own: without one GTK starts a bus through X11 on every run.
xvfb-run -a -s "-screen 0 1280x900x24" dbus-run-session -- \
  cargo run --locked --release --features bench --bin bench-startup -- \
    --app target/release/bitbucket-setup --hello target/release/hello-tauri --runs 10 \
    --output target/bench/startup.md
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
} > docs/benchmarks.md
cat docs/benchmarks.md
