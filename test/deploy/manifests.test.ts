// The deployment files (deploy/compose.yaml, deploy/k8s/*.yaml) checked against the services they start: each
// variable set for a service is a setting that service reads (its own `--help`) with a value its codec accepts,
// every service is health-checked on /healthz, one relay and at least two projectors run, and no token or
// password is written in them. Kubernetes objects are also validated against the Kubernetes API schemas.
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import * as E from 'fp-ts/lib/Either.js'
import { Deployment } from 'kubernetes-models/apps/v1/Deployment'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget'
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap'
import { Namespace } from 'kubernetes-models/v1/Namespace'
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim'
import { Secret } from 'kubernetes-models/v1/Secret'
import { Service as K8sService } from 'kubernetes-models/v1/Service'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { parseAllDocuments, parseDocument } from 'yaml'
import * as ingest from '@leadstream/ingest'
import * as projector from '@leadstream/projector'
import * as queryApi from '@leadstream/query-api'
import * as webhooks from '@leadstream/webhooks'
import * as runtime from '@leadstream/runtime'
import { loadConfig, type Setting } from '@leadstream/runtime'

const root = resolve(import.meta.dirname, '..', '..')
const deployDir = join(root, 'deploy')
const k8sDir = join(deployDir, 'k8s')

const services = ['ingest', 'relay', 'projector', 'query-api', 'webhooks'] as const
type ServiceName = (typeof services)[number]

/** Every service drains within this on SIGTERM (runtime's onShutdown); orchestrators must wait longer. */
const drainSeconds = 15

// ---------------------------------------------------------------------------------------------------------------
// reading
// ---------------------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>

const isRecord = (u: unknown): u is Json => typeof u === 'object' && u !== null && !Array.isArray(u)
const rec = (u: unknown, what: string): Json => {
  if (!isRecord(u)) throw new Error(`${what}: expected a mapping, got ${JSON.stringify(u)}`)
  return u
}
const list = (u: unknown, what: string): unknown[] => {
  if (!Array.isArray(u)) throw new Error(`${what}: expected a sequence, got ${JSON.stringify(u)}`)
  return u
}
const text = (u: unknown, what: string): string => {
  if (typeof u !== 'string') throw new Error(`${what}: expected a string, got ${JSON.stringify(u)}`)
  return u
}
const optional = (u: unknown, what: string): Json => (u === undefined ? {} : rec(u, what))

/** YAML with merge keys (`<<`), as Compose reads it; any parse error or warning fails. */
const readYaml = (file: string): unknown => {
  const doc = parseDocument(readFileSync(file, 'utf8'), { merge: true })
  if (doc.errors.length + doc.warnings.length > 0) throw new Error(`${file}: ${[...doc.errors, ...doc.warnings].map((e) => e.message).join('; ')}`)
  return doc.toJS()
}

const readYamlDocuments = (file: string): Json[] =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((doc, i) => {
    if (doc.errors.length + doc.warnings.length > 0) throw new Error(`${file}: ${[...doc.errors, ...doc.warnings].map((e) => e.message).join('; ')}`)
    return rec(doc.toJS(), `${file} document ${i}`)
  })

/** The service a command starts: `node services/<name>/dist/main.mjs` (the build the image ships). */
const serviceOfCommand = (command: ReadonlyArray<string>): ServiceName | null => {
  for (const word of command) {
    const m = /^services\/([a-z-]+)\/dist\/main\.mjs$/.exec(word)
    const name = services.find((s) => s === m?.[1])
    if (name !== undefined) return name
  }
  return null
}

/** The variables each service reads, from its own `--help` (the settings record its main.ts decodes). */
const settingsOf: Promise<ReadonlyMap<ServiceName, ReadonlySet<string>>> = (async () => {
  const run = promisify(execFile)
  const entries = await Promise.all(
    services.map(async (s) => {
      const { stdout } = await run(process.execPath, ['--import', 'tsx', `services/${s}/src/main.ts`, '--help'], { cwd: root, timeout: 60000 })
      const names = new Set([...stdout.matchAll(/^ {2}([A-Z][A-Z0-9_]*) /gm)].map((m) => m[1] ?? ''))
      if (names.size === 0) throw new Error(`services/${s}/src/main.ts --help listed no settings:\n${stdout}`)
      return [s, names] as const
    }),
  )
  return new Map(entries)
})()
// Awaited in the cases; this keeps an early failure from being an unhandled rejection.
settingsOf.catch(() => undefined)

