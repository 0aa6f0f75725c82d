#!/usr/bin/env bash
# Installs the workspace's dependencies on a fresh machine.
# better-sqlite3 compiles its native addon with node-gyp; node-gyp would download Node's headers, which is not
# possible without general internet access, so point it at the headers the installed Node.js ships.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=$(node -p 'require("path").resolve(process.execPath, "..", "..")')
if [ -z "${npm_config_nodedir:-}" ] && [ -f "$prefix/include/node/node_api.h" ]; then
  export npm_config_nodedir="$prefix"
fi
pnpm install --frozen-lockfile "$@"
