#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) with cargo-fuzz (nightly toolchain).
# Usage: fuzz/run.sh [SECONDS]. Seeds (committed) are in fuzz/seeds/; what libFuzzer finds
# goes to fuzz/corpus/ (not committed); crashes to fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
for target in location classify scope_header config_loader export_writers; do
  echo "== $target ($seconds s)"
  mkdir -p "fuzz/corpus/$target"
  cargo +nightly fuzz run --features link_libfuzzer "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- -max_total_time="$seconds" -rss_limit_mb=4096
done