/** Names set for a service that it does not read. */
const unknownSettings = (service: ServiceName, names: Iterable<string>, known: ReadonlyMap<ServiceName, ReadonlySet<string>>): string[] =>
  [...names].filter((n) => known.get(service)?.has(n) !== true)

const isSetting = (u: unknown): u is Setting<unknown> =>
  isRecord(u) && typeof u.env === 'string' && typeof u.doc === 'string' && isRecord(u.codec) && typeof u.codec.decode === 'function'

/**
 * The codec of every setting exported by the packages (records such as kafkaSettings), by variable. A setting
 * defined inside a main.ts (the relay's LEADSTREAM_RELAY_BATCH) has no codec here and is only checked by name.
 */
const codecs: ReadonlyMap<string, Setting<unknown>> = new Map(
  [runtime.httpSettings(0), ...[runtime, ingest, projector, queryApi, webhooks].flatMap((m) => Object.values(m))]
    .flatMap((r) => (isRecord(r) ? Object.values(r).filter(isSetting) : []))
    .map((s) => [s.env, s]),
)

/** Problems decoding literal values with the services' codecs (none when all decode). */
const undecodable = (where: string, values: ReadonlyArray<readonly [string, string]>): string[] =>
  values.flatMap(([name, value]) => {
    const s = codecs.get(name)
    if (s === undefined) return []
    const r = loadConfig({ s }, { [name]: value })
    return E.isLeft(r) ? [`${where}: ${r.left.join('; ')}`] : []
  })

// ---------------------------------------------------------------------------------------------------------------
// compose
// ---------------------------------------------------------------------------------------------------------------

interface ComposeService {
  readonly key: string
  readonly raw: Json
  readonly command: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
}

const composeFile = join(deployDir, 'compose.yaml')
const compose = rec(readYaml(composeFile), 'compose.yaml')
const composeServices: ComposeService[] = Object.entries(rec(compose.services, 'services')).map(([key, v]) => {
  const raw = rec(v, key)
  const command =
    raw.command === undefined
      ? []
      : typeof raw.command === 'string'
        ? raw.command.split(/\s+/)
        : list(raw.command, `${key}.command`).map((w) => text(w, `${key}.command`))
  const envRaw = raw.environment
  const env: Record<string, string> = {}
  if (Array.isArray(envRaw))
    for (const line of envRaw) {
      const [name = '', ...rest] = text(line, `${key}.environment`).split('=')
      env[name] = rest.join('=')
    }
  else for (const [name, value] of Object.entries(optional(envRaw, `${key}.environment`))) env[name] = value === null ? '' : String(value)
  return { key, raw, command, env }
})
const leadstreamServices = composeServices.flatMap((c) => {
  const service = serviceOfCommand(c.command)
  return service === null ? [] : [{ ...c, service }]
})
const composeService = (service: ServiceName) => {
  const found = leadstreamServices.filter((c) => c.service === service)
  assert.is(found.length, 1, `compose.yaml: one service runs services/${service}/src/main.ts`)
  return found[0] as (typeof leadstreamServices)[number]
}

/**
 * A Compose value after interpolation: `${X:-default}` gives the default, `$$` a dollar; null when it needs a
 * value from .env or the shell (`${X}`, `${X:?message}`), which is then not checked further.
 */
const interpolated = (value: string): string | null => {
  let needsEnv = false
  const out = value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])([^}]*))?\}/g,
    (whole, _name: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (whole === '$$') return '$'
      if (op === '-') return arg ?? ''
      needsEnv = true
      return ''
    },
  )
  return needsEnv ? null : out
}

const seconds = (duration: unknown): number => {
  const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(text(duration, 'duration'))
  if (m === null) throw new Error(`unsupported duration ${JSON.stringify(duration)}`)
  return Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)
}

const composeSuite = suite('compose')

composeSuite('services :: each of the five services runs exactly once, from the one image', () => {
  for (const s of services) {
    const c = composeService(s)
    assert.equal(c.command, ['node', `services/${s}/dist/main.mjs`], `${c.key} runs its build with plain node`)
    assert.is(c.raw.image, 'leadstream:local', `${c.key} image`)
    assert.is(rec(c.raw.build, `${c.key}.build`).dockerfile, 'deploy/Dockerfile', `${c.key} build`)
  }
})

