#!/usr/bin/env bash
# The package test (tests/package.rs) on the release package: builds the .deb with
# scripts/package.sh, then installs it with dpkg, starts the installed app under Xvfb, waits
# for its first wizard step and saves docs/package-first-step.png. The test command runs the
# same test on a package of its debug build.
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$(scripts/package.sh)
echo "package: $deb"
BITBUCKET_SETUP_DEB="$PWD/$deb" SCREENSHOTS_DIR=docs exec scripts/test.sh --test package
