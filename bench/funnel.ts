/**
 * Funnel benchmark (prints figures; never a test). On the large synthetic dataset of
 * `seguimiento generate` (1M leads, 5 activities each by default) it times fitting the funnel model
 * over 12 months — from the rollups of migration 0020 (what the API does), and once from the raw rows
 * (what a backtest or a product filter does) — with the pipeline's stored journey plus a "meeting
 * held" activity step, and a 12-month projection of 10,000 Monte Carlo runs. Storing the journey
 * queues the job that rebuilds the pipeline's funnel rollups (src/jobs/funnel.ts); the bench marks
 * them stale, times what a request answers meanwhile, then the job's rebuild, each of its
 * transactions (one per rollup table) on its own line (`--rebuild no` skips that on a dataset whose
 * rollups are fresh). Plan vs actual's weekly counts
 * are timed from their rollup (migration 0028) and once from the raw rows.
 *
 *   npx tsx bench/funnel.ts --engine postgres [--leads 1000000] [--activities-per-lead 5] [--sales 0] [--runs 5] [--raw-runs 1] [--simulations 10000] [--rebuild yes|no]
 *   npx tsx bench/funnel.ts --engine pglite --data-dir /tmp/seg-bench [...]
 *   npx tsx bench/funnel.ts --engine postgres --database-url postgres://…   (reuses a loaded dataset)
 */
import { sql } from 'drizzle-orm';
import { argsOf, formatSummary, summarize } from './stats.js';
import { existingDataset, loadDataset, startEngine } from './engine.js';
import {
  ensureJourney, fitFunnel, funnelRollupStatus, journeyOf, pipelineHasFewLeads, pipelineStages, rebuildFunnelRollups, weeklyStepEvents, type FunnelFilter,
} from '../src/db/queries/funnel.js';
import { defaultPipelineId } from '../src/db/queries/metrics/leads.js';
import { insertRow, write } from '../src/db/repository.js';
import { journeyStep } from '../src/db/schema.js';
import type { Actor } from '../src/domain/access.js';
import { project } from '../src/domain/funnel/projection.js';
import { localDay, parsePeriod } from '../src/domain/metrics/period.js';

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'postgres';
const leads = Number(args['leads'] ?? 1_000_000);
const perLead = Number(args['activities-per-lead'] ?? 5);
const runs = Number(args['runs'] ?? 5);
const simulations = Number(args['simulations'] ?? 10_000);
const rawRuns = Number(args['raw-runs'] ?? 1);
const sales = Number(args['sales'] ?? 0);
const rebuild = (args['rebuild'] ?? 'yes') !== 'no';

