import { describe, expect, inject, it } from 'vitest';
import { readApiTypes, renderApiTypes } from './api-types.js';

describe('the web client contract', () => {
  it('has web/src/api/openapi.d.ts generated from the OpenAPI document the server serves now', async () => {
    const doc: unknown = await (await fetch(`${inject('baseUrl')}/api/openapi.json`)).json();
    const fresh = await renderApiTypes(doc);
    // When this fails the API changed: run `npx tsx e2e/api-types.ts`, then `npm run typecheck`
    // tells whether the web app still reads the API correctly (web/src/api/contract.ts).
    expect(fresh === readApiTypes(), 'web/src/api/openapi.d.ts is stale: run `npx tsx e2e/api-types.ts`').toBe(true);
  });
});
