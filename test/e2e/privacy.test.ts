// Personal data in the embedded mode, end to end: the event store's files (WAL included) hold the contact data
// as ciphertext only while analysts still read it in the views; a subject whose key is shredded reads as redacted
// after a rebuild, with the counts unchanged; a master key that does not open the key store stops the server
// (exit code 7, the setting named) before it writes anything.
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { LeadAccepted, LeadAnswer, QualificationAnswer } from '@leadstream/api'
import { masterKey, MASTER_KEY_FILE, newKey, openKeyStore, subjectOfEmail } from '@leadstream/privacy'
import { getJson, http, startTestServer, typed, type TestServer } from '../support/embedded.js'
import { runToExit } from '../support/services.js'

const test = suite('privacy :: embedded')

/** Distinctive enough that finding one in a file can only mean plaintext personal data. */
const person = {
  FirstName: 'Zebulon',
  LastName: 'Quixotically',
  Email: 'zebulon.quixotically@privacy-test.example',
  Phone: '+1 555 0199 7731',
  Country: 'NZ',
  Company: 'Xylophonic Widgets',
  Title: 'Chief Umbrella Officer',
}
const freeText = 'Please ring after the equinox, Zebulon speaking'
const later = 'Second thoughts: quixotic request about umbrellas'
const needles = [person.FirstName, person.LastName, person.Email, person.Phone, person.Company, person.Title, freeText, later, 'quixotic request']
const lead = (action: string, description: string) => ({
  UserDetails: person,
  LeadSource: 'SPZA',
  ActionCode: action,
  OfferTitle: 'Contoso CRM',
  Description: description,
})
const edu = {
  UserDetails: { FirstName: '', LastName: '', Email: '', Phone: '', Country: 'US', Company: '', Title: '' },
  LeadSource: 'SPZA',
  ActionCode: 'PLT',
  OfferTitle: 'Contoso CRM',
}

/** Every file of the data dir whose name starts with `prefix` (the database, its -wal and -shm). */
const bytesOf = (dir: string, prefix: string): Buffer =>
  Buffer.concat(
    ['', '-wal', '-shm']
      .map((s) => join(dir, prefix + s))
      .filter(existsSync)
      .map((p) => readFileSync(p)),
  )
const found = (bytes: Buffer, needle: string): boolean =>
  bytes.includes(Buffer.from(needle, 'utf8')) || bytes.includes(Buffer.from(needle.toLowerCase(), 'utf8'))

const defaults = { LEADSTREAM_IDENTITY_SECRET: '' }
let server: TestServer | null = null
let leadId = ''
let position = 0

test.after(async () => {
  await server?.dispose()
})

test('seal :: events.db and its WAL hold ciphertext only; analysts read the contact data in the views', async () => {
  // No identity secret set: the embedded default keeps one in the key store (used below to find the subject).
  server = await startTestServer(defaults)
  const first = typed(LeadAccepted, await http('POST', `${server.url}/v1/marketplace/leads`, lead('PLT', freeText)))
  assert.is(first.status, 201)
  leadId = first.body.leadId
  const second = typed(LeadAccepted, await http('POST', `${server.url}/v1/marketplace/leads`, lead('INS', later)))
  assert.is(second.status, 201)
  const third = typed(LeadAccepted, await http('POST', `${server.url}/v1/marketplace/leads`, edu))
  position = third.body.position

  const events = bytesOf(server.dataDir, 'events.db')
  for (const n of needles) assert.not.ok(found(events, n), `events.db holds "${n}" in clear`)
  assert.ok(events.includes(Buffer.from('"keyId":"dk-')), 'the sealed records are there')
  assert.ok(events.includes(Buffer.from('"country":"NZ"')), 'the country stays in clear for analysts')
  const keys = bytesOf(server.dataDir, 'keys.db')
  for (const n of needles) assert.not.ok(found(keys, n), `keys.db holds "${n}"`)
  assert.ok(existsSync(join(server.dataDir, MASTER_KEY_FILE)), 'the embedded default created its master key')

  const detail = (await getJson(LeadAnswer, `${server.url}/v1/leads/${leadId}?minPosition=${position}`)).body.lead
  assert.equal(detail.customer, {
    firstName: person.FirstName,
    lastName: person.LastName,
    email: person.Email,
    phone: person.Phone,
    country: 'NZ',
    company: person.Company,
    title: person.Title,
  })
  assert.is(detail.description, freeText)
  assert.equal(detail.actions, ['PLT', 'INS'])
  const eduDetail = (await getJson(LeadAnswer, `${server.url}/v1/leads/${third.body.leadId}?minPosition=${position}`)).body.lead
  assert.is(eduDetail.customer.email, '')
})

