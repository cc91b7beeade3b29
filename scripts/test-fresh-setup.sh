#!/usr/bin/env bash
# Proves the README's promise for Rust: on a machine with no Rust, `scripts/deps.sh test`
# installs rustup and the pinned toolchain and ends with a working cargo of that version. Runs
# with empty CARGO_HOME and RUSTUP_HOME in a temporary folder and a PATH without any cargo, so
# the Rust of this machine is neither used nor touched. Needs the network (static.rust-lang.org),
# so it is not part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d /tmp/fresh-setup.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export CARGO_HOME="$tmp/cargo" RUSTUP_HOME="$tmp/rustup"
# PATH without any folder that holds cargo or rustup.
clean=""
IFS=: read -ra dirs <<<"$PATH"
for d in "${dirs[@]}"; do
  [ -x "$d/cargo" ] || [ -x "$d/rustup" ] || clean="${clean:+$clean:}$d"
done
export PATH="$clean"
if command -v cargo >/dev/null 2>&1 || command -v rustup >/dev/null 2>&1; then
  echo "test-fresh-setup: a cargo or rustup is still on PATH" >&2
  exit 1
fi
pinned=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
start=$(date +%s)
scripts/deps.sh test
took=$(( $(date +%s) - start ))
version=$("$CARGO_HOME/bin/cargo" --version)
echo "cargo after a fresh setup: $version"
case "$version" in
  "cargo $pinned "*) echo "test-fresh-setup: OK, Rust $pinned installed from nothing in ${took} s" ;;
  *) echo "test-fresh-setup: expected cargo $pinned" >&2; exit 1 ;;
esac
"$CARGO_HOME/bin/cargo" clippy --version
