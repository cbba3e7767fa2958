import openapiTS, { astToString } from 'openapi-typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packageRoot } from '../src/paths.js';

/**
 * The web client's view of the API contract: web/src/api/openapi.d.ts, generated from the OpenAPI
 * document the server builds from its route schemas. web/src/api/contract.ts checks the app's
 * record types against it at compile time; e2e/api-contract.test.ts fails when it is stale.
 * Regenerate: `npx tsx e2e/api-types.ts` (starts nothing: builds the app in memory).
 */
export const apiTypesFile = join(packageRoot, 'web/src/api/openapi.d.ts');

export async function renderApiTypes(document: unknown): Promise<string> {
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0]);
  return `// Generated from GET /api/openapi.json by e2e/api-types.ts. Do not edit by hand.\n${astToString(ast)}`;
}

export const readApiTypes = () => readFileSync(apiTypesFile, 'utf8');

async function main() {
  const { buildApp } = await import('../src/http/app.js');
  const { loadConfig } = await import('../src/config.js');
  const { openDatabase } = await import('../src/db/client.js');
  const database = await openDatabase({});
  const app = buildApp({ database, config: loadConfig({}), secret: 'x'.repeat(64), now: () => new Date() });
  const doc: unknown = await (await app.request('/api/openapi.json')).json();
  writeFileSync(apiTypesFile, await renderApiTypes(doc));
  await database.close();
  console.log(`wrote ${apiTypesFile}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
