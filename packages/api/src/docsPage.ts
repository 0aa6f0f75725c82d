// GET /docs: the OpenAPI document as one self-contained HTML page, rendered here on the server (no script, no
// CDN), so it works offline: routes grouped by tag, their parameters, bodies, responses, and every schema.
import type { JsonSchema } from './annotate.js'
import type { OpenApi } from './openapi.js'

type Node = Readonly<Record<string, unknown>>

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
/** Descriptions use `**bold**` and `code` from the document's Markdown; nothing else is interpreted. */
const prose = (s: unknown): string =>
  typeof s === 'string'
    ? esc(s)
        .replace(/\*\*([^*]+)\*\*/g, '<b>$1</b>')
        .replace(/`([^`]+)`/g, '<code>$1</code>')
    : ''
const anchor = (name: string): string => `schema-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`
const asNode = (u: unknown): Node => (typeof u === 'object' && u !== null ? (u as Node) : {})
const entries = (u: unknown): ReadonlyArray<[string, Node]> => Object.entries(asNode(u)).map(([k, v]) => [k, asNode(v)])

/** A schema as a compact, TypeScript-like type with links to named schemas. */
const typeOf = (s: Node, indent = ''): string => {
  const ref = s['$ref']
  if (typeof ref === 'string') {
    const name = ref.replace('#/components/schemas/', '')
    return `<a href="#${anchor(name)}">${esc(name)}</a>`
  }
  if ('const' in s) return `<span class="lit">${esc(JSON.stringify(s['const']))}</span>`
  if (Array.isArray(s['enum'])) return s['enum'].map((v) => `<span class="lit">${esc(JSON.stringify(v))}</span>`).join(' | ')
  if (Array.isArray(s['anyOf'])) return s['anyOf'].map((m) => typeOf(asNode(m), indent)).join(' | ')
  if (Array.isArray(s['oneOf'])) return s['oneOf'].map((m) => typeOf(asNode(m), indent)).join(' | ')
  if (Array.isArray(s['allOf'])) return s['allOf'].map((m) => typeOf(asNode(m), indent)).join(' &amp; ')
  const type = s['type']
  if (Array.isArray(type)) return type.map((t) => typeOf({ ...s, type: t }, indent)).join(' | ')
  if (type === 'array') return `${s['items'] === undefined ? 'unknown' : typeOf(asNode(s['items']), indent)}[]`
  if (type === 'object' || s['properties'] !== undefined) {
    const required = new Set(Array.isArray(s['required']) ? (s['required'] as ReadonlyArray<string>) : [])
    const inner = `${indent}  `
    const lines = entries(s['properties']).map(([k, v]) => {
      const note = typeof v['description'] === 'string' && v['$ref'] === undefined ? ` <span class="note">// ${prose(v['description'])}</span>` : ''
      return `${inner}${esc(k)}${required.has(k) ? '' : '?'}: ${typeOf(v, inner)}${note}`
    })
    if (s['additionalProperties'] !== undefined && typeof s['additionalProperties'] === 'object')
      lines.push(`${inner}[key: string]: ${typeOf(asNode(s['additionalProperties']), inner)}`)
    return lines.length === 0 ? 'object' : `{\n${lines.join('\n')}\n${indent}}`
  }
  const limits = [
    typeof s['pattern'] === 'string' ? `pattern ${s['pattern']}` : '',
    s['minimum'] !== undefined ? `≥ ${String(s['minimum'])}` : '',
    s['maximum'] !== undefined ? `≤ ${String(s['maximum'])}` : '',
    s['maxLength'] !== undefined ? `≤ ${String(s['maxLength'])} characters` : '',
  ].filter((x) => x !== '')
  const base = typeof type === 'string' ? type : 'any'
  return limits.length === 0 ? base : `${base} <span class="note">(${esc(limits.join(', '))})</span>`
}

const block = (s: Node): string => `<pre class="type">${typeOf(s)}</pre>`

const parameterRows = (params: unknown): string => {
  const list = Array.isArray(params) ? params.map(asNode) : []
  if (list.length === 0) return ''
  const rows = list.map(
    (p) =>
      `<tr><td><code>${esc(String(p['name']))}</code></td><td>${esc(String(p['in']))}</td><td>${p['required'] === true ? 'required' : ''}</td>` +
      `<td>${typeOf(asNode(p['schema']))}${p['description'] === undefined ? '' : ` — ${prose(p['description'])}`}</td></tr>`,
  )
  return `<h4>Parameters</h4><table><tr><th>name</th><th>in</th><th></th><th>type</th></tr>${rows.join('')}</table>`
}

