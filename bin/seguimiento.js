#!/usr/bin/env node
// Runs the compiled CLI when present (after `npm run build`), otherwise the sources through tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist/src/cli/main.js');
if (existsSync(compiled)) {
  await import(pathToFileURL(compiled).href);
} else {
  const tsx = join(root, 'node_modules/.bin/tsx');
  const r = spawnSync(tsx, [join(root, 'src/cli/main.ts'), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
