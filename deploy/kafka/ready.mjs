// Readiness probe for deploy/kafka/broker.sh: exits 0 once a kafkajs admin client can list the broker's topics.
// Usage: node deploy/kafka/ready.mjs 127.0.0.1:19092
// Exit codes: 0 ready, 1 not (yet) ready, 3 kafkajs is not installed (the workspace's pnpm install has not run).
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const brokers = (process.argv[2] ?? '127.0.0.1:19092').split(',')
// kafkajs is a dependency of the test package; resolve it from there.
const require = createRequire(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'package.json'))
let kafkajs
try {
  kafkajs = require('kafkajs')
} catch {
  process.exit(3)
}
const { Kafka, logLevel } = kafkajs
const kafka = new Kafka({
  clientId: 'broker-sh-ready',
  brokers,
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 5000,
  retry: { retries: 0 },
})
const admin = kafka.admin()
try {
  await admin.connect()
  await admin.listTopics()
  const cluster = await admin.describeCluster()
  if (cluster.brokers.length === 0) throw new Error('no broker registered yet')
  process.exitCode = 0
} catch (err) {
  console.error(`${new Date().toISOString()} not ready: ${err instanceof Error ? err.message : String(err)}`)
  process.exitCode = 1
} finally {
  await admin.disconnect().catch(() => {})
}
