// Settings of the embedded mode (`pnpm start`): every one an environment variable, decoded at start-up.
import { ingestSettings } from '@leadstream/ingest'
import { projectorSettings } from '@leadstream/projector'
import { querySettings } from '@leadstream/query-api'
import { commonSettings, eventStoreSettings, httpSettings, tokenSettings, viewStoreSettings, type ConfigOf } from '@leadstream/runtime'

export const embeddedSettings = {
  ...commonSettings,
  ...httpSettings(8080),
  ...tokenSettings,
  ...eventStoreSettings,
  ...viewStoreSettings,
  ...ingestSettings,
  ...projectorSettings,
  ...querySettings,
}

export type EmbeddedConfig = ConfigOf<typeof embeddedSettings>
