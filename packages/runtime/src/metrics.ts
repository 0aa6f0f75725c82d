// The one metrics registry per process (prom-client), with Node's default metrics.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

export interface Metrics {
  readonly registry: Registry
  readonly leadsReceived: Counter<'format' | 'outcome'>
  readonly eventsAppended: Counter<string>
  readonly eventsProjected: Counter<'projection'>
  readonly eventsPublished: Counter<string>
  readonly projectionPosition: Gauge<'projection'>
  readonly logHead: Gauge<string>
  readonly httpDuration: Histogram<'route' | 'method' | 'status'>
  readonly deadLetters: Counter<'source'>
  readonly projectionLag: Gauge<'projection' | 'generation' | 'role'>
  readonly projectionRate: Gauge<'projection' | 'generation' | 'role'>
}

export const createMetrics = (): Metrics => {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  return {
    registry,
    leadsReceived: new Counter({
      name: 'leadstream_leads_received_total',
      help: 'Inbound leads by format and outcome (accepted, duplicate, rejected)',
      labelNames: ['format', 'outcome'],
      registers: [registry],
    }),
    eventsAppended: new Counter({ name: 'leadstream_events_appended_total', help: 'Events appended to the event store', registers: [registry] }),
    eventsProjected: new Counter({
      name: 'leadstream_events_projected_total',
      help: 'Events applied by a projection',
      labelNames: ['projection'],
      registers: [registry],
    }),
    eventsPublished: new Counter({
      name: 'leadstream_events_published_total',
      help: 'Events the relay published from the event store into Kafka',
      registers: [registry],
    }),
    projectionPosition: new Gauge({
      name: 'leadstream_projection_position',
      help: 'Last global position a projection has committed',
      labelNames: ['projection'],
      registers: [registry],
    }),
    logHead: new Gauge({ name: 'leadstream_log_head_position', help: 'Position of the last event in the log', registers: [registry] }),
    httpDuration: new Histogram({
      name: 'leadstream_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'leadstream_dead_letters_total',
      help: 'Inbound payloads rejected into dead letters',
      labelNames: ['source'],
      registers: [registry],
    }),
    projectionLag: new Gauge({
      name: 'leadstream_projection_lag_events',
      help: 'Events of the log a projection generation has not applied yet',
      labelNames: ['projection', 'generation', 'role'],
      registers: [registry],
    }),
    projectionRate: new Gauge({
      name: 'leadstream_projection_events_per_second',
      help: 'Recent projection rate of a generation',
      labelNames: ['projection', 'generation', 'role'],
      registers: [registry],
    }),
  }
}
