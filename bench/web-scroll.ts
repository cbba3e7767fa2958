// Leads table at scale (prints figures; never a test): with a large generated workspace, how long
// the table takes to show its first rows, re-sort by a looked-up column, and whether scrolling
// through thousands of rows stays smooth (frame times measured in the page with
// requestAnimationFrame while the table is scrolled and pages load behind it).
//   npm run build && npx tsx bench/web-scroll.ts [--leads 100000] [--rows 3000] [--database-url URL]
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { generateDataset } from '../src/db/queries/bulk.js';
import { hashPassword } from '../src/auth/password.js';
import { packageRoot } from '../src/paths.js';
import { launchBrowser } from '../e2e/browser.js';

const { values } = parseArgs({ options: {
  leads: { type: 'string', default: '100000' },
  rows: { type: 'string', default: '3000' },
  'database-url': { type: 'string' },
} });
const leads = Number(values.leads);
const targetRows = Number(values.rows);
if (!existsSync(join(packageRoot, 'web/dist/index.html'))) throw new Error('Build the web app first: npm run build');

const PASSWORD = 'bench password 1';
const dir = mkdtempSync(join(tmpdir(), 'seguimiento-bench-scroll-'));
const env: Record<string, string> = { DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1' };
if (values['database-url']) env['DATABASE_URL'] = values['database-url'];
const app = await startServer({ ...loadConfig(env) }, () => {});
/** Runs in the page (a string, so the server's type-check needs no DOM types). */
const scrollScript = `async (want) => {
  const box = document.querySelector('.vtable');
  const frames = [];
  let last = performance.now();
  const started = last;
  return await new Promise((resolve) => {
    const step = (now) => {
      frames.push(now - last);
      last = now;
      box.scrollTop += 600;
      const lastRow = [...box.querySelectorAll('tbody tr[aria-rowindex]')].at(-1)?.getAttribute('aria-rowindex');
      if (Number(lastRow ?? 0) >= want || now - started > 120000) {
        const memory = performance.memory;
        resolve({ frames, domRows: box.querySelectorAll('tbody tr').length, seconds: (now - started) / 1000, heapMb: memory ? memory.usedJSHeapSize / 1048576 : null });
        return;
      }
      requestAnimationFrame(step);
    };
    requestAnimationFrame(step);
  });
}`;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

try {
  const t0 = performance.now();
  const data = await generateDataset(app.deps.database, { leads, activitiesPerLead: 1, users: 10, passwordHash: await hashPassword(PASSWORD) });
  console.log(`engine ${app.deps.database.engine}: generated ${leads} leads in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const admin = data.users.find((u) => u.role === 'admin')!;

  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ baseURL: `http://127.0.0.1:${app.port}`, locale: 'es-ES', timezoneId: 'Europe/Madrid', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const pageFetches: number[] = [];
    page.on('requestfinished', (req) => {
      if (!/\/api\/v1\/leads\?/.test(req.url())) return;
      const timing = req.timing();
      pageFetches.push(timing.responseEnd - timing.requestStart);
    });
    await page.goto('/login');
    await page.getByLabel(/Correo electrónico|Email/).fill(admin.email);
    await page.getByLabel(/Contraseña|Password/).fill(PASSWORD);
    await page.getByRole('button', { name: /^(Entrar|Log in)$/ }).click();
    await page.getByRole('heading', { level: 1, name: /^(Hoy|Today)$/ }).waitFor();

    // All statuses: the whole workspace, as a manager looking for anything would.
    let t = performance.now();
    await page.goto('/leads?status=');
    const rows = page.locator('.vtable tbody tr[aria-rowindex]');
    await rows.first().waitFor();
    console.log(`first rows of ${leads} leads: ${(performance.now() - t).toFixed(0)} ms (page load included)`);

    t = performance.now();
    const sorted = page.waitForResponse((r) => /sort=companyName/.test(r.url()));
    await page.locator('.vtable').getByRole('columnheader', { name: /Empresa|Company/ }).getByRole('button').click();
    await sorted;
    await rows.first().waitFor();
    console.log(`re-sort by company name: ${(performance.now() - t).toFixed(0)} ms`);

    // Scroll like a fast flick, 600 px per frame, until targetRows rows are loaded and passed.
    type ScrollResult = { frames: number[]; domRows: number; seconds: number; heapMb: number | null };
    const result = await page.evaluate(`(${scrollScript})(${targetRows})`) as ScrollResult;
    const frames = result.frames.slice(1);
    const janky = frames.filter((f) => f > 50).length;
    console.log(`scrolled to row ${targetRows} in ${result.seconds.toFixed(1)} s, ${frames.length} frames: ` +
      `p50 ${percentile(frames, 50).toFixed(1)} ms, p95 ${percentile(frames, 95).toFixed(1)} ms, max ${Math.max(...frames).toFixed(0)} ms, ` +
      `${janky} frames over 50 ms (${((100 * janky) / frames.length).toFixed(1)} %)`);
    console.log(`rows in the DOM at the end: ${result.domRows} (virtualised); JS heap ${result.heapMb?.toFixed(1) ?? '?'} MiB`);
    console.log(`list page requests (100 rows each): ${pageFetches.length}, p50 ${percentile(pageFetches, 50).toFixed(0)} ms, p95 ${percentile(pageFetches, 95).toFixed(0)} ms`);
    await context.close();
  } finally {
    await browser.close();
  }
} finally {
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
