/**
 * Dashboard benchmark (prints figures; never a test). Loads the large synthetic dataset (generator of
 * `seguimiento generate`) plus sales, then times the whole dashboard — every card, as GET
 * /api/v1/dashboard computes it — for a 12-month period, warm, as an admin (no owner filter: the
 * widest, slowest case) and as one salesperson.
 *
 *   npx tsx bench/dashboard.ts --engine postgres [--leads 1000000] [--activities-per-lead 5] [--sales 300000] [--runs 30]
 *   npx tsx bench/dashboard.ts --engine pglite --data-dir /tmp/seg-bench [...]
 *   npx tsx bench/dashboard.ts --engine postgres --database-url postgres://…   (reuses a loaded dataset)
 *
 * The dashboard reads the daily rollups of migration 0014; `--raw-runs N` (default 3) also times it
 * over raw rows (the path before the rollups) on the same data. Cases: admin, one salesperson, one
 * team, one source; then each card alone, p50/p95 per case (`--per-card false` skips that). The generator loads with the rollup
 * triggers off and rebuilds the rollups once before its COMMIT (the rebuild time is in its output);
 * sales missing from a reused dataset are topped up with the triggers on.
 */
import { argsOf, formatSummary, summarize, ms } from './stats.js';
import { existingDataset, loadDataset, startEngine } from './engine.js';
import { dashboardCards, loadDashboard, metricNames } from '../src/db/queries/metrics/dashboard.js';
import type { MetricFilter } from '../src/db/queries/metrics/filter.js';
import { parsePeriod, localDay } from '../src/domain/metrics/period.js';
import type { Database } from '../src/db/client.js';

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'postgres';
const leads = Number(args['leads'] ?? 1_000_000);
const perLead = Number(args['activities-per-lead'] ?? 5);
const salesTarget = Number(args['sales'] ?? 300_000);
const runs = Number(args['runs'] ?? 30);
const rawRuns = Number(args['raw-runs'] ?? 3);
const perCard = args['per-card'] !== 'false';

