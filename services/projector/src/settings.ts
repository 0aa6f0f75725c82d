// Settings of the projector (the batch size is also the embedded mode's).
import * as t from 'io-ts'
import { IntFromEnv, setting, StringFromEnv } from '@leadstream/runtime'

export const projectorSettings = {
  projectorBatch: setting('LEADSTREAM_PROJECTOR_BATCH', IntFromEnv('events', 1, 100000), 'events the projector applies per transaction', '5000'),
  rebuildBatch: setting(
    'LEADSTREAM_REBUILD_BATCH',
    IntFromEnv('events', 1, 100000),
    'events per transaction while a rebuild builds a new generation (larger batches cost memory and were no faster: BENCHMARKS.md, rebuild at scale)',
    '2000',
  ),
  onPoison: setting(
    'LEADSTREAM_PROJECTION_ON_POISON',
    t.keyof({ stop: null, park: null }),
    'an event a projection cannot apply: stop the projection there (fix, then it resumes) or park it in dead letters and go on',
    'stop',
  ),
}

export const projectorServiceSettings = {
  eventLog: setting(
    'LEADSTREAM_EVENT_LOG',
    t.keyof({ embedded: null, kafka: null }),
    'where projectors read events: embedded (the SQLite event store) or kafka',
    'embedded',
  ),
  projectorGroup: setting('LEADSTREAM_PROJECTOR_GROUP', StringFromEnv, 'Kafka consumer group the projector processes share', 'leadstream-projector'),
}
