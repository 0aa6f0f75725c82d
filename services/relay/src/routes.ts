// Operators' HTTP for the relay: reseed (republish the event store into Kafka), operator role.
import type { Router } from 'express'
import { requireRole, type Tokens } from '@leadstream/http-edge'
import type { Relay } from './relay.js'

export const relayRoutes =
  (relay: Relay, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    const operator = requireRole(options.tokens, 'operator')
    router.get('/v1/admin/relay', operator, async (_req, res) => {
      res.json(await relay.status())
    })
    router.post('/v1/admin/relay/reseed', operator, async (_req, res) => {
      relay.reseed()
      res.status(202).json({ reseed: 'requested', status: await relay.status() })
    })
  }
