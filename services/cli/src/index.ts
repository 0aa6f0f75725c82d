// The operators' CLI as a library: `run(argv, env, io)` is what `leadstream` (main.ts) calls.
export { DEFAULT_URL, run } from './cli.js'
export { exitCode } from './command.js'
export type { Io } from './render.js'
