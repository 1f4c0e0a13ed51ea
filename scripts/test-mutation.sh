#!/usr/bin/env bash
# Runs StrykerJS (npm run test:mutation). Stryker 10 needs Node >= 22 while the exporter
# supports Node 20, so under an older Node this runs it with Node 24 from the npm registry,
# installed once into the same prefix .ci/run uses. Arguments go to `stryker run`.
set -euo pipefail
cd "$(dirname "$0")/.."

node_bin=node
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt 22 ]; then
  prefix="${TMPDIR:-/tmp}/kms-keystore-exporter-node24"
  if [ ! -x "$prefix/node_modules/node/bin/node" ]; then
    npm install --no-save --no-package-lock --no-audit --no-fund --prefix "$prefix" node@24
  fi
  node_bin="$prefix/node_modules/node/bin/node"
fi
echo "stryker under node $("$node_bin" --version)"
exec env PATH="$(dirname "$node_bin"):$PATH" "$node_bin" node_modules/@stryker-mutator/core/bin/stryker.js run "$@"
