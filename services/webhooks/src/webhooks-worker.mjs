// Worker-thread entry when running from sources: loader hooks do not carry into worker threads, so register tsx
// here, then run the TypeScript worker. The build has its own dist/webhooks-worker.mjs (worker.ts compiled), no tsx.
import { register } from 'tsx/esm/api'

register()
await import('./worker.ts')