composeSuite('settings :: every variable set for a service is one that service reads', async () => {
  const known = await settingsOf
  for (const s of services) {
    const c = composeService(s)
    assert.equal(unknownSettings(s, Object.keys(c.env), known), [], `${c.key} sets variables services/${s} does not read`)
  }
})

composeSuite('settings :: literal values decode with the services’ own codecs', () => {
  const values = leadstreamServices.flatMap((c) =>
    Object.entries(c.env).flatMap(([name, v]) => {
      const value = interpolated(v)
      return value === null ? [] : [[name, value] as const]
    }),
  )
  assert.ok(values.length > 20, 'values were found')
  assert.equal(undecodable('compose.yaml', values), [])
})

composeSuite('settings :: the services agree on the Kafka topics and brokers', () => {
  for (const name of ['KAFKA_BROKERS', 'LEADSTREAM_EVENTS_TOPIC', 'LEADSTREAM_TOPIC_PARTITIONS']) {
    const values = new Set(leadstreamServices.flatMap((c) => (c.env[name] === undefined ? [] : [c.env[name]])))
    assert.is(values.size, 1, `${name}: ${[...values].join(' / ')}`)
  }
})

composeSuite('health :: each service is checked on /healthz at its LEADSTREAM_PORT', () => {
  for (const s of services) {
    const c = composeService(s)
    const port = c.env.LEADSTREAM_PORT
    assert.ok(port !== undefined && /^\d+$/.test(port), `${c.key} sets LEADSTREAM_PORT (so the check knows where it listens)`)
    const test = list(rec(c.raw.healthcheck, `${c.key}.healthcheck`).test, `${c.key}.healthcheck.test`).map((w) => text(w, 'test'))
    assert.is(test[0], 'CMD', `${c.key}: exec form, no shell needed`)
    // The check runs inside the container, where every service listens (loopback always works).
    assert.ok(test.join(' ').includes(`http://127.0.0.1:${port}/healthz`), `${c.key} health check: ${test.join(' ')}`)
  }
})

composeSuite('health :: every dependency is waited for until healthy, and has a health check', () => {
  const byKey = new Map(composeServices.map((c) => [c.key, c]))
  for (const c of composeServices) {
    for (const [dep, how] of Object.entries(optional(c.raw.depends_on, `${c.key}.depends_on`))) {
      assert.is(rec(how, `${c.key}.depends_on.${dep}`).condition, 'service_healthy', `${c.key} → ${dep}`)
      assert.ok(isRecord(byKey.get(dep)?.raw.healthcheck), `${dep} has a health check`)
    }
  }
  for (const engine of ['kurrentdb', 'kafka', 'postgres']) assert.ok(isRecord(byKey.get(engine)?.raw.healthcheck), `${engine} has a health check`)
})

composeSuite('replicas :: exactly one relay and one webhook dispatcher, at least two projectors', () => {
  const replicas = (s: ServiceName): number => {
    const found = leadstreamServices.filter((c) => c.service === s)
    return found.reduce((n, c) => {
      const r = optional(c.raw.deploy, `${c.key}.deploy`).replicas ?? c.raw.scale ?? 1
      return n + Number(r)
    }, 0)
  }
  assert.is(replicas('relay'), 1)
  assert.is(replicas('webhooks'), 1)
  assert.ok(replicas('projector') >= 2, `projectors: ${replicas('projector')}`)
})

composeSuite('shutdown :: Compose waits longer than a service takes to drain', () => {
  for (const c of leadstreamServices) assert.ok(seconds(c.raw.stop_grace_period ?? '10s') > drainSeconds, `${c.key} stop_grace_period`)
})

