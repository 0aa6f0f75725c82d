// The projection registry entry as stored, checked with io-ts when read back.
import * as t from 'io-ts'
import type { RegistryEntry } from './port.js'

const Generation = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1, 'generation')

export const RegistryCodec: t.Type<RegistryEntry, RegistryEntry, unknown> = t.readonly(
  t.type({
    live: Generation,
    liveVersion: t.number,
    building: t.union([Generation, t.null]),
    buildingVersion: t.union([t.number, t.null]),
    paused: t.boolean,
  }),
  'RegistryEntry',
)
