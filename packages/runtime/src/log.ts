// The one logger: structured JSON lines (pino). Lead contact data is personal data and never logged:
// log lead ids, counts and reasons, never customer fields or payloads.
import { pino, type Logger } from 'pino'

export type { Logger }

export const createLogger = (service: string, level: string = process.env['LEADSTREAM_LOG_LEVEL'] ?? 'info'): Logger =>
  pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Belt and braces: should a customer object ever reach a log call, its fields are removed.
    redact: { paths: ['customer', '*.customer', 'payload', '*.payload', 'UserDetails', '*.UserDetails', 'email', '*.email'], remove: true },
  })
