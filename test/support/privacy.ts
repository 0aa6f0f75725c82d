// Personal data for tests that wire ports by hand: a key store in the test's directory, and one identity
// secret every test process shares, so a test can derive the lead ids a service derives.
import { openPersonalData, type PersonalData } from '@leadstream/privacy'

/** Given to every service a test starts (LEADSTREAM_IDENTITY_SECRET) and used by tests deriving lead ids. */
export const testIdentitySecret = 'leadstream test identity secret'

export const testPersonalData = (dataDir: string): Promise<PersonalData> =>
  openPersonalData({
    dataDir,
    keyStore: 'sqlite',
    masterKey: '',
    masterKeyFile: '',
    previousMasterKeys: [],
    postgresUrl: '',
    postgresSchema: '',
    identitySecret: testIdentitySecret,
  })
