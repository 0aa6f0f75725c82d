// Worker-thread entry when running from sources: loader hooks do not carry into worker threads, so register tsx
// here, then run the TypeScript writer. The build has its own dist/writer.mjs (writer.ts compiled), no tsx.
import { register } from 'tsx/esm/api'

register()
await import('./writer.ts')
