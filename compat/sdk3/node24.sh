#!/usr/bin/env bash
# The Node 24 binary that this folder's npm project brings (the npm package `node`, pinned in
# package.json, whose preinstall downloads the binary for this platform), for every check that
# runs code on Node 24: compat/sdk3/run.sh and the packed-install smoke test (compat/packed).
#
# Prints the binary's absolute path on stdout (everything else goes to stderr). When the binary
# is missing or is not the pinned version it runs `npm ci` here first, unless --no-install
# (run.sh checks the binary after installing tarballs over that npm ci, which must not be redone).
#
# Usage: bash compat/sdk3/node24.sh [--no-install]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node24="$here/node_modules/node/bin/node"
pinned="v$(node -p "require(process.argv[1]).devDependencies.node" "$here/package.json")"

installed_version() {
  if [[ -x "$node24" ]]; then "$node24" --version; fi
}

if [[ "$(installed_version)" != "$pinned" ]]; then
  if [[ "${1:-}" == "--no-install" ]]; then
    echo "node24: no Node $pinned at $node24 (did the node package's preinstall run?)" >&2
    exit 1
  fi
  echo "node24: installing $here's packages for Node $pinned (npm ci)" >&2
  # npm itself runs on the system Node, so the SDK 3 packages' engines (>= 22.15) only warn.
  (cd "$here" && npm ci --no-audit --no-fund) >&2
  if [[ "$(installed_version)" != "$pinned" ]]; then
    echo "node24: npm ci did not leave Node $pinned at $node24" >&2
    exit 1
  fi
fi
echo "$node24"
