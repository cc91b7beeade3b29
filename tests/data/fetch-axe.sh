#!/usr/bin/env bash
# Makes tests/data/axe.min.js (and axe-VERSION.txt) from the axe-core package on the npm
# registry. The end-to-end tests inject this file into the app window to check accessibility;
# they never download anything at run time, so the file is committed. Re-run to update:
#
#     tests/data/fetch-axe.sh            # latest 4.x
#     tests/data/fetch-axe.sh 4.10.3     # a given version
set -euo pipefail
version=${1:-4}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
tarball=$(npm pack --silent "axe-core@$version")
tar -xzf "$tarball"
exact=$(node -p 'require("./package/package.json").version')
cp package/axe.min.js "$here/axe.min.js"
# axe-core is MPL-2.0: keep its licence next to the copy.
cp package/LICENSE "$here/axe-LICENSE.txt"
printf 'axe-core %s (npm tarball %s, sha256 %s)\n' "$exact" "$tarball" \
  "$(sha256sum "$tarball" | cut -d' ' -f1)" > "$here/axe-VERSION.txt"
echo "tests/data/axe.min.js is axe-core $exact"
