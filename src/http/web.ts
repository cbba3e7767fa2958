import type { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot } from '../paths.js';
import type { AppEnv } from './context.js';

const webDist = join(packageRoot, 'web/dist');

/** Serves the built single-page app; unknown non-API paths get index.html (client-side routes). */
export function serveWeb(app: Hono<AppEnv>) {
  const root = relative(process.cwd(), webDist) || '.';
  app.use('/assets/*', serveStatic({
    root,
    onFound: (_path, c) => { c.header('Cache-Control', 'public, max-age=31536000, immutable'); },
  }));
  app.get('*', serveStatic({ root }));
  let indexHtml: string | undefined;
  app.get('*', (c) => {
    if (!existsSync(join(webDist, 'index.html'))) {
      return c.text('The web app is not built. Run `npm run build` (npm start does it for you).', 503);
    }
    indexHtml ??= readFileSync(join(webDist, 'index.html'), 'utf8');
    return c.html(indexHtml);
  });
}