composeSuite('secrets :: tokens and passwords come from .env, never written here', () => {
  for (const c of composeServices)
    for (const [name, value] of Object.entries(c.env)) {
      if (/_TOKENS$|PASSWORD/.test(name)) assert.match(value, new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`), `${c.key}.${name} must be \${${name}:?…}`)
      // A URL with credentials takes its password from the environment too.
      const creds = /\/\/[^/:@]+:([^@]*)@/.exec(value)
      if (creds !== null) assert.match(creds[1] ?? '', /^\$\{[A-Z_]+:\?[^}]+\}$/, `${c.key}.${name} embeds a literal password`)
    }
})

composeSuite.run()

// ---------------------------------------------------------------------------------------------------------------
// kubernetes
// ---------------------------------------------------------------------------------------------------------------

const manifestFiles = readdirSync(k8sDir)
  .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
  .sort()
const objects = manifestFiles.flatMap((file) => readYamlDocuments(join(k8sDir, file)).map((o) => ({ file, o })))
const ofKind = (kind: string) => objects.filter(({ o }) => o.kind === kind)
const nameOf = (o: Json) => text(rec(o.metadata, 'metadata').name, 'metadata.name')

const configMap = (() => {
  const found = ofKind('ConfigMap')
  assert.is(found.length, 1, 'one ConfigMap')
  return found[0] as (typeof found)[number]
})()
const configData = rec(configMap.o.data, 'ConfigMap.data')
const secretTemplate = (() => {
  const found = ofKind('Secret')
  assert.is(found.length, 1, 'one Secret (the template)')
  return found[0] as (typeof found)[number]
})()
const secretKeys = { ...optional(secretTemplate.o.stringData, 'Secret.stringData'), ...optional(secretTemplate.o.data, 'Secret.data') }

interface EnvVar {
  readonly name: string
  readonly value?: string
  readonly configMapKey?: string
  readonly secretKey?: string
}

interface K8sContainer {
  readonly deployment: string
  readonly spec: Json
  readonly pod: Json
  readonly raw: Json
  readonly service: ServiceName
  readonly env: ReadonlyArray<EnvVar>
}

const keyRef = (ref: unknown, kind: 'ConfigMap' | 'Secret', expectedName: string, where: string): string => {
  const r = rec(ref, where)
  assert.is(r.name, expectedName, `${where} names the ${kind}`)
  return text(r.key, `${where}.key`)
}

const containers: K8sContainer[] = ofKind('Deployment').flatMap(({ o }) => {
  const deployment = nameOf(o)
  const spec = rec(o.spec, `${deployment}.spec`)
  const pod = rec(rec(spec.template, `${deployment}.template`).spec, `${deployment}.template.spec`)
  return list(pod.containers, `${deployment}.containers`).map((c) => {
    const raw = rec(c, `${deployment} container`)
    const command = [...list(raw.command ?? [], 'command'), ...list(raw.args ?? [], 'args')].map((w) => text(w, 'command'))
    const service = serviceOfCommand(command)
    if (service === null) throw new Error(`${deployment}: container runs no services/<name>/dist/main.mjs: ${command.join(' ')}`)
    assert.equal(command, ['node', `services/${service}/dist/main.mjs`], `${deployment} runs its build with plain node`)
    assert.is(raw.envFrom, undefined, `${deployment}: envFrom would hand over variables the service does not read; name them in env`)
    const env = list(raw.env ?? [], `${deployment}.env`).map((e): EnvVar => {
      const v = rec(e, `${deployment}.env[]`)
      const name = text(v.name, `${deployment}.env[].name`)
      if (v.valueFrom === undefined) return { name, value: text(v.value, `${deployment}.${name}`) }
      const from = rec(v.valueFrom, `${deployment}.${name}.valueFrom`)
      if (from.configMapKeyRef !== undefined)
        return { name, configMapKey: keyRef(from.configMapKeyRef, 'ConfigMap', nameOf(configMap.o), `${deployment}.${name}`) }
      if (from.secretKeyRef !== undefined) return { name, secretKey: keyRef(from.secretKeyRef, 'Secret', nameOf(secretTemplate.o), `${deployment}.${name}`) }
      throw new Error(`${deployment}.${name}: unsupported valueFrom`)
    })
    return { deployment, spec, pod, raw, service, env }
  })
})
const k8sContainer = (service: ServiceName): K8sContainer => {
  const found = containers.filter((c) => c.service === service)
  assert.is(found.length, 1, `one Deployment container runs services/${service}/src/main.ts`)
  return found[0] as K8sContainer
}
const literal = (c: K8sContainer, name: string): string | undefined => {
  const e = c.env.find((v) => v.name === name)
  if (e === undefined) return undefined
  // A missing key is reported by its own case.
  if (e.configMapKey !== undefined) return e.configMapKey in configData ? text(configData[e.configMapKey], `ConfigMap.${e.configMapKey}`) : undefined
  return e.value
}

/** Kubernetes API models (schemas of the Kubernetes API) by apiVersion/kind. */
const models: Readonly<Record<string, (o: Json) => { validate(): void }>> = {
  'v1/Namespace': (o) => new Namespace(o as never),
  'v1/ConfigMap': (o) => new ConfigMap(o as never),
  'v1/Secret': (o) => new Secret(o as never),
  'v1/Service': (o) => new K8sService(o as never),
  'v1/PersistentVolumeClaim': (o) => new PersistentVolumeClaim(o as never),
  'apps/v1/Deployment': (o) => new Deployment(o as never),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as never),
}

const k8s = suite('kubernetes')

k8s('schemas :: every object is valid against the Kubernetes API schema of its kind', () => {
  assert.ok(objects.length >= 10, `objects read: ${objects.length}`)
  for (const { file, o } of objects) {
    const model = models[`${String(o.apiVersion)}/${String(o.kind)}`]
    if (model === undefined) throw new Error(`${file}: no schema here for ${String(o.apiVersion)} ${String(o.kind)}; add it to the models`)
    try {
      model(o).validate()
    } catch (e) {
      throw new Error(`${file}: ${String(o.kind)} ${nameOf(o)}: ${e instanceof Error ? e.message : String(e)}`)
    }
    const namespace = rec(o.metadata, 'metadata').namespace
    if (o.kind !== 'Namespace') assert.is(namespace, 'leadstream', `${file}: ${nameOf(o)} namespace`)
  }
})

k8s('services :: each of the five services runs in exactly one Deployment', () => {
  for (const s of services) k8sContainer(s)
})

k8s('settings :: every variable set for a service is one that service reads', async () => {
  const known = await settingsOf
  for (const c of containers)
    assert.equal(
      unknownSettings(
        c.service,
        c.env.map((e) => e.name),
        known,
      ),
      [],
      `${c.deployment} sets variables services/${c.service} does not read`,
    )
  // Without this, Kubernetes adds <SERVICE>_PORT… variables for every Service in the namespace.
  for (const c of containers) assert.is(c.pod.enableServiceLinks, false, `${c.deployment}: enableServiceLinks`)
})

k8s('settings :: literal and ConfigMap values decode with the services’ own codecs', () => {
  const values = containers.flatMap((c) =>
    c.env.flatMap((e) => {
      const v = literal(c, e.name)
      return v === undefined ? [] : [[e.name, v] as const]
    }),
  )
  assert.ok(values.length > 20, 'values were found')
  assert.equal(undecodable('k8s', values), [])
})

k8s('settings :: every ConfigMap and Secret key referred to exists', () => {
  for (const c of containers)
    for (const e of c.env) {
      if (e.configMapKey !== undefined) assert.ok(e.configMapKey in configData, `${c.deployment}.${e.name}: ConfigMap key ${e.configMapKey}`)
      if (e.secretKey !== undefined) assert.ok(e.secretKey in secretKeys, `${c.deployment}.${e.name}: Secret key ${e.secretKey}`)
    }
})

k8s('health :: readiness and liveness probes on /healthz at the service’s port', () => {
  for (const c of containers) {
    const port = literal(c, 'LEADSTREAM_PORT')
    assert.ok(port !== undefined, `${c.deployment} sets LEADSTREAM_PORT`)
    // Without tokens a service listens on 127.0.0.1 only (http-edge's listen), so only a service with tokens
    // and LEADSTREAM_HOST=0.0.0.0 can be probed over the pod network; the others are probed from inside.
    const reachable = literal(c, 'LEADSTREAM_HOST') === '0.0.0.0' && c.env.some((e) => e.name.endsWith('_TOKENS') && e.secretKey !== undefined)
    const ports = list(c.raw.ports ?? [], 'ports').map((p) => rec(p, 'port'))
    for (const kind of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
      const probe = c.raw[kind]
      if (kind === 'startupProbe' && probe === undefined) continue
      const p = rec(probe, `${c.deployment}.${kind}`)
      if (p.httpGet !== undefined) {
        assert.ok(reachable, `${c.deployment}.${kind}: httpGet cannot reach a service listening on 127.0.0.1`)
        const get = rec(p.httpGet, 'httpGet')
        assert.is(get.path, '/healthz', `${c.deployment}.${kind} path`)
        const target = typeof get.port === 'number' ? get.port : ports.find((q) => q.name === get.port)?.containerPort
        assert.is(String(target), port, `${c.deployment}.${kind} port`)
      } else {
        const command = list(rec(p.exec, `${c.deployment}.${kind}.exec`).command, 'exec.command').map((w) => text(w, 'command'))
        assert.ok(command.join(' ').includes(`http://127.0.0.1:${port}/healthz`), `${c.deployment}.${kind}: ${command.join(' ')}`)
      }
    }
  }
})