const contentOf = (c: unknown): string =>
  entries(c)
    .map(([media, m]) => `<div class="media">${esc(media)}</div>${media === 'application/json' ? block(asNode(m['schema'])) : ''}`)
    .join('')

const responsesOf = (responses: unknown): string =>
  entries(responses)
    .map(([status, r]) => {
      const headers = entries(r['headers'])
        .map(([h, v]) => `<div class="header"><code>${esc(h)}</code>: ${prose(v['description'])}</div>`)
        .join('')
      return `<div class="response"><span class="status s${status[0]}">${esc(status)}</span> ${prose(r['description'])}${headers}${contentOf(r['content'])}</div>`
    })
    .join('')

const operationOf = (path: string, method: string, op: Node): string =>
  `<section class="op" id="op-${esc(String(op['operationId']))}">` +
  `<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>` +
  `<p class="summary">${prose(op['summary'])}</p><p>${prose(op['description']).replace(/\n\n/g, '</p><p>')}</p>` +
  parameterRows(op['parameters']) +
  (op['requestBody'] === undefined ? '' : `<h4>Request body</h4>${contentOf(asNode(op['requestBody'])['content'])}`) +
  `<h4>Responses</h4>${responsesOf(op['responses'])}</section>`

const style = `body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24}main{max-width:980px;margin:0 auto;padding:1em 2em}
nav{background:#f3f5f7;padding:1em 2em;border-bottom:1px solid #d8dde3}nav a{margin-right:1em}code,pre{font:13px/1.45 ui-monospace,monospace}
pre.type{background:#f6f8fa;border:1px solid #e1e4e8;padding:.6em .8em;overflow-x:auto;white-space:pre}.op{border-top:1px solid #d8dde3;padding:.5em 0 1em}
.method{display:inline-block;min-width:4em;text-align:center;border-radius:3px;color:#fff;font-size:13px;padding:1px 6px}.get{background:#1f6feb}.post{background:#1a7f37}
.put,.patch{background:#9a6700}.delete{background:#cf222e}.status{font-weight:600;padding:0 4px;border-radius:3px}.s2{color:#1a7f37}.s4{color:#9a6700}.s5{color:#cf222e}
.media{color:#57606a;font-size:13px}.note{color:#57606a}.lit{color:#0a3069}table{border-collapse:collapse}td,th{border:1px solid #e1e4e8;padding:2px 8px;text-align:left;vertical-align:top}
.summary{font-weight:600}.response{margin:.4em 0}.header{margin-left:2em;font-size:13px}`

/** The whole page. Every string of the document is escaped: descriptions never carry markup into it. */
export const docsPage = (doc: OpenApi): string => {
  const info = asNode(doc['info'])
  const ops = entries(doc['paths']).flatMap(([path, methods]) => entries(methods).map(([method, op]) => ({ path, method, op })))
  const tags = Array.isArray(doc['tags']) ? doc['tags'].map(asNode) : []
  const sections = tags.map((tag) => {
    const mine = ops.filter((o) => Array.isArray(o.op['tags']) && (o.op['tags'] as ReadonlyArray<unknown>)[0] === tag['name'])
    return `<h2 id="tag-${esc(String(tag['name']))}">${esc(String(tag['name']))}</h2><p>${prose(tag['description'])}</p>${mine.map((o) => operationOf(o.path, o.method, o.op)).join('')}`
  })
  const schemas = entries(asNode(doc['components'])['schemas']).map(
    ([name, s]: [string, JsonSchema]) =>
      `<section id="${anchor(name)}"><h3>${esc(name)}</h3>${s['description'] === undefined ? '' : `<p>${prose(s['description'])}</p>`}${block(s)}</section>`,
  )
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${esc(String(info['title']))}</title><style>${style}</style></head><body>` +
    `<nav><b>${esc(String(info['title']))}</b> — ${tags.map((t) => `<a href="#tag-${esc(String(t['name']))}">${esc(String(t['name']))}</a>`).join('')}<a href="#schemas">schemas</a><a href="/openapi.json">openapi.json</a></nav>` +
    `<main><p>${prose(info['description'])}</p>${sections.join('')}<h2 id="schemas">Schemas</h2>${schemas.join('')}</main></body></html>`
  )
}
