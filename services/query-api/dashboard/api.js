// Talks to the query API: the bearer token (asked for on a 401, kept in sessionStorage, never in the URL),
// JSON reads, and the export download (a fetch with the header, saved as a blob: a link cannot send it).

const TOKEN_KEY = 'leadstream.analystToken'

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`)
    this.status = status
    this.body = body
  }
}

const tokenDialog = () => document.getElementById('token-dialog')
let asking = null

/** Opens the token dialog (once, however many requests failed) and resolves when a token was given. */
const askForToken = (reason) => {
  asking ??= new Promise((resolve) => {
    const dialog = tokenDialog()
    const form = document.getElementById('token-form')
    document.getElementById('token-error').textContent = reason
    form.reset()
    const done = (e) => {
      e.preventDefault()
      const token = new FormData(form).get('token')
      if (typeof token !== 'string' || token.trim() === '') return
      sessionStorage.setItem(TOKEN_KEY, token.trim())
      form.removeEventListener('submit', done)
      dialog.close()
      asking = null
      resolve()
    }
    form.addEventListener('submit', done)
    // Escape would leave the page with no data and no way back: the dialog stays until a token is given.
    dialog.addEventListener('cancel', (e) => e.preventDefault(), { once: true })
    dialog.showModal()
  })
  return asking
}

const headers = () => {
  const token = sessionStorage.getItem(TOKEN_KEY)
  return token === null ? {} : { authorization: `Bearer ${token}` }
}

/** A GET that asks for a token on 401/403 and tries again; other failures become an ApiError. */
export const request = async (path) => {
  for (;;) {
    const res = await fetch(path, { headers: headers() })
    if (res.status === 401 || res.status === 403) {
      const hadToken = sessionStorage.getItem(TOKEN_KEY) !== null
      sessionStorage.removeItem(TOKEN_KEY)
      await askForToken(res.status === 403 ? 'That token lacks the analyst role.' : hadToken ? 'That token was not accepted.' : '')
      continue
    }
    return res
  }
}

export const getJson = async (path) => {
  const res = await request(path)
  const body = await res.json().catch(() => null)
  if (!res.ok) throw new ApiError(res.status, body)
  return body
}

/** Downloads a file the server streams, with the token, under the name it gives (Content-Disposition). */
export const download = async (path) => {
  const res = await request(path)
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => null))
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'leads.csv'
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return name
}
