// `leadstream privacy rotate`: re-wraps every data key still wrapped by a previous master key with the current
// one, on the key store itself (read from the same settings the services use), and says when the previous key
// can be dropped. Safe while the services run: each key is re-wrapped only if no one did it meanwhile.
import { exitCode, jsonOut, type Command } from './command.js'

export const rotate: Command = {
  name: 'rotate',
  args: [],
  summary: 're-wrap every data key with the current master key (after a master-key rotation), then report',
  details:
    'Opens the key store from the settings (LEADSTREAM_KEY_STORE, LEADSTREAM_MASTER_KEY or LEADSTREAM_MASTER_KEY_FILE,\n' +
    'LEADSTREAM_PREVIOUS_MASTER_KEYS, LEADSTREAM_DATA_DIR, LEADSTREAM_POSTGRES_URL/SCHEMA). Exit 7 when the master keys do not open it.\n' +
    'When it reports that only the current master key wraps keys, LEADSTREAM_PREVIOUS_MASTER_KEYS can be removed.',
  options: [['--data-dir <dir>', 'the data directory holding keys.db and master.key (LEADSTREAM_DATA_DIR; default ./data)']],
  json: '{rewrapped, wrappedBy: [{masterId, keys}], current}',
  run: async (ctx, _args, values) => {
    // The key store and its settings are loaded by this command only.
    const [{ loadConfig, privacySettings, commonSettings, StartupFault }, { openKeyStore, rewrapAll, loadMasterKeys }] = await Promise.all([
      import('@leadstream/runtime'),
      import('@leadstream/privacy'),
    ])
    const env = typeof values['dataDir'] === 'string' ? { ...ctx.env, LEADSTREAM_DATA_DIR: values['dataDir'] } : ctx.env
    const config = loadConfig({ ...commonSettings, ...privacySettings }, env)
    if (config._tag === 'Left') return ctx.usage(config.left.join('\n'))
    try {
      const current = loadMasterKeys(config.right).current.id
      const keys = await openKeyStore(config.right)
      try {
        const rewrapped = await rewrapAll(keys)
        const wrappedBy = await keys.wrappedBy()
        if (ctx.json) return jsonOut(ctx, { rewrapped, wrappedBy, current })
        ctx.io.out(`re-wrapped ${rewrapped} key(s) with master key ${current}\n`)
        for (const w of wrappedBy) ctx.io.out(`  ${w.masterId}: ${w.keys} key(s)${w.masterId === current ? ' (current)' : ''}\n`)
        if (wrappedBy.every((w) => w.masterId === current))
          ctx.io.out('only the current master key is in use: LEADSTREAM_PREVIOUS_MASTER_KEYS can be removed\n')
        return exitCode.ok
      } finally {
        await keys.close()
      }
    } catch (e) {
      if (!(e instanceof StartupFault)) throw e
      ctx.io.err(`leadstream privacy rotate: ${e.message}\n`)
      return e.exitCode
    }
  },
}

export const commands: ReadonlyArray<Command> = [rotate]
