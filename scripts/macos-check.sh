#!/usr/bin/env bash
# Compiles and lints the macOS build (Apple silicon) here, on Linux: `cargo clippy --target
# aarch64-apple-darwin --all-targets -D warnings`, which type-checks every macOS-only path (the
# login keychain through keyring's apple-native backend, Tauri's macOS runtime, objc2) and
# compiles the C in build scripts (ring) with zig, which ships macOS's libc headers. Linking is
# not possible without Apple's frameworks, so nothing is linked or run; the release workflow
# builds and tests on macos-latest.
#
# Zig comes from PyPI (the `ziglang` wheel) into a venv under target/, once (about 50 MB).
# Usage: scripts/macos-check.sh [extra cargo clippy arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
target=aarch64-apple-darwin
pinned=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
tools="$PWD/target/macos-tools"

if command -v rustup >/dev/null 2>&1 \
   && ! rustup target list --toolchain "$pinned" --installed | grep -q "^$target\$"; then
  echo "Adding the macOS target ($target) to Rust $pinned."
  rustup target add --toolchain "$pinned" "$target"
fi

if [ ! -x "$tools/venv/bin/python" ] || ! "$tools/venv/bin/python" -m ziglang version >/dev/null 2>&1; then
  echo "Installing zig (PyPI's ziglang) into $tools/venv, for macOS's C headers."
  rm -rf "$tools/venv"
  mkdir -p "$tools"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install --quiet --disable-pip-version-check 'ziglang>=0.13,<0.18'
fi

# cc-rs passes clang's `--target=…`, which zig's driver does not take: drop it and give zig its
# own target name. zig's ar stands in for Apple's.
cat > "$tools/cc" <<EOF
#!/bin/sh
for a in "\$@"; do
  shift
  case "\$a" in --target=*) ;; *) set -- "\$@" "\$a" ;; esac
done
exec "$tools/venv/bin/python" -m ziglang cc -target aarch64-macos "\$@"
EOF
cat > "$tools/ar" <<EOF
#!/bin/sh
exec "$tools/venv/bin/python" -m ziglang ar "\$@"
EOF
chmod +x "$tools/cc" "$tools/ar"

started=$(date +%s)
CC_aarch64_apple_darwin="$tools/cc" AR_aarch64_apple_darwin="$tools/ar" \
  cargo clippy --locked -p bitbucket-cloud -p bitbucket-setup-core -p bitbucket-setup-window --target "$target" --all-targets "$@" -- -D warnings
# The command line's integration tests run on Linux only (see scripts/test.sh).
CC_aarch64_apple_darwin="$tools/cc" AR_aarch64_apple_darwin="$tools/ar" \
  cargo clippy --locked -p bitbucket-setup --lib --bins --target "$target" "$@" -- -D warnings
echo "macOS lint: $(( $(date +%s) - started )) s"
