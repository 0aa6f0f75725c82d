// Personal data in the distributed mode (real broker, real PostgreSQL key store shared by the services): leads
// in over HTTP and over leads.inbound are sealed by ingest, the relay publishes ciphertext only (no message of
// lead-events holds a contact field in clear), and the projector, opening with the shared key store, still
// gives analysts the contact data.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LeadAnswer } from '@leadstream/api'
import { decodeMarketplaceLead, defaultSources, keyedHash } from '@leadstream/domain'
import { newKey } from '@leadstream/privacy'
import { decodeAs } from '../support/embedded.js'
import { eventually } from '../support/eventually.js'
import { deleteTopics, kafkaClient, pipeline, requireKafka } from '../support/kafka.js'
import { dropSchemas, requirePostgres } from '../support/postgres.js'
import { testIdentitySecret } from '../support/privacy.js'
import { killAllServices, startService } from '../support/services.js'

const brokers = requireKafka('privacy on Kafka + PostgreSQL')
const pgUrl = await requirePostgres('privacy on Kafka + PostgreSQL')
const test = suite('privacy :: distributed')

const person = (tag: string) => ({
  FirstName: `Wilhelmina${tag}`,
  LastName: `Fizzlebottom${tag}`,
  Email: `wilhelmina.${tag.toLowerCase()}@privacy-kafka.example`,
  Phone: `+64 21 555 ${tag === 'Http' ? '1234' : '9876'} 42`,
  Country: 'NZ',
  Company: `Gargantuan ${tag} Llamas`,
  Title: `Vice Admiral of ${tag}`,
})
const leadOf = (tag: string) => ({
  UserDetails: person(tag),
  LeadSource: 'SPZA',
  ActionCode: 'PLT',
  OfferTitle: 'Contoso CRM',
  Description: `Free text from ${tag} Wilhelmina`,
})
const needlesOf = (tag: string): string[] => [
  ...Object.entries(person(tag))
    .filter(([k]) => k !== 'Country')
    .map(([, v]) => v),
  `Free text from ${tag}`,
]
const leadIdOf = (payload: unknown): string => {
  const d = decodeMarketplaceLead(defaultSources, { receivedAt: new Date().toISOString(), identity: keyedHash(Buffer.from(testIdentitySecret)) }, payload)
  if (d._tag === 'Left') throw new Error('an invalid test lead')
  return d.right.command.leadId
}

if (brokers !== null && pgUrl !== null) {
  test('kafka :: lead-events and events.db hold ciphertext only; the views show the contact data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leadstream-privacy-kafka-'))
    const schema = `privacy_${process.pid}_${Date.now().toString(36)}`
    const { topics, env: kafkaEnv } = await pipeline(brokers, dataDir, 'privacy')
    const env = {
      ...kafkaEnv,
      LEADSTREAM_KEY_STORE: 'postgres',
      LEADSTREAM_POSTGRES_URL: pgUrl,
      LEADSTREAM_POSTGRES_SCHEMA: schema,
      LEADSTREAM_MASTER_KEY: newKey().toString('base64'),
    }
    try {
      const ingest = await startService('ingest', env)
      const [, query] = await Promise.all([startService('relay', env), startService('query-api', env), startService('projector', env)])

      const http = await fetch(`${ingest.url}/v1/marketplace/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(leadOf('Http')),
      })
      assert.is(http.status, 201)
      const producer = kafkaClient(brokers).producer()
      await producer.connect()
      await producer.send({ topic: topics.inbound, messages: [{ key: 'k', value: JSON.stringify(leadOf('Kafka')), headers: { format: 'marketplace' } }] })
      await producer.disconnect()

      for (const tag of ['Http', 'Kafka']) {
        const answer = await eventually(
          `the ${tag} lead in the views`,
          async () => {
            const res = await fetch(`${query.url}/v1/leads/${leadIdOf(leadOf(tag))}`)
            return res.status === 200 ? decodeAs(LeadAnswer, await res.json()) : undefined
          },
          60000,
          250,
        )
        assert.is(answer.lead.customer.email, person(tag).Email, 'the projector opened it with the shared key store')
        assert.is(answer.lead.customer.phone, person(tag).Phone)
        assert.is(answer.lead.description, `Free text from ${tag} Wilhelmina`)
      }

      // Every message of lead-events, from the start.
      const values: Buffer[] = []
      const consumer = kafkaClient(brokers).consumer({ groupId: `privacy-check-${Date.now()}` })
      await consumer.connect()
      await consumer.subscribe({ topic: topics.events, fromBeginning: true })
      await consumer.run({
        eachMessage: async ({ message }) => void values.push(Buffer.concat([message.key ?? Buffer.alloc(0), message.value ?? Buffer.alloc(0)])),
      })
      await eventually('both captures read back from lead-events', () => (values.length >= 2 ? true : undefined), 30000, 100)
      await consumer.disconnect()
      const published = Buffer.concat(values)
      for (const n of [...needlesOf('Http'), ...needlesOf('Kafka')]) {
        assert.not.ok(published.includes(Buffer.from(n)), `lead-events holds "${n}" in clear`)
        assert.not.ok(published.includes(Buffer.from(n.toLowerCase())), `lead-events holds "${n.toLowerCase()}" in clear`)
      }
      assert.ok(published.includes(Buffer.from('"keyId":"dk-')), 'the published events carry sealed records')

      const stored = Buffer.concat(
        ['events.db', 'events.db-wal']
          .map((f) => join(dataDir, f))
          .filter(existsSync)
          .map((f) => readFileSync(f)),
      )
      for (const n of [...needlesOf('Http'), ...needlesOf('Kafka')]) assert.not.ok(stored.includes(Buffer.from(n)), `events.db holds "${n}" in clear`)
    } finally {
      await killAllServices()
      await deleteTopics(brokers, Object.values(topics)).catch(() => undefined)
      await dropSchemas(pgUrl, [`${schema}_keys`]).catch(() => undefined)
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
}

test.run()
