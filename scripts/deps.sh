#!/usr/bin/env bash
# Installs what building, running and testing the app needs on Debian/Ubuntu, only when
# missing: apt packages (through sudo when not root), then Rust: rustup when there is no Rust
# at all (into CARGO_HOME and RUSTUP_HOME, by default ~/.cargo and ~/.rustup), and the
# toolchain pinned in rust-toolchain.toml. A Rust already installed is left as it is; only the
# pinned toolchain is added to its rustup.
# Usage: scripts/deps.sh run|test
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev librsvg2-dev dbus gnome-keyring curl ca-certificates)
if [ "$mode" = test ]; then
  pkgs+=(xvfb xauth x11-utils webkit2gtk-driver libsecret-tools imagemagick jq curl git python3 python3-yaml python3-venv)
  # The Windows build is compiled and linted here too (mingw), and packaged with Debian's NSIS;
  # 7z lists the installer's contents.
  pkgs+=(gcc-mingw-w64-x86-64 nsis p7zip-full wine wine64 xdotool)
  # The reminders' tests: systemd-analyze verifies the unit files, and a private systemd user
  # manager registers and runs the daily job.
  pkgs+=(systemd)
  # The package test runs the Tauri CLI from npm; any Node.js with npx will do.
  command -v npx >/dev/null 2>&1 || pkgs+=(nodejs npm)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Rust.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export PATH="$CARGO_HOME/bin:$PATH"
pinned=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
if ! command -v cargo >/dev/null 2>&1 && ! command -v rustup >/dev/null 2>&1; then
  echo "Rust is not installed: installing rustup (tools in $CARGO_HOME, toolchains in $RUSTUP_HOME)."
  arch=$(uname -m)
  url="https://static.rust-lang.org/rustup/dist/${arch}-unknown-linux-gnu/rustup-init"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  if ! curl --proto '=https' --tlsv1.2 -fsSL "$url" -o "$tmp/rustup-init" \
     || ! curl --proto '=https' --tlsv1.2 -fsSL "$url.sha256" -o "$tmp/rustup-init.sha256" \
     || ! (cd "$tmp" && echo "$(cut -d' ' -f1 rustup-init.sha256)  rustup-init" | sha256sum -c --quiet -); then
    echo "Could not download Rust's installer from static.rust-lang.org: install Rust by hand from https://rustup.rs, then run this again." >&2
    exit 1
  fi
  chmod +x "$tmp/rustup-init"
  # No default toolchain and no change to shell profiles: the project's pinned one follows.
  "$tmp/rustup-init" -y --quiet --no-modify-path --profile minimal --default-toolchain none
fi
if command -v rustup >/dev/null 2>&1; then
  if ! rustup toolchain list | grep -q "^$pinned"; then
    echo "Installing Rust $pinned (pinned in rust-toolchain.toml) into $RUSTUP_HOME."
    if ! rustup toolchain install "$pinned" --profile minimal --component clippy; then
      echo "Could not download Rust $pinned: install it by hand with rustup toolchain install $pinned, then run this again." >&2
      exit 1
    fi
  fi
elif ! cargo --version | grep -q " $pinned"; then
  echo "Note: this cargo ($(cargo --version)) is not the pinned Rust $pinned and there is no rustup to add it; the build may still work." >&2
fi

# The Windows target's standard library, for the Windows lint in the test command.
if [ "$mode" = test ] && command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --toolchain "$pinned" --installed | grep -q '^x86_64-pc-windows-gnu$'; then
    echo "Adding the Windows target (x86_64-pc-windows-gnu) to Rust $pinned."
    rustup target add --toolchain "$pinned" x86_64-pc-windows-gnu
  fi
fi
