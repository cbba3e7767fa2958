// Web app benchmark (prints figures; never a test): JavaScript shipped for the first page, and the
// time from submitting the login form to a usable Today page, on the demo workspace, localhost.
//   npm run build && npx tsx bench/web.ts [--runs 10]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { loadDemo, DEMO_PASSWORD } from '../src/cli/demo.js';

// A salesperson of the demo team: their Today is full (the admin owns no leads).
const SALES_EMAIL = 'lucia.ferrer@demo.seguimiento.es';
import { packageRoot } from '../src/paths.js';
import { launchBrowser } from '../e2e/browser.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '10' } } });
const runs = Number(values.runs);
if (!existsSync(join(packageRoot, 'web/dist/index.html'))) throw new Error('Build the web app first: npm run build');

const dir = mkdtempSync(join(tmpdir(), 'seguimiento-bench-web-'));
const app = await startServer({ ...loadConfig({ DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' }) }, () => {});
await loadDemo(app.deps.database);
const base = `http://127.0.0.1:${app.port}`;
const browser = await launchBrowser();
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

try {
  const times: number[] = [];
  let jsGzip = 0;
  let jsFiles = 0;
  for (let i = 0; i < runs + 1; i++) {
    const context = await browser.newContext({ baseURL: base, locale: 'es-ES', timezoneId: 'Europe/Madrid', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const scripts: Promise<number>[] = [];
    page.on('response', (r) => { if (r.url().endsWith('.js')) scripts.push(r.body().then((b) => gzipSync(b).length)); });
    await page.goto('/login');
    await page.getByLabel(/Correo electrónico|Email/).fill(SALES_EMAIL);
    await page.getByLabel(/Contraseña|Password/).fill(DEMO_PASSWORD);
    const t0 = performance.now();
    await page.getByRole('button', { name: /^(Entrar|Log in)$/ }).click();
    // Usable: the heading and the first section's actions are on screen.
    await page.getByRole('heading', { level: 1, name: /^(Hoy|Today)$/ }).waitFor();
    await page.getByRole('button', { name: /^(Marcar como hecha|Mark)/ }).first().waitFor();
    const ms = performance.now() - t0;
    if (i > 0) times.push(ms); // the first run warms the server and the browser
    if (i === 0) {
      const sizes = await Promise.all(scripts);
      jsGzip = sizes.reduce((a, b) => a + b, 0);
      jsFiles = sizes.length;
    }
    await context.close();
  }
  console.log(`first page (login → Today) JavaScript: ${jsFiles} files, ${(jsGzip / 1024).toFixed(1)} KiB gzipped`);
  console.log(`login → usable Today, ${runs} runs: p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms, max ${Math.max(...times).toFixed(0)} ms`);
} finally {
  await browser.close();
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
