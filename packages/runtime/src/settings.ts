// Setting groups the services share, so each variable means the same thing in every process.
import { IntFromEnv, ListFromEnv, setting, StringFromEnv } from './config.js'


export const commonSettings = {
  dataDir: setting('LEADSTREAM_DATA_DIR', StringFromEnv, 'directory of the SQLite files (events, views, dead letters, checkpoints)', './data'),
  logLevel: setting('LEADSTREAM_LOG_LEVEL', StringFromEnv, 'pino log level (fatal, error, warn, info, debug, silent)', 'info'),
}

export const httpSettings = (defaultPort: number) => ({
  host: setting('LEADSTREAM_HOST', StringFromEnv, 'address to listen on; forced to 127.0.0.1 while no tokens are configured', '127.0.0.1'),
  port: setting('LEADSTREAM_PORT', IntFromEnv('port', 0, 65535), 'HTTP port (0 picks a free one)', String(defaultPort)),
})

export const tokenSettings = {
  ingestTokens: setting('LEADSTREAM_INGEST_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the ingest role (write leads, commands, catalogue)', ''),
  analystTokens: setting('LEADSTREAM_ANALYST_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the analyst role (read views and leads)', ''),
  operatorTokens: setting('LEADSTREAM_OPERATOR_TOKENS', ListFromEnv, 'comma-separated bearer tokens of the operator role (admin; may do everything)', ''),
}

export const kafkaSettings = {
  kafkaBrokers: setting('KAFKA_BROKERS', ListFromEnv, 'comma-separated Kafka bootstrap brokers (host:port); empty = no Kafka', ''),
  eventsTopic: setting('LEADSTREAM_EVENTS_TOPIC', StringFromEnv, 'Kafka topic the relay publishes events to and projectors read', 'lead-events'),
  inboundTopic: setting('LEADSTREAM_INBOUND_TOPIC', StringFromEnv, 'Kafka topic ingest consumes upstream leads from', 'leads.inbound'),
  topicPartitions: setting('LEADSTREAM_TOPIC_PARTITIONS', IntFromEnv('partitions', 1, 1000), 'partitions of lead-events and leads.inbound when leadstream creates them', '3'),
  dlqTopic: setting('LEADSTREAM_DLQ_TOPIC', StringFromEnv, 'Kafka topic rejected inbound messages go to, reason in headers', 'leads.inbound.dlq'),
}