test('shredded :: a rebuild without the subject’s key shows the lead redacted, counts unchanged', async () => {
  if (server === null) throw new Error('the first case did not start the server')
  const dataDir = server.dataDir
  const before = (await getJson(QualificationAnswer, `${server.url}/v1/views/qualification?minPosition=${position}&includeTest=true`)).body
  await server.close()
  const settings = { dataDir, keyStore: 'sqlite' as const, masterKey: '', masterKeyFile: '', previousMasterKeys: [], postgresUrl: '', postgresSchema: '' }
  const keys = await openKeyStore(settings)
  const subject = subjectOfEmail(await keys.identitySecret(), person.Email)
  assert.is(await keys.shred(subject!), 1)
  await keys.close()
  for (const f of ['views.db', 'views.db-wal', 'views.db-shm']) rmSync(join(dataDir, f), { force: true })

  server = await startTestServer(defaults, dataDir)
  const detail = (await getJson(LeadAnswer, `${server.url}/v1/leads/${leadId}?minPosition=${position}`)).body.lead
  assert.equal(detail.customer, { firstName: '', lastName: '', email: '', phone: '', country: 'NZ', company: '', title: '' })
  assert.is(detail.description, null)
  assert.equal(detail.actions, ['PLT', 'INS'], 'what analysts count by stays')
  const after = (await getJson(QualificationAnswer, `${server.url}/v1/views/qualification?minPosition=${position}&includeTest=true`)).body
  assert.equal(after.states, before.states)
  assert.is(after.total, before.total)
})

test('master key :: a wrong or missing key stops the server with exit code 7, naming the setting', async () => {
  if (server === null) throw new Error('the first case did not start the server')
  const dataDir = server.dataDir
  await server.close()
  const env = { LEADSTREAM_DATA_DIR: dataDir, LEADSTREAM_PORT: '0', LEADSTREAM_LOG_LEVEL: 'warn' }
  const other = newKey().toString('base64')
  const wrong = await runToExit('embedded', { ...env, LEADSTREAM_MASTER_KEY: other })
  assert.is(wrong.code, 7, wrong.output)
  assert.match(wrong.output, /LEADSTREAM_MASTER_KEY/)
  assert.match(wrong.output, new RegExp(masterKey(Buffer.from(other, 'base64')).id), 'says which key it was given (by id, never the key)')
  assert.not.ok(wrong.output.includes(other), 'never prints the key')

  renameSync(join(dataDir, MASTER_KEY_FILE), join(dataDir, `${MASTER_KEY_FILE}.away`))
  const missing = await runToExit('embedded', env)
  assert.is(missing.code, 7, missing.output)
  assert.match(missing.output, /master\.key/)

  const malformed = await runToExit('embedded', { ...env, LEADSTREAM_MASTER_KEY: 'not-a-key' })
  assert.is(malformed.code, 2, malformed.output)
  assert.match(malformed.output, /LEADSTREAM_MASTER_KEY/)

  // Put back, the store opens again.
  renameSync(join(dataDir, `${MASTER_KEY_FILE}.away`), join(dataDir, MASTER_KEY_FILE))
  server = await startTestServer(defaults, dataDir)
})

test.run()
