#!/usr/bin/env bash
# Retakes the screenshots in docs/ (the README shows them): runs the end-to-end tests with
# SCREENSHOTS_DIR set, in the same throwaway display, D-Bus session and keyring as
# scripts/test.sh. Usage: scripts/screenshots.sh [folder]   (default: docs)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-docs}
mkdir -p "$dir"
SCREENSHOTS_DIR="$(cd "$dir" && pwd)" exec scripts/test.sh --test e2e_wizard --test e2e_connections --test e2e_export --test e2e_send --test e2e_replace --test e2e_reminders
