#!/usr/bin/env node
// Launcher: the build (`pnpm build` → dist/main.mjs, what the production image ships) runs with plain node.
// In a checkout that was never built, the TypeScript sources run through tsx, the workspace's devDependency.
import { existsSync } from 'node:fs'

const built = new URL('../dist/main.mjs', import.meta.url)
if (existsSync(built)) await import(built.href)
else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/main.ts')
}