k8s('replicas :: exactly one relay and one webhook dispatcher, never overlapping; at least two projectors', () => {
  const relay = k8sContainer('relay')
  assert.is(relay.spec.replicas, 1)
  assert.is(rec(relay.spec.strategy, 'relay.strategy').type, 'Recreate', 'a rolling update would run two relays at once')
  assert.ok(Number(k8sContainer('projector').spec.replicas) >= 2, 'projector replicas')
  const webhooks = k8sContainer('webhooks')
  assert.is(webhooks.spec.replicas, 1)
  assert.is(rec(webhooks.spec.strategy, 'webhooks.strategy').type, 'Recreate', 'a rolling update would run two senders at once')
})

k8s('shutdown :: the grace period covers the preStop pause and the drain', () => {
  for (const c of containers) {
    const preStop = c.raw.lifecycle === undefined ? undefined : rec(rec(c.raw.lifecycle, 'lifecycle').preStop, 'preStop')
    const pause = preStop === undefined ? 0 : Number(list(rec(preStop.exec, 'preStop.exec').command, 'command').at(-1))
    assert.ok(Number(c.pod.terminationGracePeriodSeconds) > drainSeconds + pause, `${c.deployment}: terminationGracePeriodSeconds`)
    const resources = rec(c.raw.resources, `${c.deployment}.resources`)
    assert.ok(isRecord(resources.requests) && isRecord(resources.limits), `${c.deployment}: resource requests and limits`)
  }
})

