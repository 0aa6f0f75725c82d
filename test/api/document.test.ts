// The OpenAPI document is valid in itself: every schema compiles under JSON Schema 2020-12 (strict), every `$ref`
// resolves, path templates and path parameters agree, operation ids are unique, each route says its role.
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { docsPage, openApiDocument, routes, type OpenApi } from '@leadstream/api'
import { contract, pointer } from '../support/contract.js'

type Node = Record<string, unknown>
const doc = openApiDocument()
const paths = doc['paths'] as Record<string, Record<string, Node>>
const schemas = (doc['components'] as { schemas: Record<string, Node> }).schemas
const operations = Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })))

const test = suite('openapi document')

test('document :: OpenAPI 3.1 with one operation per route-table entry, ids unique', () => {
  assert.is(doc['openapi'], '3.1.0')
  assert.is(operations.length, routes.length)
  assert.is(new Set(operations.map((o) => o.op['operationId'])).size, routes.length)
  for (const r of routes) assert.is(paths[r.path]?.[r.method.toLowerCase()]?.['operationId'], r.id, `${r.method} ${r.path}`)
})

test('document :: every schema compiles as JSON Schema 2020-12 in strict mode', () => {
  const strict = contract(doc, { strict: true })
  for (const name of Object.keys(schemas)) strict.compile(pointer('components', 'schemas', name))
  for (const { path, method, op } of operations) {
    for (const [i, p] of ((op['parameters'] ?? []) as Node[]).entries())
      if (p['schema'] !== undefined) strict.compile(pointer('paths', path, method, 'parameters', String(i), 'schema'))
    for (const [status, r] of Object.entries(op['responses'] as Record<string, Node>))
      for (const media of Object.keys((r['content'] ?? {}) as Node))
        strict.compile(pointer('paths', path, method, 'responses', status, 'content', media, 'schema'))
    if (op['requestBody'] !== undefined) strict.compile(pointer('paths', path, method, 'requestBody', 'content', 'application/json', 'schema'))
  }
  for (const name of Object.keys((doc['webhooks'] ?? {}) as Node))
    strict.compile(pointer('webhooks', name, 'post', 'requestBody', 'content', 'application/json', 'schema'))
})

test('document :: every $ref names a component that exists', () => {
  const refs: string[] = []
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk)
    else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) k === '$ref' && typeof x === 'string' ? refs.push(x) : walk(x)
  }
  walk(doc)
  assert.ok(refs.length > 50)
  for (const ref of refs) {
    assert.match(ref, /^#\/components\/schemas\//)
    assert.ok(ref.replace('#/components/schemas/', '') in schemas, `unresolved ${ref}`)
  }
})

test('document :: path parameters are exactly the names in the path template, all required', () => {
  for (const { path, method, op } of operations) {
    const inPath = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    const declared = ((op['parameters'] ?? []) as Node[]).filter((p) => p['in'] === 'path')
    assert.equal(declared.map((p) => p['name']).sort(), inPath.sort(), `${method} ${path}`)
    for (const p of declared) assert.is(p['required'], true)
  }
})

test('document :: each operation answers some 2xx and names its role in x-role and security', () => {
  for (const r of routes) {
    const op = paths[r.path]![r.method.toLowerCase()]!
    assert.ok(
      Object.keys(op['responses'] as Node).some((s) => s.startsWith('2')),
      r.id,
    )
    assert.is(op['x-role'], r.role)
    assert.equal(op['security'], r.role === null ? [] : [{ bearer: [] }], r.id)
    if (r.role !== null) assert.match(String(op['description']), r.role)
  }
})

test('document :: a service’s document holds only its routes', () => {
  const ingest = openApiDocument('ingest')
  const ids = Object.values(ingest['paths'] as Record<string, Record<string, Node>>).flatMap((m) => Object.values(m).map((o) => o['operationId']))
  assert.equal(
    ids.sort(),
    routes
      .filter((r) => r.services.includes('ingest'))
      .map((r) => r.id)
      .sort(),
  )
  assert.ok(!ids.includes('listLeads'))
})

test('docs page :: lists every operation and every schema, and escapes what it shows', () => {
  const page = docsPage(doc)
  for (const r of routes) assert.ok(page.includes(`id="op-${r.id}"`), r.id)
  for (const name of Object.keys(schemas)) assert.ok(page.includes(`id="schema-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}"`), name)
  const hostile: OpenApi = { ...doc, info: { title: '<script>alert(1)</script>', version: '1' } }
  assert.not.match(docsPage(hostile), '<script>alert(1)')
  assert.not.match(page, /<script/i, 'the page runs no script')
})

test.run()
