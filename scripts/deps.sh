#!/usr/bin/env bash
# Installs what building, running and testing the app needs on Debian/Ubuntu, only when
# missing: apt packages (through sudo when not root), then checks for cargo.
# Usage: scripts/deps.sh run|test
set -euo pipefail
mode=${1:-run}
pkgs=(build-essential pkg-config libwebkit2gtk-4.1-dev librsvg2-dev dbus gnome-keyring)
if [ "$mode" = test ]; then
  pkgs+=(xvfb xauth x11-utils webkit2gtk-driver libsecret-tools imagemagick jq curl git python3 python3-yaml)
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
if ! command -v cargo >/dev/null 2>&1; then
  [ -x "$HOME/.cargo/bin/cargo" ] && export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed. Install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