k8s('secrets :: tokens and engine URLs come from the Secret, whose template holds no value', () => {
  for (const c of containers)
    for (const e of c.env)
      if (/_TOKENS$|_URL$|PASSWORD/.test(e.name)) assert.ok(e.secretKey !== undefined, `${c.deployment}.${e.name} must come from the Secret`)
  for (const [key, value] of Object.entries(secretKeys)) assert.is(value, '', `secret template ${key} must stay empty`)
  for (const key of Object.keys(configData)) assert.not.match(key, /TOKEN|PASSWORD|SECRET/, `ConfigMap key ${key}`)
})

k8s('services :: each Service selects a Deployment’s pods and targets a port they declare', () => {
  for (const { o } of ofKind('Service')) {
    const spec = rec(o.spec, 'Service.spec')
    const selector = rec(spec.selector, `${nameOf(o)}.selector`)
    const matches = containers.filter((c) => {
      const labels = rec(rec(rec(c.spec.template, 'template').metadata, 'template.metadata').labels, 'labels')
      return Object.entries(selector).every(([k, v]) => labels[k] === v)
    })
    assert.is(matches.length, 1, `Service ${nameOf(o)} selects one Deployment`)
    const declared = list((matches[0] as K8sContainer).raw.ports ?? [], 'ports').map((p) => rec(p, 'port').name)
    for (const p of list(spec.ports, 'Service.ports')) assert.ok(declared.includes(rec(p, 'port').targetPort), `Service ${nameOf(o)} targetPort`)
  }
  assert.equal(
    ofKind('Service')
      .map(({ o }) => nameOf(o))
      .sort(),
    ['ingest', 'query-api', 'webhooks'],
  )
})

k8s('kustomization :: lists every manifest except the Secret template', () => {
  const kustomization = rec(readYaml(join(k8sDir, 'kustomization.yaml')), 'kustomization.yaml')
  const resources = list(kustomization.resources, 'resources')
    .map((r) => text(r, 'resource'))
    .sort()
  assert.equal(
    resources,
    manifestFiles.filter((f) => f !== secretTemplate.file),
  )
})

k8s.run()
