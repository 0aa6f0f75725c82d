// Personal data for tests that wire ports by hand: a key store in the test's directory, and one identity
// secret every test process shares, so a test can derive the lead ids a service derives.
import { openPersonalData, type PersonalData, type PersonalDataSettings } from '@leadstream/privacy'
import type { Logger } from '@leadstream/runtime'

/** Given to every service a test starts (LEADSTREAM_IDENTITY_SECRET) and used by tests deriving lead ids. */
export const testIdentitySecret = 'leadstream test identity secret'

/** The embedded default's personal-data settings over `dataDir`; an empty identity secret is generated and kept in the key store. */
export const embeddedPersonalSettings = (dataDir: string, identitySecret = testIdentitySecret): PersonalDataSettings => ({
  dataDir,
  keyStore: 'sqlite',
  masterKey: '',
  masterKeyFile: '',
  previousMasterKeys: [],
  postgresUrl: '',
  postgresSchema: '',
  identitySecret,
})

export const testPersonalData = (dataDir: string, identitySecret = testIdentitySecret, logger?: Logger): Promise<PersonalData> =>
  openPersonalData(embeddedPersonalSettings(dataDir, identitySecret), logger)
