// The EventStoreDB adapter against the shared contract. Needs a server: EVENTSTORE_URL, e.g. esdb://127.0.0.1:2113?tls=false.
import { eventStoreContract } from '../contract.js'
import { eventStoreDbEventStore } from './store.js'

const url = process.env['EVENTSTORE_URL'] ?? ''

// Skipped loudly, not failed, even in CI: no EventStoreDB/KurrentDB can run on these machines or in this CI (its
// container images and OS packages are unreachable), so a CI failure here would only ever say that. Run it where a
// server is: EVENTSTORE_URL=esdb://localhost:2113?tls=false node --import tsx test/run.ts esdb
// Use a fresh database: readAll and head see every lead-/offer- stream in it, including other runs' events.
if (url === '') {
  process.stderr.write('!!! EVENTSTORE_URL is not set: the EventStoreDB event-store contract did not run\n')
} else {
  eventStoreContract('eventstoredb', async () => eventStoreDbEventStore({ connectionString: url }))
}
