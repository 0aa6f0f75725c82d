// The CLI's command groups, in the order `leadstream --help` lists them: the one place a group is registered.
//
// To add a group (say `leadstream privacy …`):
//   1. write src/privacy.ts exporting `commands: ReadonlyArray<Command>` (see command.ts; deadLetters.ts is a
//      short example), importing codecs and other heavy modules lazily or only from what `run` reaches;
//   2. add one line below: `{ name: 'privacy', summary: '…', load: async () => (await import('./privacy.js')).commands }`;
//   3. test it like test/cli/cli.test.ts does (the CLI as a child process against a real server).
// A group's module is imported only when its name is on the command line, so `leadstream --help` stays fast.
import type { Command } from './command.js'

export interface Group {
  readonly name: string
  readonly summary: string
  readonly load: () => Promise<ReadonlyArray<Command>>
  /** A group of one command, run as `leadstream <name> [arguments]` (its command's name is not typed). */
  readonly single?: boolean
}

export const groups: ReadonlyArray<Group> = [
  {
    name: 'projections',
    summary: 'status, rebuild, pause and resume the projector’s projections',
    load: async () => (await import('./projections.js')).commands,
  },
  { name: 'dead-letters', summary: 'list, show, replay and discard rejected inbound payloads', load: async () => (await import('./deadLetters.js')).commands },
  { name: 'parked', summary: 'lifecycle events from upstream waiting for their lead’s capture', load: async () => (await import('./parked.js')).commands },
  {
    name: 'events',
    summary: 'read the event store: one lead’s stream, or the global log; check its integrity',
    load: async () => (await import('./events.js')).commands,
  },
  {
    name: 'import',
    summary: 'import a CRM export or an event history (NDJSON of native events, or CSV one lead per row) over HTTP',
    load: async () => (await import('./import/command.js')).commands,
    single: true,
  },
  { name: 'relay', summary: 'the Kafka relay (distributed mode): status, reseed', load: async () => (await import('./relay.js')).commands },
  // erase, export and status call ingest's privacy routes (privacy.ts); rotate works on the key store itself (rotate.ts).
  {
    name: 'privacy',
    summary: 'personal data: erase a person, export everything held about a person, retention and erasure status, re-wrap keys after a master-key rotation',
    load: async () => [...(await import('./privacy.js')).commands, ...(await import('./rotate.js')).commands],
  },
  {
    name: 'webhooks',
    summary: 'signed webhooks out: subscriptions, their lag and errors, parked deliveries, replay',
    load: async () => (await import('./webhooks.js')).commands,
  },
]
