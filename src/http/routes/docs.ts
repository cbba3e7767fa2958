import { Hono } from 'hono';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Router } from '../context.js';

const require = createRequire(import.meta.url);
const swaggerDir = dirname(require.resolve('swagger-ui-dist/package.json'));

/** The OpenAPI 3.1 document, generated from the route schemas, and an interactive page (Swagger UI, served locally). */
export function docsRoutes(api: Router) {
  const r = new Hono();
  let doc: unknown;
  r.get('/openapi.json', (c) => {
    doc ??= api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: { title: 'Seguimiento API', version: '1', description: 'Sales follow-up CRM. Authenticate with the session cookie (web app, plus X-CSRF-Token on writes) or `Authorization: Bearer <API token>`.' },
      servers: [{ url: '/api/v1' }],
    });
    return c.json(doc);
  });
  r.get('/docs', (c) => c.html(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Seguimiento API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head><body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script><script src="/api/docs/assets/init.js"></script></body></html>`));
  r.get('/docs/assets/init.js', (c) => c.body(`window.ui = SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui' });`, 200, { 'content-type': 'text/javascript' }));
  for (const [file, type] of [['swagger-ui.css', 'text/css'], ['swagger-ui-bundle.js', 'text/javascript']] as const) {
    let body: Buffer | undefined;
    r.get(`/docs/assets/${file}`, (c) => {
      body ??= readFileSync(join(swaggerDir, file));
      return c.body(new Uint8Array(body), 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    });
  }
  return r;
}
