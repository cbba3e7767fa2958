/**
 * Funnel benchmark (prints figures; never a test). On the large synthetic dataset of
 * `seguimiento generate` (1M leads, 5 activities each by default) it times fitting the funnel model
 * over 12 months — the SQL aggregation of src/db/queries/funnel.ts, with a "meeting held" activity
 * step so the activities are read — and a 12-month projection of 10,000 Monte Carlo runs.
 *
 *   npx tsx bench/funnel.ts --engine postgres [--leads 1000000] [--activities-per-lead 5] [--runs 5] [--simulations 10000]
 *   npx tsx bench/funnel.ts --engine pglite --data-dir /tmp/seg-bench [...]
 *   npx tsx bench/funnel.ts --engine postgres --database-url postgres://…   (reuses a loaded dataset)
 */
import { argsOf, formatSummary, summarize } from './stats.js';
import { existingDataset, loadDataset, startEngine } from './engine.js';
import { fitFunnel, pipelineStages, type FunnelFilter } from '../src/db/queries/funnel.js';
import { defaultPipelineId } from '../src/db/queries/metrics/leads.js';
import { defaultJourney, type JourneyStep } from '../src/domain/funnel/journey.js';
import { project } from '../src/domain/funnel/projection.js';
import { localDay, parsePeriod } from '../src/domain/metrics/period.js';

const args = argsOf(process.argv.slice(2));
const engine = args['engine'] ?? 'postgres';
const leads = Number(args['leads'] ?? 1_000_000);
const perLead = Number(args['activities-per-lead'] ?? 5);
const runs = Number(args['runs'] ?? 5);
const simulations = Number(args['simulations'] ?? 10_000);

const db = await startEngine(engine, { dataDir: args['data-dir'], databaseUrl: args['database-url'] });
const database = db.database;
try {
  let ds = await existingDataset(database);
  if (!ds || ds.leads < leads) {
    const r = await loadDataset(database, leads, perLead);
    ds = { workspaceId: r.workspaceId, users: r.users, stageIds: r.stageIds, leads };
  }
  const counts = await database.query<{ leads: number; activities: number; history: number }>(
    `SELECT (SELECT count(*)::int FROM lead WHERE workspace_id = $1) AS leads, (SELECT count(*)::int FROM activity WHERE workspace_id = $1) AS activities,
            (SELECT count(*)::int FROM lead_stage_history WHERE workspace_id = $1) AS history`, [ds.workspaceId]);
  console.log(`engine ${engine}; dataset: ${JSON.stringify(counts[0])}`);

  const pipelineId = (await defaultPipelineId(database, ds.workspaceId))!;
  const stages = await pipelineStages(database, ds.workspaceId, pipelineId);
  const base = defaultJourney(stages);
  const withMeeting = [...base.slice(0, 2), { name: 'Reunión', kind: 'activity' as const, activityType: 'meeting', stageId: null, position: 0 }, ...base.slice(2)];
  const steps: JourneyStep[] = withMeeting.map((s, i) => ({ ...s, position: i + 1, id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }));
  const now = new Date();
  const tz = 'Europe/Madrid';
  const period = parsePeriod(localDay(new Date(now.getTime() - 364 * 86_400_000), tz), localDay(now, tz), tz);
  const filter: FunnelFilter = { workspaceId: ds.workspaceId, pipelineId, period, ownerIds: null, sourceId: null, productId: null, asOf: now };

  await fitFunnel(database, filter, steps, stages); // warm-up
  const fits: number[] = [];
  const sims: number[] = [];
  const totals: number[] = [];
  let last = null as Awaited<ReturnType<typeof fitFunnel>> | null;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fitFunnel(database, filter, steps, stages);
    const t1 = performance.now();
    project(last, [], { months: 12, simulations, seed: i + 1 });
    const t2 = performance.now();
    fits.push(t1 - t0); sims.push(t2 - t1); totals.push(t2 - t0);
  }
  console.log(`model: ${last!.model.leads} cohort leads, entrants ${last!.model.steps.map((s) => s.entrants ?? '—').join(' / ')}; ${last!.openCells.length} open cells`);
  console.log(formatSummary('fit (SQL aggregation), 12 months', summarize(fits)));
  console.log(formatSummary(`projection, 12 months × ${simulations} simulations`, summarize(sims)));
  console.log(formatSummary('fit + projection', summarize(totals)));
} finally {
  await db.stop();
}
