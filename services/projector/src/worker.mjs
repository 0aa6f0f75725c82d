// Worker-thread entry: loader hooks do not carry into worker threads, so register tsx here, then run the
// TypeScript worker (the services run from source through tsx).
import { register } from 'tsx/esm/api'

register()
await import('./worker.ts')
