// A real headless Chromium for the browser tests: Debian's chromium package, driven by playwright-core.
// The rule, as for Kafka: in CI (CI=true) a missing browser FAILS the run; locally the suite says loudly that
// it did not run, and registers no cases.
import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** The browser executable (LEADSTREAM_CHROMIUM, else /usr/bin/chromium), or null when there is none. */
export const requireChromium = (suiteName: string): string | null => {
  const path = process.env['LEADSTREAM_CHROMIUM'] ?? '/usr/bin/chromium'
  if (existsSync(path)) return path
  if (process.env['CI'] === 'true') throw new Error(`no browser at ${path} in CI: "${suiteName}" needs one (.ci/run installs Debian's chromium)`)
  process.stderr.write(`!!! no browser at ${path}: ${suiteName} did not run (apt-get install chromium, or set LEADSTREAM_CHROMIUM)\n`)
  return null
}

/** Headless, offline-minded flags; playwright gives each launch a fresh temporary profile (user-data dir). */
export const launchChromium = (executablePath: string): Promise<Browser> =>
  chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
