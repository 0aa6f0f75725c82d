#!/usr/bin/env node
// Launcher. In a deployed tree (the production image, `pnpm deploy`: dist/ without src/) it runs the build with
// plain node. In a checkout it runs the TypeScript sources through tsx (the workspace's devDependency), so an
// edit is never hidden behind an older build; there `node services/cli/dist/main.mjs` runs the build itself.
import { existsSync } from 'node:fs'

if (!existsSync(new URL('../src/main.ts', import.meta.url))) await import(new URL('../dist/main.mjs', import.meta.url).href)
else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/main.ts')
}