const db = await startEngine(engine, { dataDir: args['data-dir'], databaseUrl: args['database-url'] });
const database = db.database;
try {
  let ds = await existingDataset(database);
  if (!ds || ds.leads < leads) {
    const r = await loadDataset(database, leads, perLead, true, sales);
    ds = { workspaceId: r.workspaceId, users: r.users, stageIds: r.stageIds, leads };
  }
  const counts = await database.query<{ leads: number; activities: number; history: number }>(
    `SELECT (SELECT count(*)::int FROM lead WHERE workspace_id = $1) AS leads, (SELECT count(*)::int FROM activity WHERE workspace_id = $1) AS activities,
            (SELECT count(*)::int FROM lead_stage_history WHERE workspace_id = $1) AS history`, [ds.workspaceId]);
  console.log(`engine ${engine}; dataset: ${JSON.stringify(counts[0])}`);

  const pipelineId = (await defaultPipelineId(database, ds.workspaceId))!;
  const stages = await pipelineStages(database, ds.workspaceId, pipelineId);
  // The stored journey (built from the stages on first use) with "meeting held" as its third step.
  const admin = ds.users.find((u) => u.role === 'admin') ?? ds.users[0]!;
  const actor: Actor = { workspaceId: ds.workspaceId, userId: admin.id, role: 'admin', teamId: null };
  await write(database, async (tx) => {
    const existing = await ensureJourney(tx, actor, pipelineId, new Date());
    if (!existing.some((s) => s.kind === 'activity' && s.activityType === 'meeting')) {
      await tx.execute(sql`UPDATE journey_step SET position = position + 1 WHERE workspace_id = ${ds.workspaceId} AND pipeline_id = ${pipelineId} AND position >= 3`);
      await insertRow(tx, journeyStep, actor, 'journeyStep', { pipelineId, name: 'Reunión', kind: 'activity', activityType: 'meeting', stageId: null, position: 3 });
    }
  });
  const steps = await journeyOf(database, ds.workspaceId, pipelineId);
  console.log(`journey: ${steps.map((s) => s.name).join(' → ')}`);
  const now = new Date();
  const tz = 'Europe/Madrid';
  const period = parsePeriod(localDay(new Date(now.getTime() - 364 * 86_400_000), tz), localDay(now, tz), tz);
  const filter: FunnelFilter = { workspaceId: ds.workspaceId, pipelineId, period, ownerIds: null, sourceId: null, productId: null, asOf: now, live: true };

  const secs = (t: number) => `${((performance.now() - t) / 1000).toFixed(2)} s`;
  if (rebuild) {
    // As after a journey edit: the rollups no longer match the journey (the job's id does not matter here).
    await database.query('DELETE FROM funnel_rollup_state WHERE workspace_id = $1 AND pipeline_id = $2', [ds.workspaceId, pipelineId]);
    const t = performance.now();
    const status = await funnelRollupStatus(database, filter, steps);
    const few = await pipelineHasFewLeads(database, ds.workspaceId, pipelineId, 20_000);
    console.log(`a request while the rebuild is pending: rollups ${status}, ${few ? 'small pipeline → read raw' : 'large pipeline → "being prepared"'} (deciding took ${(performance.now() - t).toFixed(1)} ms)`);
    const j = performance.now();
    // One transaction per table (src/db/queries/funnel.ts rebuildFunnelRollups): each timed, and how
    // long a request waits for the connection between two of them (PGlite: the only one).
    const parts: string[] = [];
    const rebuilt = await rebuildFunnelRollups(database, ds.workspaceId, pipelineId, async (part, ms) => {
      const w = performance.now();
      await database.query('SELECT 1');
      parts.push(`${part} ${(ms / 1000).toFixed(2)} s`);
      console.log(`  ${part}: ${(ms / 1000).toFixed(2)} s (its own transaction); a request after it got the connection in ${(performance.now() - w).toFixed(1)} ms`);
    });
    console.log(`job funnel-rollups (rebuilds the pipeline's funnel rollups, off the request, one transaction per table): ${secs(j)}${rebuilt ? '' : ' (already fresh)'}`);
    console.log(`  longest transaction: ${parts.length ? parts.reduce((a, b) => (Number(b.split(' ')[1]) > Number(a.split(' ')[1]) ? b : a)) : '—'}`);
  }
  const t0 = performance.now();
  const first = await fitFunnel(database, filter, steps, stages);
  console.log(`first fit after the job (${first.via}): ${secs(t0)}`);
  const sizes = await database.query<{ t: string; n: number }>(
    `SELECT 'funnel_lead_daily' AS t, count(*)::int AS n FROM funnel_lead_daily WHERE workspace_id = $1
     UNION ALL SELECT 'funnel_step_days', count(*)::int FROM funnel_step_days WHERE workspace_id = $1
     UNION ALL SELECT 'funnel_won_cycle', count(*)::int FROM funnel_won_cycle WHERE workspace_id = $1`, [ds.workspaceId]);
  console.log(`rollup rows: ${sizes.map((r) => `${r.t} ${r.n}`).join(', ')}`);

  const fits: number[] = [];
  const sims: number[] = [];
  const totals: number[] = [];
  let last = first;
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    last = await fitFunnel(database, filter, steps, stages);
    const b = performance.now();
    project(last, [], { months: 12, simulations, seed: i + 1 });
    const c = performance.now();
    fits.push(b - a); sims.push(c - b); totals.push(c - a);
  }
  console.log(`model (${last.via}): ${last.model.leads} cohort leads, entrants ${last.model.steps.map((s) => s.entrants ?? '—').join(' / ')}; ${last.openCells.length} open cells`);
  console.log(formatSummary(`fit from rollups (${last.via}), 12 months`, summarize(fits)));
  console.log(formatSummary(`projection, 12 months × ${simulations} simulations`, summarize(sims)));
  console.log(formatSummary('fit + projection', summarize(totals)));
  // Plan vs actual's weekly counts: the 16 weeks it reads for a 4-week review (12 of baseline).
  const range = { from: new Date(now.getTime() - 16 * 7 * 86_400_000), to: now };
  const weekly: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = performance.now();
    await weeklyStepEvents(database, filter, steps, stages, range, 'rollups');
    weekly.push(performance.now() - a);
  }
  console.log(formatSummary('plan vs actual, weekly step counts from funnel_step_reached (16 weeks)', summarize(weekly)));
  if (rawRuns > 0) {
    const a = performance.now();
    await weeklyStepEvents(database, filter, steps, stages, range, 'raw');
    console.log(formatSummary('plan vs actual, weekly step counts from the raw rows (16 weeks)', summarize([performance.now() - a])));
    const raws: number[] = [];
    for (let i = 0; i < rawRuns; i++) {
      const a = performance.now();
      await fitFunnel(database, filter, steps, stages, 'raw');
      raws.push(performance.now() - a);
    }
    console.log(formatSummary('fit from the raw rows (backtests, product or segment filter)', summarize(raws)));
  }
} finally {
  await db.stop();
}