const db = await startEngine(engine, { dataDir: args['data-dir'], databaseUrl: args['database-url'] });
const database = db.database;
try {
  let ds = await existingDataset(database);
  if (!ds || ds.leads < leads) {
    const r = await loadDataset(database, leads, perLead, true, salesTarget);
    ds = { workspaceId: r.workspaceId, users: r.users, stageIds: r.stageIds, leads };
  }
  await loadSales(database, ds.workspaceId, salesTarget);
  // The load upserts each rollup row many times in one transaction: VACUUM drops the dead versions.
  await database.query('VACUUM (ANALYZE) lead_daily, lead_funnel_daily, lead_closed_daily, lead_open_summary, activity_daily, sale_daily, feedback_daily, lead_place_daily, lead_place_weekly, activity_weekly, contact_lifecycle_summary, sale_client_first, sale_client_ref_daily, sale_client_ref_pair, sale_client_total, lead_monthly, lead_funnel_monthly, lead_next_action_daily, sale_client_ref, sale_client_owner_total, sale_client_owner_monthly');
  const sizes = await database.query<{ t: string; n: number }>(
    `SELECT t, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I WHERE workspace_id = %L', t, $1::text), false, true, '')))[1]::text::int AS n
       FROM unnest(ARRAY['lead_daily', 'lead_funnel_daily', 'lead_closed_daily', 'lead_open_summary', 'activity_daily', 'sale_daily', 'feedback_daily', 'lead_place_daily', 'lead_place_weekly', 'activity_weekly', 'contact_lifecycle_summary', 'sale_client_first', 'sale_client_ref_daily', 'sale_client_ref_pair', 'sale_client_total', 'lead_monthly', 'lead_funnel_monthly', 'lead_next_action_daily', 'sale_client_ref', 'sale_client_owner_total', 'sale_client_owner_monthly']) t`, [ds.workspaceId]);
  console.log(`rollup rows: ${sizes.map((r) => `${r.t} ${r.n}`).join(', ')}`);
  const counts = await database.query<{ leads: number; activities: number; sales: number }>(
    `SELECT (SELECT count(*)::int FROM lead WHERE workspace_id = $1) AS leads, (SELECT count(*)::int FROM activity WHERE workspace_id = $1) AS activities,
            (SELECT count(*)::int FROM sale WHERE workspace_id = $1) AS sales`, [ds.workspaceId]);
  console.log(`engine ${engine}; dataset: ${JSON.stringify(counts[0])}`);

  const now = new Date();
  const tz = 'Europe/Madrid';
  const to = localDay(now, tz);
  const from = localDay(new Date(now.getTime() - 364 * 86_400_000), tz);
  const base: MetricFilter = { workspaceId: ds.workspaceId, period: parsePeriod(from, to, tz), unit: 'month', ownerIds: null, sourceId: null, now };
  const salesRep = ds.users.find((u) => u.role === 'sales')!;

  // A manager's view (their team: ~10 of the 50 users) and an admin narrowing to one source.
  const team = await database.query<{ id: string }>(
    `SELECT id FROM app_user WHERE workspace_id = $1 AND team_id = (SELECT team_id FROM app_user WHERE workspace_id = $1 AND role = 'manager' ORDER BY email LIMIT 1)`, [ds.workspaceId]);
  const [source] = await database.query<{ id: string }>('SELECT id FROM source WHERE workspace_id = $1 ORDER BY name LIMIT 1', [ds.workspaceId]);
  const scenarios: [string, MetricFilter][] = [['admin (whole workspace)', base], ['one salesperson', { ...base, ownerIds: [salesRep.id] }],
    [`one team (${team.length} users)`, { ...base, ownerIds: team.map((u) => u.id) }], ['one source (admin)', { ...base, sourceId: source?.id ?? null }]];
  for (const [name, f] of scenarios) {
    for (let i = 0; i < 3; i++) await loadDashboard(database, f); // warm-up
    const samples: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await loadDashboard(database, f);
      samples.push(performance.now() - t0);
    }
    console.log(formatSummary(`dashboard 12 months, ${name}`, summarize(samples)));
  }
  // The same over raw rows (no rollups): the figures before migration 0014, on this very dataset.
  for (const [name, f] of rawRuns > 0 ? scenarios : []) {
    const raw = { ...f, rollups: false };
    await loadDashboard(database, raw);
    const samples: number[] = [];
    for (let i = 0; i < rawRuns; i++) {
      const t0 = performance.now();
      await loadDashboard(database, raw);
      samples.push(performance.now() - t0);
    }
    console.log(formatSummary(`dashboard 12 months over raw rows, ${name}`, summarize(samples)));
  }
  // Which cards cost most (one at a time as the dashboard computes them, rollups resolved once as in loadDashboard;
  // the sales cards of an owner filter each run the scan they share in loadDashboard): where to look next.
  for (const [name, f] of perCard ? scenarios : []) {
    const per: string[] = [];
    const rolled = { ...f, rollups: true };
    for (const m of metricNames) {
      const q = dashboardCards[m] as (d: Database, f: MetricFilter) => Promise<unknown>;
      await q(database, rolled);
      const samples: number[] = [];
      for (let i = 0; i < Math.max(10, runs); i++) { const t0 = performance.now(); await q(database, rolled); samples.push(performance.now() - t0); }
      const s = summarize(samples);
      per.push(`${m} ${s.p50.toFixed(1)}/${s.p95.toFixed(1)}`);
    }
    console.log(`per card p50/p95 ms, ${name}: ${per.join(', ')}`);
  }
} finally {
  await db.stop();
}

/** Tops the workspace up to `target` sales over the last 18 months, for random contacts and owners. */
async function loadSales(d: Database, workspaceId: string, target: number) {
  const [{ n } = { n: 0 }] = await d.query<{ n: number }>('SELECT count(*)::int AS n FROM sale WHERE workspace_id = $1', [workspaceId]);
  if (n >= target) return;
  const t0 = performance.now();
  const chunk = 50_000;
  for (let done = n; done < target; done += chunk) {
    await d.query(
      `WITH c AS (SELECT id, owner_id, row_number() OVER () AS k FROM contact WHERE workspace_id = $1 LIMIT 100000),
            cn AS (SELECT count(*) AS n FROM c)
       INSERT INTO sale (workspace_id, id, contact_id, owner_id, sold_at, total, currency)
       SELECT $1, gen_random_uuid(), c.id, c.owner_id, now() - (random() * interval '540 days'), round((random() * 2000 + 20)::numeric, 2), 'EUR'
         FROM generate_series(1, $2::int) g JOIN cn ON true JOIN c ON c.k = 1 + (g * 7919) % cn.n`, [workspaceId, Math.min(chunk, target - done)]);
  }
  await d.query('ANALYZE sale');
  console.log(`sales: ${target - n} added in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
