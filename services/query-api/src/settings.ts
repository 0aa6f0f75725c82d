// Settings of the query API (also part of the embedded mode's).
import { IntFromEnv, setting } from '@leadstream/runtime'

export const querySettings = {
  readWaitMs: setting('LEADSTREAM_READ_WAIT_MS', IntFromEnv('ms', 0, 30000), 'how long a read with minPosition waits by default', '5000'),
}
