#!/usr/bin/env bash
# Makes the Windows installer (NSIS) from a Windows build of the app with Debian's makensis and
# packaging/windows/installer.nsi. Usage: scripts/package-windows.sh EXE OUTDIR
# EXE is the command line (bitbucket-setup.exe); the window (bitbucket-setup-window.exe) is taken
# from the same folder.
# Writes OUTDIR/Bitbucket Setup Assistant_VERSION_x64-setup.exe and OUTDIR/makensis.log, and
# prints the installer's path.
#
# Why not `tauri bundle --bundles nsis`: on a Linux host the Tauri CLI first downloads its NSIS
# plugin (nsis_tauri_utils.dll, checked by SHA-1) from github.com, which these machines cannot
# reach; the release workflow builds Tauri's own installer on windows-latest.
set -euo pipefail
cd "$(dirname "$0")/.."
exe=$(realpath "$1")
window="$(dirname "$exe")/bitbucket-setup-window.exe"
[ -f "$window" ] || { echo "$window is missing: build both programs (cargo build -p bitbucket-setup -p bitbucket-setup-window)" >&2; exit 1; }
out=$(realpath -m "$2")
mkdir -p "$out"
fast=()
[ "${3:-}" = --fast ] && fast=(-DFAST)
# A build for the GNU toolchain loads WebView2Loader.dll at start: ship the one cargo left beside it.
loader=()
[ -f "$(dirname "$exe")/WebView2Loader.dll" ] && loader=("-DLOADER=$(dirname "$exe")/WebView2Loader.dll")
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
installer="$out/Bitbucket Setup Assistant_${version}_x64-setup.exe"
makensis -V4 -NOCD "${fast[@]}" "${loader[@]}" -INPUTCHARSET UTF8 \
  "-DVERSION=$version" "-DEXE=$exe" "-DWINDOW=$window" "-DICON=$PWD/icons/icon.ico" "-DOUTFILE=$installer" \
  packaging/windows/installer.nsi > "$out/makensis.log"
echo "$installer"
