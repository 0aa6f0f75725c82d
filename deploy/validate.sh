#!/usr/bin/env bash
# Offline checks of deploy/ beyond the tests (deploy/README.md, "What was validated"). Each check runs when its
# tool is there and is reported as skipped otherwise; no Docker engine and no cluster are needed.
#
#   compose   docker compose config (Compose v2), else docker-compose config (v1.29, Debian's package)
#   yamllint  every YAML file of deploy/
#   kustomize kubectl kustomize deploy/k8s (builds the objects; kubectl's schema validation needs a server)
#   npm       from the npm registry into a temporary directory: dockerfile-utils lints the Dockerfile, and
#             kubernetes-types + tsc report any field the Kubernetes API does not have (the schemas in the
#             tests accept unknown fields)
#
# Not part of CI: test/deploy/manifests.test.ts is. Exit status 1 if a check that ran failed.
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
check() {
  local name=$1
  shift
  if "$@" >"$tmp/out" 2>&1; then echo "ok       $name"; else echo "FAILED   $name"; sed 's/^/         /' "$tmp/out"; failed=1; fi
}
skip() { echo "skipped  $1: $2"; }

# Stand-ins for the secrets, only so that Compose can interpolate the file (it refuses without them).
export LEADSTREAM_INGEST_TOKENS=placeholder LEADSTREAM_ANALYST_TOKENS=placeholder LEADSTREAM_OPERATOR_TOKENS=placeholder
export POSTGRES_PASSWORD=placeholder

if docker compose version >/dev/null 2>&1; then
  check "docker compose config" docker compose -f deploy/compose.yaml config -q
elif command -v docker-compose >/dev/null; then
  # v1 predates the top-level `name` (Compose v2 reads it); check the rest of the file.
  sed '/^name: /d' deploy/compose.yaml >"$tmp/compose.yaml"
  check "docker-compose $(docker-compose version --short) config (without the top-level name)" \
    docker-compose --project-directory deploy -p leadstream -f "$tmp/compose.yaml" config -q
else
  skip compose "neither docker compose nor docker-compose is installed"
fi

if command -v yamllint >/dev/null; then
  check yamllint yamllint --strict -d '{extends: default, rules: {line-length: {max: 140}, document-start: disable}}' \
    deploy/compose.yaml deploy/k8s/
else
  skip yamllint "not installed (apt-get install yamllint)"
fi

if command -v kubectl >/dev/null; then
  check "kubectl kustomize deploy/k8s" kubectl kustomize deploy/k8s
else
  skip kustomize "kubectl is not installed"
fi

if npm install --prefix "$tmp/npm" --no-save --no-audit --no-fund --silent \
  yaml@2.9.1 dockerfile-utils@0.16.3 kubernetes-types@1.30.0 typescript@5.9.3 >"$tmp/npm.log" 2>&1; then
  cat >"$tmp/npm/dockerfile.mjs" <<'EOF'
import { readFileSync } from 'node:fs'
import { validate } from 'dockerfile-utils'
const problems = validate(readFileSync('deploy/Dockerfile', 'utf8'))
for (const p of problems) console.log(`deploy/Dockerfile:${p.range.start.line + 1}: ${p.message}`)
process.exit(problems.length === 0 ? 0 : 1)
EOF
  check "dockerfile-utils deploy/Dockerfile" node "$tmp/npm/dockerfile.mjs"
  # Each object as a typed constant: tsc's excess-property check names any field the API type does not have.
  cat >"$tmp/npm/k8s-types.mjs" <<'EOF'
import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { parseAllDocuments } from 'yaml'
const types = {
  'v1/Namespace': 'core/v1', 'v1/ConfigMap': 'core/v1', 'v1/Secret': 'core/v1', 'v1/Service': 'core/v1',
  'v1/PersistentVolumeClaim': 'core/v1', 'apps/v1/Deployment': 'apps/v1', 'policy/v1/PodDisruptionBudget': 'policy/v1',
}
let ts = ''
let n = 0
for (const file of readdirSync('deploy/k8s').filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort())
  for (const doc of parseAllDocuments(readFileSync(`deploy/k8s/${file}`, 'utf8'))) {
    const o = doc.toJS()
    const module = types[`${o.apiVersion}/${o.kind}`]
    if (module === undefined) throw new Error(`${file}: add ${o.apiVersion} ${o.kind} to the types`)
    ts += `// ${file}: ${o.kind} ${o.metadata.name}\nimport type { ${o.kind} as T${n} } from 'kubernetes-types/${module}'\n`
    ts += `export const o${n}: T${n} = ${JSON.stringify(o, null, 2)}\n`
    n++
  }
writeFileSync(process.argv[2], ts)
EOF
  node "$tmp/npm/k8s-types.mjs" "$tmp/npm/manifests.ts"
  check "kubernetes-types + tsc (no unknown fields)" \
    "$tmp/npm/node_modules/.bin/tsc" --noEmit --strict --target ES2022 --moduleResolution node "$tmp/npm/manifests.ts"
else
  skip npm "the npm registry is not reachable ($(tail -n 1 "$tmp/npm.log"))"
fi

exit "$failed"
