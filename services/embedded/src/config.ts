// Settings of the embedded mode (`pnpm start`): every one an environment variable, decoded at start-up.
import { ingestSettings } from '@leadstream/ingest'
import { projectorSettings } from '@leadstream/projector'
import { querySettings } from '@leadstream/query-api'
import { commonSettings, httpSettings, tokenSettings, type ConfigOf } from '@leadstream/runtime'

export const embeddedSettings = {
  ...commonSettings,
  ...httpSettings(8080),
  ...tokenSettings,
  ...ingestSettings,
  ...projectorSettings,
  ...querySettings,
}

export type EmbeddedConfig = ConfigOf<typeof embeddedSettings>
