import { sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { notFound } from '../../domain/errors.js';
import { defaultJourney, isRecordStep, type JourneyStage, type JourneyStep } from '../../domain/funnel/journey.js';
import { measureFunnel, type FunnelFacts } from '../../domain/funnel/model.js';
import { ageBuckets, type ProjectionInputs } from '../../domain/funnel/projection.js';
import { localDay, type MetricPeriod } from '../../domain/metrics/period.js';
import type { Database, Db } from '../client.js';
import { insertRow } from '../repository.js';
import { journeyStep } from '../schema.js';
import { funnelStages } from './metrics/leads.js';
import { costPerLeadSql } from './metrics/cpl.js';
import { bucketSql, num, Params } from './metrics/filter.js';

/**
 * What the funnel model reads: one pipeline's leads created in the period (the cohort), narrowed by
 * owner, source and product, seen as they stood at `asOf` (now, or a backtest's cut-off: later stage
 * changes, closes, activities, sales and answers do not exist yet). Definitions: docs/funnel.md.
 */
export type FunnelFilter = {
  workspaceId: string;
  pipelineId: string;
  period: MetricPeriod;
  ownerIds: string[] | null;
  sourceId: string | null;
  productId: string | null;
  asOf: Date;
};

const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

const journeyColumns = `id, name, position, kind, stage_id AS "stageId", activity_type AS "activityType"`;

export async function journeyOf(database: Database, workspaceId: string, pipelineId: string): Promise<JourneyStep[]> {
  return database.query<JourneyStep>(`SELECT ${journeyColumns} FROM journey_step WHERE workspace_id = $1 AND pipeline_id = $2 ORDER BY position, id`, [workspaceId, pipelineId]);
}

export async function journeyInTx(tx: Db, workspaceId: string, pipelineId: string): Promise<JourneyStep[]> {
  return rowsOf<JourneyStep>(await tx.execute(sql`SELECT ${sql.raw(journeyColumns)} FROM journey_step
    WHERE workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId} ORDER BY position, id`));
}

/**
 * The pipeline's journey; a pipeline without one gets the default built from its stages, written
 * (and audited) once: the lock makes two first readers agree on one journey.
 */
export async function ensureJourney(tx: Db, actor: Actor, pipelineId: string): Promise<JourneyStep[]> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('journey:' || ${pipelineId}))`);
  const existing = await journeyInTx(tx, actor.workspaceId, pipelineId);
  if (existing.length) return existing;
  const stages = rowsOf<JourneyStage>(await tx.execute(sql`SELECT id, name, position, kind FROM stage
    WHERE workspace_id = ${actor.workspaceId} AND pipeline_id = ${pipelineId} ORDER BY position`));
  if (stages.length === 0) throw notFound('pipeline');
  for (const s of defaultJourney(stages)) await insertRow(tx, journeyStep, actor, 'journeyStep', { ...s, pipelineId });
  return journeyInTx(tx, actor.workspaceId, pipelineId);
}

export async function pipelineStages(database: Database, workspaceId: string, pipelineId: string): Promise<JourneyStage[]> {
  return funnelStages(database, workspaceId, pipelineId);
}

/** The lead conditions every funnel query shares (index: lead_created_idx for the cohort). */
function leadWhere(f: FunnelFilter, q: Params, created: { from: Date; to: Date } | null): string {
  const parts = [`l.workspace_id = ${q.p(f.workspaceId)}`, `l.pipeline_id = ${q.p(f.pipelineId)}`, `l.status <> 'cancelled'`];
  const to = created && created.to < f.asOf ? created.to : f.asOf;
  if (created) parts.push(`l.created_at >= ${q.p(created.from)}`, `l.created_at < ${q.p(to)}`);
  else parts.push(`l.created_at <= ${q.p(f.asOf)}`);
  if (f.ownerIds) parts.push(`l.owner_id = ANY(${q.p(f.ownerIds)}::uuid[])`);
  if (f.sourceId) parts.push(`l.source_id = ${q.p(f.sourceId)}`);
  if (f.productId) parts.push(`l.product_ids @> ARRAY[${q.p(f.productId)}]::uuid[]`);
  return parts.join(' AND ');
}

/**
 * Per cohort lead, the instant it reached each journey step (null: not reached), as `ts[1..n]`,
 * in one pass: stage steps from the stage history (skipping a stage counts as passing it), activity
 * steps from the first done activity of the type, the sale from the close, repeat purchase from the
 * client's second sale, promoter from an NPS 9–10 answer after the sale. Manual steps stay null.
 * Every CTE is MATERIALIZED: without statistics (PGlite never analyses on its own) the planner
 * would otherwise re-run an aggregate once per cohort lead.
 */
function perLeadSql(f: FunnelFilter, q: Params, steps: readonly JourneyStep[], stagePos: ReadonlyMap<string, number>, created: { from: Date; to: Date }): string {
  const ws = q.p(f.workspaceId);
  const asOf = q.p(f.asOf);
  const stageCols = steps.map((s, i) => (s.kind === 'stage' ? `min(h.changed_at) FILTER (WHERE s.position >= ${Number(stagePos.get(s.stageId!) ?? 0)}) AS s${i}` : null)).filter(Boolean);
  const actCols = steps.map((s, i) => (s.kind === 'activity' ? `min(coalesce(a.occurred_at, a.done_at)) FILTER (WHERE a.type = ${q.p(s.activityType)}) AS a${i}` : null)).filter(Boolean);
  const hasRepeat = steps.some((s) => s.kind === 'repeat_sale');
  const hasPromoter = steps.some((s) => s.kind === 'promoter');
  const wonAt = `CASE WHEN c.status = 'won' AND c.closed_at <= ${asOf} THEN c.closed_at END`;
  const col = (s: JourneyStep, i: number): string => {
    switch (s.kind) {
      case 'stage': return `coalesce(h.s${i}, CASE WHEN h.lead_id IS NULL AND c.pos >= ${Number(stagePos.get(s.stageId!) ?? 0)} THEN c.created_at END)`;
      case 'activity': return `a.a${i}`;
      case 'sale': return wonAt;
      case 'repeat_sale': return `CASE WHEN ${wonAt} IS NOT NULL AND r.second_at IS NOT NULL THEN greatest(r.second_at, c.closed_at) END`;
      case 'promoter': return `CASE WHEN ${wonAt} IS NOT NULL AND pr.answered_at IS NOT NULL THEN greatest(pr.answered_at, c.closed_at) END`;
      case 'manual': return 'NULL::timestamptz';
    }
  };
  return `
    cohort AS MATERIALIZED (
      SELECT l.id, l.created_at, l.status, l.closed_at, l.amount, l.contact_id, coalesce(l.contact_id, l.company_id) AS client, st.position AS pos
        FROM lead l JOIN stage st ON st.workspace_id = l.workspace_id AND st.id = l.stage_id
       WHERE ${leadWhere(f, q, created)}),
    hist AS MATERIALIZED (
      SELECT h.lead_id${stageCols.length ? ', ' + stageCols.join(', ') : ''}
        FROM lead_stage_history h
        JOIN cohort c ON c.id = h.lead_id
        JOIN stage s ON s.workspace_id = h.workspace_id AND s.id = h.to_stage_id AND s.kind <> 'lost'
       WHERE h.workspace_id = ${ws} AND h.changed_at <= ${asOf}
       GROUP BY h.lead_id)${actCols.length ? `,
    act AS MATERIALIZED (
      SELECT a.lead_id, ${actCols.join(', ')}
        FROM activity a JOIN cohort c ON c.id = a.lead_id
       WHERE a.workspace_id = ${ws} AND a.lead_id IS NOT NULL AND a.done_at IS NOT NULL AND a.done_at <= ${asOf}
       GROUP BY a.lead_id)` : ''}${hasRepeat ? `,
    rep AS MATERIALIZED (
      SELECT client, min(sold_at) FILTER (WHERE n = 2) AS second_at
        FROM (SELECT coalesce(contact_id, company_id) AS client, sold_at, row_number() OVER (PARTITION BY coalesce(contact_id, company_id) ORDER BY sold_at, id) AS n
                FROM sale WHERE workspace_id = ${ws} AND sold_at <= ${asOf}) x
       WHERE n <= 2 GROUP BY client)` : ''}${hasPromoter ? `,
    prom AS MATERIALIZED (
      SELECT contact_id, min(answered_at) AS answered_at FROM feedback
       WHERE workspace_id = ${ws} AND nps >= 9 AND contact_id IS NOT NULL AND answered_at <= ${asOf} GROUP BY contact_id)` : ''},
    per_lead AS MATERIALIZED (
      SELECT c.id, c.amount, ${wonAt} AS won_at, ARRAY[${steps.map(col).join(', ')}]::timestamptz[] AS ts
        FROM cohort c
        LEFT JOIN hist h ON h.lead_id = c.id
        ${actCols.length ? 'LEFT JOIN act a ON a.lead_id = c.id' : ''}
        ${hasRepeat ? 'LEFT JOIN rep r ON r.client = c.client' : ''}
        ${hasPromoter ? 'LEFT JOIN prom pr ON pr.contact_id = c.contact_id' : ''})`;
}

const stagePositions = (stages: readonly JourneyStage[]) => new Map(stages.map((s) => [s.id, s.position]));

/** Hand-entered counts of the manual steps spread evenly over their days; the part inside [fromDay, toDayExclusive). */
async function manualCounts(database: Database, workspaceId: string, stepIds: string[], fromDay: string, toDayExclusive: string): Promise<Record<string, number>> {
  if (stepIds.length === 0) return {};
  const rows = await database.query<{ stepId: string; count: string }>(
    `SELECT step_id AS "stepId",
            sum(count::numeric * greatest(0, least(period_end, $4::date - 1) - greatest(period_start, $3::date) + 1) / (period_end - period_start + 1)) AS count
       FROM step_count WHERE workspace_id = $1 AND step_id = ANY($2::uuid[]) AND period_end >= $3::date AND period_start < $4::date
      GROUP BY step_id`, [workspaceId, stepIds, fromDay, toDayExclusive]);
  return Object.fromEntries(rows.map((r) => [r.stepId, Math.round(num(r.count))]));
}

/** The facts of the measured model (docs/funnel.md#model): one statement for the lead steps, one for the counts, the CPL's two. */
export async function funnelFacts(database: Database, f: FunnelFilter, steps: readonly JourneyStep[], stages: readonly JourneyStage[]): Promise<FunnelFacts & { costBySource: Map<string, number | null> }> {
  const q = new Params();
  const n = steps.length;
  const maskExpr = steps.map((s, i) => (isRecordStep(s) ? `(CASE WHEN ts[${i + 1}] IS NOT NULL THEN ${1 << i} ELSE 0 END)` : null)).filter(Boolean).join(' | ') || '0';
  const rows = n === 0 ? [] : await database.query<{ kind: string; k: number; leads: number; won: number; wonAmount: string; days: number | null }>(
    `WITH ${perLeadSql(f, q, steps, stagePositions(stages), { from: f.period.from, to: f.period.to })}
     SELECT 'mask' AS kind, (${maskExpr}) AS k, count(*)::int AS leads, (count(*) FILTER (WHERE won_at IS NOT NULL))::int AS won,
            coalesce(sum(amount) FILTER (WHERE won_at IS NOT NULL), 0) AS "wonAmount", NULL::float8 AS days
       FROM per_lead GROUP BY 2
     UNION ALL
     SELECT 'median', i, count(*)::int, 0, 0, percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ts[i] - ts[i - 1]) / 86400)
       FROM per_lead, generate_series(2, ${n}) AS i
      WHERE ts[i] IS NOT NULL AND ts[i - 1] IS NOT NULL AND ts[i] >= ts[i - 1]
      GROUP BY 2`, q.values);
  const masks = rows.filter((r) => r.kind === 'mask');
  const medianDays: (number | null)[] = steps.map(() => null);
  for (const r of rows) if (r.kind === 'median' && r.days !== null) medianDays[num(r.k) - 1] = Math.round(num(r.days) * 100) / 100;
  const fromDay = localDay(f.period.from, f.period.timeZone);
  const toDayExclusive = localDay(f.period.to, f.period.timeZone);
  const counts = await manualCounts(database, f.workspaceId, steps.filter((s) => !isRecordStep(s)).map((s) => s.id), fromDay, toDayExclusive);
  const cpl = await costPerLeadSql(database, { workspaceId: f.workspaceId, period: f.period, unit: 'month', ownerIds: f.ownerIds, sourceId: f.sourceId, now: f.asOf });
  return {
    steps, reached: masks.map((r) => ({ mask: num(r.k), leads: num(r.leads) })), medianDays, manualCounts: counts,
    won: masks.reduce((s, r) => s + num(r.won), 0), wonAmount: masks.reduce((s, r) => s + num(r.wonAmount), 0), cost: cpl.total.cost,
    costBySource: new Map(cpl.bySource.map((r) => [r.key, r.cpl])),
  };
}

/** `CASE` mapping a furthest stage position to the index of the journey's stage step at or before it. */
function stepOfPosition(expr: string, steps: readonly JourneyStep[], stagePos: ReadonlyMap<string, number>): string {
  const stageSteps = steps.map((s, i) => ({ i, pos: s.kind === 'stage' ? stagePos.get(s.stageId!) : undefined }))
    .filter((x): x is { i: number; pos: number } => x.pos !== undefined).sort((a, b) => b.pos - a.pos);
  const first = Math.max(0, steps.findIndex(isRecordStep));
  if (stageSteps.length === 0) return String(first);
  return `CASE ${stageSteps.map((x) => `WHEN ${expr} >= ${x.pos} THEN ${x.i}`).join(' ')} ELSE ${stageSteps.at(-1)!.i} END`;
}

const ageBucketSql = (days: string) => `CASE ${[...ageBuckets].reverse().map((b, i) => `WHEN ${days} >= ${b} THEN ${ageBuckets.length - 1 - i}`).join(' ')} ELSE 0 END`;

/**
 * What the projection needs besides the model: the pipeline open at `asOf` by step and age, the
 * cohort by the furthest step it reached and its age at close (or now), the won leads' cycle, and
 * the period's inflow per source.
 */
export async function projectionFacts(
  database: Database, f: FunnelFilter, steps: readonly JourneyStep[], stages: readonly JourneyStage[], costBySource: Map<string, number | null>,
): Promise<Omit<ProjectionInputs, 'model'>> {
  const stagePos = stagePositions(stages);
  const furthest = (alias: string, q: Params) => `coalesce((SELECT max(s.position) FROM lead_stage_history h JOIN stage s ON s.workspace_id = h.workspace_id AND s.id = h.to_stage_id AND s.kind <> 'lost'
      WHERE h.workspace_id = ${alias}.workspace_id AND h.lead_id = ${alias}.id AND h.changed_at <= ${q.p(f.asOf)}), st.position)`;
  const oq = new Params();
  const openWhere = leadWhere(f, oq, null);
  const asOfO = oq.p(f.asOf);
  const open = await database.query<{ step: number; bucket: number; leads: number; amount: string; weighted: string; age: number }>(
    `SELECT ${stepOfPosition('pos', steps, stagePos)} AS step, ${ageBucketSql('age')} AS bucket, count(*)::int AS leads,
            coalesce(sum(amount), 0) AS amount, coalesce(sum(amount * probability / 100.0), 0) AS weighted, avg(age)::float8 AS age
       FROM (SELECT l.amount, l.probability, extract(epoch FROM ${asOfO} - l.created_at) / 86400 AS age, ${furthest('l', oq)} AS pos
               FROM lead l JOIN stage st ON st.workspace_id = l.workspace_id AND st.id = l.stage_id
              WHERE ${openWhere} AND (l.status = 'open' OR l.closed_at > ${asOfO})) x
      GROUP BY 1, 2`, oq.values);

  // The chance of a win at a step and age: of the cohort leads that reached the step and were still
  // open at that age, those won by asOf. Leads lost, or still open, count as not won: a lead that
  // stalls is not a sale, and leaving open leads out would credit the pipeline with the stalled ones.
  const hq = new Params();
  const cohortWhere = leadWhere(f, hq, { from: f.period.from, to: f.period.to });
  const asOfH = hq.p(f.asOf);
  const history = await database.query<{ step: number; bucket: number; won: number; lost: number }>(
    `SELECT ${stepOfPosition('pos', steps, stagePos)} AS step, ${ageBucketSql('age')} AS bucket,
            (count(*) FILTER (WHERE won))::int AS won, (count(*) FILTER (WHERE NOT won))::int AS lost
       FROM (SELECT (l.status = 'won' AND l.closed_at <= ${asOfH}) AS won,
                    extract(epoch FROM (CASE WHEN l.closed_at <= ${asOfH} THEN l.closed_at ELSE ${asOfH} END) - l.created_at) / 86400 AS age,
                    ${furthest('l', hq)} AS pos
               FROM lead l JOIN stage st ON st.workspace_id = l.workspace_id AND st.id = l.stage_id WHERE ${cohortWhere}) x
      GROUP BY 1, 2`, hq.values);

  // When wins land: the cycle of the leads won in the period (40 quantiles are plenty).
  const cq = new Params();
  const closedTo = f.period.to < f.asOf ? f.period.to : f.asOf;
  const wonWhere = [`l.workspace_id = ${cq.p(f.workspaceId)}`, `l.pipeline_id = ${cq.p(f.pipelineId)}`, `l.status = 'won'`,
    `l.closed_at >= ${cq.p(f.period.from)}`, `l.closed_at < ${cq.p(closedTo)}`,
    ...(f.ownerIds ? [`l.owner_id = ANY(${cq.p(f.ownerIds)}::uuid[])`] : []), ...(f.sourceId ? [`l.source_id = ${cq.p(f.sourceId)}`] : []),
    ...(f.productId ? [`l.product_ids @> ARRAY[${cq.p(f.productId)}]::uuid[]`] : [])].join(' AND ');
  const quantiles = Array.from({ length: 40 }, (_, i) => (i + 0.5) / 40);
  const [cycle] = await database.query<{ cycle: number[] | null; dealCv2: number | null }>(
    `SELECT percentile_cont(${cq.p(quantiles)}::float8[]) WITHIN GROUP (ORDER BY extract(epoch FROM l.closed_at - l.created_at) / 86400) AS cycle,
            (var_pop(l.amount) FILTER (WHERE l.amount > 0) / nullif(avg(l.amount) FILTER (WHERE l.amount > 0), 0) ^ 2)::float8 AS "dealCv2"
       FROM lead l WHERE ${wonWhere}`, cq.values);

  const iq = new Params();
  const inflowRows = await database.query<{ source: string; leads: number }>(
    `SELECT coalesce(l.source_id::text, 'none') AS source, count(*)::int AS leads FROM lead l WHERE ${leadWhere(f, iq, { from: f.period.from, to: f.period.to })} GROUP BY 1`, iq.values);
  const months = Math.max(1, ((f.period.to < f.asOf ? f.period.to : f.asOf).getTime() - f.period.from.getTime()) / 86_400_000 / 30.44);

  // Leads per whole 7-day window from the period's start (a partial last week would read as a slump).
  const wq = new Params();
  const fullWeeks = Math.floor(((f.period.to < f.asOf ? f.period.to : f.asOf).getTime() - f.period.from.getTime()) / (7 * 86_400_000));
  const weekRows = fullWeeks < 1 ? [] : await database.query<{ w: number; leads: number }>(
    `SELECT floor(extract(epoch FROM l.created_at - ${wq.p(f.period.from)}::timestamptz) / 604800)::int AS w, count(*)::int AS leads
       FROM lead l WHERE ${leadWhere(f, wq, { from: f.period.from, to: new Date(f.period.from.getTime() + fullWeeks * 7 * 86_400_000) })} GROUP BY 1`, wq.values);
  const weeklyInflow = new Array<number>(Math.max(0, fullWeeks)).fill(0);
  for (const r of weekRows) if (num(r.w) >= 0 && num(r.w) < fullWeeks) weeklyInflow[num(r.w)] = num(r.leads);

  return {
    openCells: open.map((r) => ({ step: num(r.step), ageBucket: num(r.bucket), leads: num(r.leads), amount: num(r.amount), weighted: num(r.weighted), meanAgeDays: num(r.age) })),
    closedCells: history.map((r) => ({ step: num(r.step), ageBucket: num(r.bucket), won: num(r.won), lost: num(r.lost) })),
    cycleDays: (cycle?.cycle ?? []).filter((d): d is number => d !== null).map(Number),
    inflow: inflowRows.map((r) => ({ sourceId: r.source, leadsPerMonth: num(r.leads) / months, cpl: costBySource.get(r.source) ?? null })),
    weeklyInflow, dealCv2: cycle?.dealCv2 === null || cycle?.dealCv2 === undefined ? 0 : num(cycle.dealCv2),
  };
}

/**
 * Per step and local week, how many leads reached the step in [from, to) (their reach instant, not
 * their creation: the weekly review counts what happened that week), plus the manual steps' counts
 * spread over their days. Leads created up to 400 days before `from` are followed.
 */
export async function weeklyStepEvents(
  database: Database, f: FunnelFilter, steps: readonly JourneyStep[], stages: readonly JourneyStage[], range: { from: Date; to: Date },
): Promise<Map<string, number>> {
  const q = new Params();
  const n = steps.length;
  const out = new Map<string, number>();
  if (n === 0) return out;
  const created = { from: new Date(range.from.getTime() - 400 * 86_400_000), to: range.to };
  const cte = perLeadSql({ ...f, asOf: range.to < f.asOf ? range.to : f.asOf }, q, steps, stagePositions(stages), created);
  const tz = q.p(f.period.timeZone);
  const rows = await database.query<{ i: number; week: string; count: number }>(
    `WITH ${cte}
     SELECT i, ${bucketSql('ts[i]', 'week', tz)} AS week, count(*)::int AS count
       FROM per_lead, generate_series(1, ${n}) AS i
      WHERE ts[i] >= ${q.p(range.from)} AND ts[i] < ${q.p(range.to)}
      GROUP BY 1, 2`, q.values);
  for (const r of rows) out.set(`${r.week}|${steps[num(r.i) - 1]!.id}`, num(r.count));
  const manual = steps.filter((s) => !isRecordStep(s)).map((s) => s.id);
  if (manual.length) {
    const fromDay = localDay(range.from, f.period.timeZone);
    const toDay = localDay(range.to, f.period.timeZone);
    const counts = await database.query<{ stepId: string; week: string; count: string }>(
      `SELECT step_id AS "stepId", to_char(date_trunc('week', d), 'YYYY-MM-DD') AS week, sum(count::numeric / (period_end - period_start + 1)) AS count
         FROM step_count, generate_series(greatest(period_start, $3::date), least(period_end, $4::date - 1), interval '1 day') AS d
        WHERE workspace_id = $1 AND step_id = ANY($2::uuid[]) AND period_end >= $3::date AND period_start < $4::date
        GROUP BY 1, 2`, [f.workspaceId, manual, fromDay, toDay]);
    for (const c of counts) out.set(`${c.week}|${c.stepId}`, Math.round(num(c.count)));
  }
  return out;
}

/** The measured model and everything the projection needs, for one filter: the statements above, in order. */
export async function fitFunnel(database: Database, f: FunnelFilter, steps: readonly JourneyStep[], stages: readonly JourneyStage[]): Promise<ProjectionInputs> {
  const facts = await funnelFacts(database, f, steps, stages);
  const model = measureFunnel(facts);
  return { model, ...(await projectionFacts(database, f, steps, stages, facts.costBySource)) };
}

/**
 * Leads of the pipeline won after `asOf`, per 30.44-day window from it (the projection's months),
 * with their amounts: what the backtest compares the projection with.
 */
export async function wonAfter(database: Database, f: FunnelFilter, months: number): Promise<{ sales: number[]; revenue: number[] }> {
  const q = new Params();
  const where = [`workspace_id = ${q.p(f.workspaceId)}`, `pipeline_id = ${q.p(f.pipelineId)}`, `status = 'won'`,
    ...(f.ownerIds ? [`owner_id = ANY(${q.p(f.ownerIds)}::uuid[])`] : []), ...(f.sourceId ? [`source_id = ${q.p(f.sourceId)}`] : []),
    ...(f.productId ? [`product_ids @> ARRAY[${q.p(f.productId)}]::uuid[]`] : [])];
  const asOf = q.p(f.asOf);
  const rows = await database.query<{ m: number; sales: number; revenue: string }>(
    `SELECT floor(extract(epoch FROM closed_at - ${asOf}) / 86400 / 30.44)::int AS m, count(*)::int AS sales, coalesce(sum(amount), 0) AS revenue
       FROM lead WHERE ${where.join(' AND ')} AND closed_at > ${asOf} AND closed_at < ${asOf}::timestamptz + ${q.p(`${Math.round(months * 30.44 * 86400)} seconds`)}::interval
      GROUP BY 1`, q.values);
  const sales = new Array<number>(months).fill(0);
  const revenue = new Array<number>(months).fill(0);
  for (const r of rows) if (num(r.m) >= 0 && num(r.m) < months) { sales[num(r.m)] = num(r.sales); revenue[num(r.m)] = num(r.revenue); }
  return { sales, revenue };
}
