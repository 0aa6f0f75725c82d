// Where deliveries may connect: a webhook URL is checked as text when it is subscribed, but its host is resolved
// only when a delivery is sent, so the address is checked then, by the agents' own `lookup` (the address the
// socket connects to is the one checked; no second resolution in between). Plain http goes to loopback only;
// https goes to public addresses, and to private and loopback ones only when the operator allows it (on-premises
// receivers). Link-local (169.254.169.254, a cloud's metadata service), unspecified (0.0.0.0 reaches this host),
// multicast and reserved addresses are never reached.
import dns, { type LookupAddress, type LookupOptions } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'

// ---------------------------------------------------------------------------------------------------------
// model
// ---------------------------------------------------------------------------------------------------------

export type AddressKind = 'public' | 'loopback' | 'private' | 'link-local' | 'unspecified' | 'reserved'

/** `allow`: https may reach private and loopback addresses too (receivers on the operator's own network). */
export type PrivateNetworks = 'refuse' | 'allow'

/** A connection the policy refused: recorded as the attempt's error, so the message says what and why. */
export class AddressRefused extends Error {
  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: AddressKind,
    readonly secure: boolean,
  ) {
    super(
      `refused: ${host === address ? address : `${host} resolves to ${address}`}, a ${kind} address (${
        !secure
          ? 'plain http goes to loopback receivers only'
          : kind === 'loopback' || kind === 'private'
            ? 'set LEADSTREAM_WEBHOOK_PRIVATE_NETWORKS=allow for receivers on your own network'
            : 'never reached by webhooks'
      })`,
    )
  }
}

export interface Egress {
  readonly agents: { readonly http: http.Agent; readonly https: https.Agent }
  /** Why a URL whose host is an IP address may not be reached (sockets skip `lookup` for those), or null. */
  refusal(url: URL): AddressRefused | null
}

type Resolve = (
  hostname: string,
  options: LookupOptions & { all: true },
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

// ---------------------------------------------------------------------------------------------------------
// destructors
// ---------------------------------------------------------------------------------------------------------

const v4 = (a: string): number | null => {
  const parts = a.split('.')
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null
  return parts.reduce((n, p) => n * 256 + Number(p), 0)
}

const inV4 = (n: number, cidr: string): boolean => {
  const [base, bits] = cidr.split('/')
  const b = v4(base ?? '') ?? -1
  const size = 2 ** (32 - Number(bits))
  return Math.floor(n / size) === Math.floor(b / size)
}

const kindOfV4 = (n: number): AddressKind => {
  const any = (...cidrs: string[]) => cidrs.some((c) => inV4(n, c))
  if (any('0.0.0.0/8')) return 'unspecified'
  if (any('127.0.0.0/8')) return 'loopback'
  if (any('169.254.0.0/16')) return 'link-local'
  if (any('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15')) return 'private'
  // IETF protocol assignments, documentation, multicast, reserved and broadcast.
  if (any('192.0.0.0/24', '192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4')) return 'reserved'
  return 'public'
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 part included), or null. */
const v6 = (a: string): number[] | null => {
  let s = a.toLowerCase().replace(/%.*$/, '')
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (dotted !== null) {
    const n = v4(dotted[1]!)
    if (n === null) return null
    s = `${s.slice(0, -dotted[1]!.length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`
  }
  const halves = s.split('::')
  if (halves.length > 2) return null
  const groups = (h: string | undefined) => (h === undefined || h === '' ? [] : h.split(':'))
  const head = groups(halves[0])
  const tail = groups(halves[1])
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0
  const all = [...head, ...Array<string>(Math.max(0, fill)).fill('0'), ...tail]
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/.test(g))) return null
  return all.map((g) => Number.parseInt(g, 16))
}

/** What kind of address `address` is (an IPv4 address inside IPv6, mapped or NAT64 or 6to4, counts as itself). */
export const addressKind = (address: string): AddressKind => {
  const four = v4(address)
  if (four !== null) return kindOfV4(four)
  const g = v6(address)
  if (g === null) return 'reserved'
  const [g0 = 0, g1 = 0, , , , g5 = 0, g6 = 0, g7 = 0] = g
  const embedded = (hi: number, lo: number) => kindOfV4(hi * 65536 + lo)
  if (g.slice(0, 5).every((x) => x === 0) && g5 === 0xffff) return embedded(g6, g7) // ::ffff:a.b.c.d
  if (g0 === 0x64 && g1 === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return embedded(g6, g7) // 64:ff9b::a.b.c.d
  if (g0 === 0x2002) return embedded(g1, g[2] ?? 0) // 6to4
  if (g.every((x) => x === 0)) return 'unspecified'
  if (g.slice(0, 7).every((x) => x === 0) && g7 === 1) return 'loopback'
  if ((g0 & 0xffc0) === 0xfe80) return 'link-local'
  if ((g0 & 0xfe00) === 0xfc00) return 'private'
  if ((g0 & 0xff00) === 0xff00 || (g0 === 0x2001 && g1 === 0x0db8) || g.slice(0, 6).every((x) => x === 0)) return 'reserved' // multicast, documentation, IPv4-compatible
  return 'public'
}

/** Whether a delivery may connect to an address of this kind. */
export const permitted = (kind: AddressKind, secure: boolean, privateNetworks: PrivateNetworks): boolean =>
  !secure ? kind === 'loopback' : kind === 'public' || (privateNetworks === 'allow' && (kind === 'private' || kind === 'loopback'))

// ---------------------------------------------------------------------------------------------------------
// constructors
// ---------------------------------------------------------------------------------------------------------

/** A `lookup` that resolves every address of the host and refuses the host if any of them is not permitted. */
const checkedLookup =
  (secure: boolean, privateNetworks: PrivateNetworks, resolve: Resolve): LookupFunction =>
  (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (err, addresses) => {
      if (err !== null) return callback(err, '', 0)
      // All of them, not the first: a host that answers with one public and one private address is refused.
      for (const a of addresses) {
        const kind = addressKind(a.address)
        if (!permitted(kind, secure, privateNetworks)) return callback(new AddressRefused(hostname, a.address, kind, secure), '', 0)
      }
      const [first] = addresses
      if (options.all === true) return callback(null, addresses)
      if (first === undefined) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0)
      return callback(null, first.address, first.family)
    })
  }

/** Keep-alive agents whose connections go only where the policy allows, and the check for IP-address hosts. */
export const egress = (privateNetworks: PrivateNetworks, resolve: Resolve = dns.lookup): Egress => ({
  agents: {
    http: new http.Agent({ keepAlive: true, lookup: checkedLookup(false, privateNetworks, resolve) }),
    https: new https.Agent({ keepAlive: true, lookup: checkedLookup(true, privateNetworks, resolve) }),
  },
  refusal: (url) => {
    const host = url.hostname.replace(/^\[|\]$/g, '')
    if (isIP(host) === 0) return null
    const secure = url.protocol === 'https:'
    const kind = addressKind(host)
    return permitted(kind, secure, privateNetworks) ? null : new AddressRefused(host, host, kind, secure)
  },
})
