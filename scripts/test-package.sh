#!/usr/bin/env bash
# Builds the .deb, installs it with dpkg into this machine, starts the installed app under Xvfb
# and waits until its first wizard step is on screen (the page reports it through ui_ready),
# then takes a screenshot (docs/package-first-step.png) and removes the package again.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(scripts/package.sh)
echo "package: $deb"
dpkg-deb --info "$deb" | sed -n '1,20p'
dpkg-deb --contents "$deb" | grep -E "usr/bin/|\.desktop|icons/" 
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
# apt resolves the package's dependencies (WebKitGTK, GTK) the way a user's install would.
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "./$deb" >/dev/null
desktop=$(dpkg -L bitbucket-setup-assistant 2>/dev/null | grep '\.desktop$' || dpkg-deb --contents "$deb" | awk '/\.desktop$/ {print substr($6,2)}')
grep -q '^Exec=bitbucket-setup' "$desktop" || { echo "FAIL: desktop entry $desktop does not start bitbucket-setup" >&2; exit 1; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"; DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get remove -y -qq bitbucket-setup-assistant >/dev/null || true' EXIT
export BITBUCKET_SETUP_READY_FILE="$scratch/ready" BITBUCKET_SETUP_CONFIG_DIR="$scratch/config" NO_AT_BRIDGE=1
xvfb-run -a -s "-screen 0 1280x900x24" bash -c '
  /usr/bin/bitbucket-setup & app=$!
  for _ in $(seq 1 300); do [ -f "$BITBUCKET_SETUP_READY_FILE" ] && break; sleep 0.1; done
  if [ ! -f "$BITBUCKET_SETUP_READY_FILE" ]; then echo "FAIL: the installed app did not show its first step within 30 s" >&2; kill $app; exit 1; fi
  sleep 1; import -window root docs/package-first-step.png; kill $app; wait $app 2>/dev/null || true'
echo "1 passed, 0 failed: the installed package starts and shows its first wizard step"
