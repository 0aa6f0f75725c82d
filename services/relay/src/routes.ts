// Operators' HTTP for the relay: reseed (republish the event store into Kafka), operator role.
import type { Router } from 'express'
import { operatorRoutes, RelayStatusView, ReseedRequested } from '@leadstream/api'
import { mount, reply, type Tokens } from '@leadstream/http-edge'
import type { Relay } from './relay.js'

export const relayRoutes =
  (relay: Relay, options: { readonly tokens: Tokens }) =>
  (router: Router): void => {
    mount(router, options.tokens, operatorRoutes.getRelay, async (_req, res) => {
      reply(res, RelayStatusView, await relay.status())
    })
    mount(router, options.tokens, operatorRoutes.reseedRelay, async (_req, res) => {
      relay.reseed()
      reply(res, ReseedRequested, { reseed: 'requested', status: await relay.status() }, 202)
    })
  }
