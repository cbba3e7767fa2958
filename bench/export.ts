/**
 * List export benchmark (prints figures; never a test): loads N contacts and N leads into one
 * workspace, then downloads GET /api/v1/{contacts,leads}/export as CSV and XLSX through the app,
 * reading the stream as a browser would, and reports rows/s and the process's peak RSS above the
 * baseline (the streaming claim: memory flat whatever N).
 *
 *   npx tsx bench/export.ts --engine postgres [--rows 200000]
 *   npx tsx bench/export.ts --engine pglite [--rows 50000]
 */
import { randomBytes } from 'node:crypto';
import { argsOf, mib } from './stats.js';
import { startEngine } from './engine.js';
import { buildApp } from '../src/http/app.js';
import { loadConfig } from '../src/config.js';

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'postgres';
const rows = Number(args['rows'] ?? 200_000);

const db = await startEngine(engine);
try {
  const app = buildApp({ database: db.database, config: loadConfig({}), secret: randomBytes(32).toString('hex'), now: () => new Date() });
  const setup = await app.request('/api/v1/setup', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ workspaceName: 'Bench', name: 'Ana García', email: 'ana@bench.es', password: 'correct horse battery' }),
  });
  const cookie = /seg_session=[^;]*/.exec(setup.headers.get('set-cookie') ?? '')![0];
  const { workspaceId } = (await setup.json()) as { workspaceId: string };

  const t0 = performance.now();
  await db.database.query(
    `INSERT INTO contact (workspace_id, first_name, last_name, second_last_name, email, phone, city, postal_code, birth_date, lifecycle, custom_fields)
     SELECT $1, 'Nombre ' || i, 'García', 'Peñalver', 'c' || i || '@example.es', '+3460' || lpad(i::text, 7, '0'), 'Sevilla', '41001',
            date '1970-01-01' + (i % 15000), 'prospect', jsonb_build_object('budget', i * 1.5)
       FROM generate_series(1, $2::int) AS i`, [workspaceId, rows]);
  await db.database.query(
    `INSERT INTO lead (workspace_id, title, contact_id, pipeline_id, stage_id, probability, amount, currency, expected_close_date)
     SELECT c.workspace_id, 'Oportunidad ' || c.first_name, c.id, s.pipeline_id, s.id, 10, 1234.56, 'EUR', date '2026-12-15'
       FROM contact c, LATERAL (SELECT id, pipeline_id FROM stage WHERE workspace_id = c.workspace_id ORDER BY position LIMIT 1) s
      WHERE c.workspace_id = $1`, [workspaceId]);
  console.log(`${engine}: loaded ${rows} contacts and ${rows} leads in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  for (const [resource, format] of [['contacts', 'csv'], ['contacts', 'xlsx'], ['leads', 'csv'], ['leads', 'xlsx']] as const) {
    global.gc?.();
    const base = process.memoryUsage().rss;
    let peak = base;
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 25);
    const start = performance.now();
    const res = await app.request(`/api/v1/${resource}/export?format=${format}`, { headers: { cookie } });
    let bytes = 0;
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) bytes += chunk.byteLength;
    const seconds = (performance.now() - start) / 1000;
    clearInterval(sampler);
    console.log(`${resource.padEnd(8)} ${format.padEnd(4)} ${String(res.status)}  ${rows} rows in ${seconds.toFixed(1)} s  ${Math.round(rows / seconds)} rows/s  ${mib(bytes)} file  peak RSS +${mib(peak - base)}`);
  }
} finally {
  await db.stop();
}
