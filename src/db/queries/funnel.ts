import { sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { notFound } from '../../domain/errors.js';
import { defaultJourney, isRecordStep, type JourneyStage, type JourneyStep } from '../../domain/funnel/journey.js';
import { bucketQuantile, measureFunnel, type DayBucket } from '../../domain/funnel/model.js';
import { ageBuckets, type ProjectionInputs } from '../../domain/funnel/projection.js';
import { localDay, round2, type MetricPeriod } from '../../domain/metrics/period.js';
import type { Database, Db } from '../client.js';
import { insertRow, write } from '../repository.js';
import { journeyStep } from '../schema.js';
import { enqueueJob } from './jobs.js';
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
  /** A saved segment of contacts (docs/segments.md): the leads whose contact is in it. Raw only. */
  segmentId?: string | null;
  /** The segment's condition over a contact id (src/db/queries/segments.ts loadSegmentFilter); set with segmentId. */
  segmentSql?: ((p: (v: unknown) => string, contactIdExpr: string) => string) | null;
  asOf: Date;
  /** asOf is now: the rollups may answer (they hold the present, not a backtest's past). */
  live?: boolean;
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
 * (and audited) once: the lock makes two first readers agree on one journey. Writing it queues the
 * rebuild of the pipeline's funnel rollups (`now`: the clock of the request).
 */
export async function ensureJourney(tx: Db, actor: Actor, pipelineId: string, now: Date): Promise<JourneyStep[]> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('journey:' || ${pipelineId}))`);
  const existing = await journeyInTx(tx, actor.workspaceId, pipelineId);
  if (existing.length) return existing;
  const stages = rowsOf<JourneyStage>(await tx.execute(sql`SELECT id, name, position, kind FROM stage
    WHERE workspace_id = ${actor.workspaceId} AND pipeline_id = ${pipelineId} ORDER BY position`));
  if (stages.length === 0) throw notFound('pipeline');
  for (const s of defaultJourney(stages)) await insertRow(tx, journeyStep, actor, 'journeyStep', { ...s, pipelineId });
  await enqueueFunnelRollups(tx, actor.workspaceId, pipelineId, now, 'edit');
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
  if (f.segmentSql) parts.push(f.segmentSql((v) => q.p(v), 'l.contact_id'));
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

/**
 * What both ways of fitting (raw rows, rollups) hand over, in the same shape, so that one assembly
 * turns them into the model's facts and the projection's inputs and the two agree exactly.
 * Days are local days of the period's zone; `bucket` an age bucket (src/domain/funnel/projection.ts).
 */
type FitRows = {
  masks: { k: number; leads: number; won: number; wonAmount: number }[];
  stepDays: { step: number; lo: number; leads: number; days: number }[];
  open: { step: number; bucket: number; leads: number; amount: number; weighted: number; ageSum: number }[];
  history: { step: number; bucket: number; won: number; lost: number }[];
  cycle: DayBucket[];
  deal: { priced: number; amount: number; amountSq: number };
  inflow: { source: string; leads: number }[];
  /** Per whole week of the cohort: its leads, and those of them won and lost (by asOf). */
  weekly: { w: number; leads: number; won: number; lost: number }[];
};

/** The local days the fit reads: the cohort [fromDay, toDay), whole weeks up to the cut-off, the cut-off's own day. */
function fitDays(f: FunnelFilter) {
  const tz = f.period.timeZone;
  const fromDay = localDay(f.period.from, tz);
  const toDay = localDay(f.period.to, tz);
  const asOfDay = localDay(f.asOf, tz);
  // Weeks end at the period's end, or at the cut-off's day when the period runs past it (today is not whole yet).
  const endDay = f.period.to <= f.asOf ? toDay : asOfDay;
  const fullWeeks = Math.max(0, Math.floor((Date.parse(`${endDay}T00:00:00Z`) - Date.parse(`${fromDay}T00:00:00Z`)) / (7 * 86_400_000)));
  return { fromDay, toDay, asOfDay, fullWeeks };
}

/** `CASE` mapping a furthest stage position to the index of the journey's stage step at or before it (funnel_at_step_sql in 0020 is the same rule). */
function stepOfPosition(expr: string, steps: readonly JourneyStep[], stagePos: ReadonlyMap<string, number>): string {
  const stageSteps = steps.map((s, i) => ({ i, pos: s.kind === 'stage' ? stagePos.get(s.stageId!) : undefined }))
    .filter((x): x is { i: number; pos: number } => x.pos !== undefined).sort((a, b) => b.pos - a.pos);
  const first = Math.max(0, steps.findIndex(isRecordStep));
  if (stageSteps.length === 0) return String(first);
  return `CASE ${stageSteps.map((x) => `WHEN ${expr} >= ${x.pos} THEN ${x.i}`).join(' ')} ELSE ${stageSteps.at(-1)!.i} END`;
}

const ageBucketSql = (days: string) => `CASE ${[...ageBuckets].reverse().map((b, i) => `WHEN ${days} >= ${b} THEN ${ageBuckets.length - 1 - i}`).join(' ')} ELSE 0 END`;

/** Raw: every statement over the leads and their history, as they stood at `asOf`. */
async function rawFitRows(database: Database, f: FunnelFilter, steps: readonly JourneyStep[], stages: readonly JourneyStage[]): Promise<FitRows> {
  const n = steps.length;
  const stagePos = stagePositions(stages);
  const { fromDay, asOfDay, fullWeeks } = fitDays(f);
  const q = new Params();
  const maskExpr = steps.map((s, i) => (isRecordStep(s) ? `(CASE WHEN ts[${i + 1}] IS NOT NULL THEN ${1 << i} ELSE 0 END)` : null)).filter(Boolean).join(' | ') || '0';
  const rows = n === 0 ? [] : await database.query<{ kind: string; k: number; leads: number; won: number; wonAmount: string; lo: number | null; days: number | null }>(
    `WITH ${perLeadSql(f, q, steps, stagePos, { from: f.period.from, to: f.period.to })}
     SELECT 'mask' AS kind, (${maskExpr}) AS k, count(*)::int AS leads, (count(*) FILTER (WHERE won_at IS NOT NULL))::int AS won,
            coalesce(sum(amount) FILTER (WHERE won_at IS NOT NULL), 0) AS "wonAmount", NULL::int AS lo, NULL::float8 AS days
       FROM per_lead GROUP BY 2
     UNION ALL
     SELECT 'days', i, count(*)::int, 0, 0, funnel_days_bucket(d), sum(d)
       FROM (SELECT i, extract(epoch FROM ts[i] - ts[i - 1])::float8 / 86400 AS d
               FROM per_lead, generate_series(2, ${n}) AS i WHERE ts[i] IS NOT NULL AND ts[i - 1] IS NOT NULL AND ts[i] >= ts[i - 1]) x
      GROUP BY 2, 6`, q.values);

  const furthest = (alias: string, p: Params) => `coalesce((SELECT max(s.position) FROM lead_stage_history h JOIN stage s ON s.workspace_id = h.workspace_id AND s.id = h.to_stage_id AND s.kind <> 'lost'
      WHERE h.workspace_id = ${alias}.workspace_id AND h.lead_id = ${alias}.id AND h.changed_at <= ${p.p(f.asOf)}), st.position)`;
  const localDate = (expr: string, p: Params) => `(${expr} AT TIME ZONE ${p.p(f.period.timeZone)})::date`;
  const oq = new Params();
  const asOfO = oq.p(f.asOf);
  const open = await database.query<{ step: number; bucket: number; leads: number; amount: string; weighted: string; ageSum: number }>(
    `SELECT ${stepOfPosition('pos', steps, stagePos)} AS step, ${ageBucketSql('age')} AS bucket, count(*)::int AS leads,
            coalesce(sum(amount), 0) AS amount, coalesce(sum(amount * probability / 100.0), 0) AS weighted, sum(age)::float8 AS "ageSum"
       FROM (SELECT l.amount, l.probability, ${oq.p(asOfDay)}::date - ${localDate('l.created_at', oq)} AS age, ${furthest('l', oq)} AS pos
               FROM lead l JOIN stage st ON st.workspace_id = l.workspace_id AND st.id = l.stage_id
              WHERE ${leadWhere(f, oq, null)} AND (l.status = 'open' OR l.closed_at > ${asOfO})) x
      GROUP BY 1, 2`, oq.values);

  // The chance of a win at a step and age: of the cohort leads that reached the step and were still
  // open at that age, those won by asOf. Leads lost, or still open, count as not won: a lead that
  // stalls is not a sale, and leaving open leads out would credit the pipeline with the stalled ones.
  const hq = new Params();
  const asOfH = hq.p(f.asOf);
  const history = await database.query<{ step: number; bucket: number; won: number; lost: number }>(
    `SELECT ${stepOfPosition('pos', steps, stagePos)} AS step, ${ageBucketSql('age')} AS bucket,
            (count(*) FILTER (WHERE won))::int AS won, (count(*) FILTER (WHERE NOT won))::int AS lost
       FROM (SELECT (l.status = 'won' AND l.closed_at <= ${asOfH}) AS won,
                    CASE WHEN l.status IN ('won', 'lost') AND l.closed_at <= ${asOfH} THEN ${localDate('l.closed_at', hq)} ELSE ${hq.p(asOfDay)}::date END
                      - ${localDate('l.created_at', hq)} AS age,
                    ${furthest('l', hq)} AS pos
               FROM lead l JOIN stage st ON st.workspace_id = l.workspace_id AND st.id = l.stage_id
              WHERE ${leadWhere(f, hq, { from: f.period.from, to: f.period.to })}) x
      GROUP BY 1, 2`, hq.values);

  // When wins land: the cycle of the leads won in the period, and the spread of their amounts.
  const cq = new Params();
  const closedTo = f.period.to < f.asOf ? f.period.to : f.asOf;
  const wonWhere = [`l.workspace_id = ${cq.p(f.workspaceId)}`, `l.pipeline_id = ${cq.p(f.pipelineId)}`, `l.status = 'won'`,
    `l.closed_at >= ${cq.p(f.period.from)}`, `l.closed_at < ${cq.p(closedTo)}`, ...extraLeadConditions(f, cq)].join(' AND ');
  const cycle = await database.query<{ lo: number; leads: number; days: number; priced: number; amount: number; amountSq: number }>(
    `SELECT funnel_days_bucket(d) AS lo, count(*)::int AS leads, sum(d) AS days, (count(*) FILTER (WHERE amount > 0))::int AS priced,
            coalesce(sum(amount::float8) FILTER (WHERE amount > 0), 0) AS amount, coalesce(sum(amount::float8 ^ 2) FILTER (WHERE amount > 0), 0) AS "amountSq"
       FROM (SELECT extract(epoch FROM l.closed_at - l.created_at)::float8 / 86400 AS d, l.amount FROM lead l WHERE ${wonWhere}) x
      GROUP BY 1`, cq.values);

  const iq = new Params();
  const inflow = await database.query<{ source: string; leads: number }>(
    `SELECT coalesce(l.source_id::text, 'none') AS source, count(*)::int AS leads FROM lead l WHERE ${leadWhere(f, iq, { from: f.period.from, to: f.period.to })} GROUP BY 1`, iq.values);
  // Leads per whole 7-day window from the period's first day (a partial last week would read as a slump).
  const wq = new Params();
  const asOfW = wq.p(f.asOf);
  const weekly = fullWeeks < 1 ? [] : await database.query<{ w: number; leads: number; won: number; lost: number }>(
    `SELECT w, count(*)::int AS leads, (count(*) FILTER (WHERE outcome = 1))::int AS won, (count(*) FILTER (WHERE outcome = 2))::int AS lost
       FROM (SELECT (${localDate('l.created_at', wq)} - ${wq.p(fromDay)}::date) / 7 AS w,
                    CASE WHEN l.closed_at <= ${asOfW} THEN CASE l.status WHEN 'won' THEN 1 WHEN 'lost' THEN 2 END END AS outcome
               FROM lead l WHERE ${leadWhere(f, wq, { from: f.period.from, to: f.period.to })}) x
      WHERE w < ${wq.p(fullWeeks)} GROUP BY 1`, wq.values);

  return {
    masks: rows.filter((r) => r.kind === 'mask').map((r) => ({ k: num(r.k), leads: num(r.leads), won: num(r.won), wonAmount: num(r.wonAmount) })),
    stepDays: rows.filter((r) => r.kind === 'days').map((r) => ({ step: num(r.k) - 1, lo: num(r.lo), leads: num(r.leads), days: num(r.days) })),
    open: open.map((r) => ({ step: num(r.step), bucket: num(r.bucket), leads: num(r.leads), amount: num(r.amount), weighted: num(r.weighted), ageSum: num(r.ageSum) })),
    history: history.map((r) => ({ step: num(r.step), bucket: num(r.bucket), won: num(r.won), lost: num(r.lost) })),
    cycle: cycle.map((r) => ({ lo: num(r.lo), leads: num(r.leads), days: num(r.days) })),
    deal: cycle.reduce((d, r) => ({ priced: d.priced + num(r.priced), amount: d.amount + num(r.amount), amountSq: d.amountSq + num(r.amountSq) }), { priced: 0, amount: 0, amountSq: 0 }),
    inflow: inflow.map((r) => ({ source: r.source, leads: num(r.leads) })),
    weekly: weekly.map((r) => ({ w: num(r.w), leads: num(r.leads), won: num(r.won), lost: num(r.lost) })),
  };
}

/** Owner, source (and product, segment: raw only) conditions on `l`. */
function extraLeadConditions(f: FunnelFilter, q: Params): string[] {
  return [
    ...(f.ownerIds ? [`l.owner_id = ANY(${q.p(f.ownerIds)}::uuid[])`] : []),
    ...(f.sourceId ? [`l.source_id = ${q.p(f.sourceId)}`] : []),
    ...(f.productId ? [`l.product_ids @> ARRAY[${q.p(f.productId)}]::uuid[]`] : []),
    ...(f.segmentSql ? [f.segmentSql((v) => q.p(v), 'l.contact_id')] : []),
  ];
}

/** Rollups (migration 0020): the same rows from funnel_lead_daily, funnel_step_days and funnel_won_cycle. */
async function rollupFitRows(database: Database, f: FunnelFilter): Promise<FitRows> {
  const { fromDay, toDay, asOfDay, fullWeeks } = fitDays(f);
  const q = new Params();
  // The whole team's fit reads the tables without owner (and source): a few dozen rows a day.
  const all = !f.ownerIds && !f.sourceId ? '_all' : '';
  const base = [`workspace_id = ${q.p(f.workspaceId)}`, `pipeline_id = ${q.p(f.pipelineId)}`,
    ...(f.ownerIds ? [`owner_id = ANY(${q.p(f.ownerIds)}::uuid[])`] : []), ...(f.sourceId ? [`source_id = ${q.p(f.sourceId)}`] : [])].join(' AND ');
  const from = `${q.p(fromDay)}::date`;
  const to = `${q.p(toDay)}::date`;
  const asOf = `${q.p(asOfDay)}::date`;
  const cohort = `${base} AND day >= ${from} AND day < ${to} AND day <= ${asOf}`;
  const age = `funnel_age_bucket(${asOf} - day)`;
  // One statement, one round trip: every part tagged by `kind`, its numbers in generic columns.
  const rows = await database.query<{ kind: string; a: number; b: number; c: number; d: number; e: string; g: string; h: number }>(
    `SELECT 'mask' AS kind, mask AS a, 0 AS b, sum(leads)::int AS c, (sum(leads) FILTER (WHERE outcome = 1))::int AS d,
            coalesce(sum(amount) FILTER (WHERE outcome = 1), 0) AS e, 0::numeric AS g, 0::float8 AS h
       FROM funnel_lead_daily${all} WHERE ${cohort} GROUP BY mask
     UNION ALL
     SELECT 'days', step, lo, sum(leads)::int, 0, 0, 0, sum(days) FROM funnel_step_days${all} WHERE ${cohort} GROUP BY step, lo
     UNION ALL
     SELECT 'open', at_step, ${age}, sum(leads)::int, 0, sum(amount), sum(weighted), sum(leads * (${asOf} - day))::float8
       FROM funnel_lead_daily${all} WHERE ${base} AND outcome = 0 AND day <= ${asOf} GROUP BY 2, 3
     UNION ALL
     SELECT 'history', at_step, CASE WHEN close_age >= 0 THEN close_age ELSE ${age} END,
            (sum(leads) FILTER (WHERE outcome = 1))::int, (sum(leads) FILTER (WHERE outcome <> 1))::int, 0, 0, 0
       FROM funnel_lead_daily${all} WHERE ${cohort} GROUP BY 2, 3
     UNION ALL
     SELECT 'cycle', lo, sum(priced)::int, sum(leads)::int, 0, sum(amount)::numeric, sum(amount_sq)::numeric, sum(days)
       FROM funnel_won_cycle${all} WHERE ${base} AND day >= ${from} AND day < ${to} AND day <= ${asOf} GROUP BY lo
     UNION ALL
     SELECT 'inflow:' || CASE WHEN source_id = '${NONE}' THEN 'none' ELSE source_id::text END, 0, 0, sum(leads)::int, 0, 0, 0, 0
       FROM funnel_lead_daily${all} WHERE ${cohort} GROUP BY source_id
     UNION ALL
     SELECT 'week', (day - ${from}) / 7, 0, sum(leads)::int, (sum(leads) FILTER (WHERE outcome = 1))::int, coalesce(sum(leads) FILTER (WHERE outcome = 2), 0), 0, 0
       FROM funnel_lead_daily${all} WHERE ${cohort} AND day < ${from} + ${q.p(fullWeeks * 7)}::int GROUP BY 2`, q.values);
  const of = (kind: string) => rows.filter((r) => r.kind === kind);
  const cycle = of('cycle');
  return {
    masks: of('mask').filter((r) => num(r.c) !== 0).map((r) => ({ k: num(r.a), leads: num(r.c), won: num(r.d), wonAmount: num(r.e) })),
    stepDays: of('days').map((r) => ({ step: num(r.a), lo: num(r.b), leads: num(r.c), days: num(r.h) })),
    open: of('open').filter((r) => num(r.c) !== 0).map((r) => ({ step: num(r.a), bucket: num(r.b), leads: num(r.c), amount: num(r.e), weighted: num(r.g), ageSum: num(r.h) })),
    history: of('history').filter((r) => num(r.c) + num(r.d) !== 0).map((r) => ({ step: num(r.a), bucket: num(r.b), won: num(r.c), lost: num(r.d) })),
    cycle: cycle.filter((r) => num(r.c) !== 0).map((r) => ({ lo: num(r.a), leads: num(r.c), days: num(r.h) })),
    deal: cycle.reduce((d, r) => ({ priced: d.priced + num(r.b), amount: d.amount + num(r.e), amountSq: d.amountSq + num(r.g) }), { priced: 0, amount: 0, amountSq: 0 }),
    inflow: rows.filter((r) => r.kind.startsWith('inflow:') && num(r.c) !== 0).map((r) => ({ source: r.kind.slice(7), leads: num(r.c) })),
    weekly: of('week').map((r) => ({ w: num(r.a), leads: num(r.c), won: num(r.d), lost: num(r.e) })),
  };
}

const NONE = '00000000-0000-0000-0000-000000000000';

/** Rollups answer for the journey they were built for; this is what funnel_signature() gives for `steps`. */
const journeySignature = (steps: readonly JourneyStep[]) => steps.map((s) => `${s.id}:${s.kind}:${s.stageId ?? ''}:${s.activityType ?? ''}`).join(',');

/**
 * Whether the rollups can answer this fit: `unsupported` when they never can (a backtest's past,
 * a product or segment filter, steps other than the stored journey, another zone: the raw rows
 * answer), `stale` when the pipeline's journey or stages changed since they were built (the job
 * `funnel-rollups` rebuilds them; until then they must not answer), else `ready`. Read from
 * Postgres alone, so every app instance gives the same answer.
 */
export async function funnelRollupStatus(database: Database, f: FunnelFilter, steps: readonly JourneyStep[]): Promise<'ready' | 'stale' | 'unsupported'> {
  if (!f.live || f.productId || f.segmentId || f.segmentSql) return 'unsupported';
  const [r] = await database.query<{ current: string; built: string | null }>(
    `SELECT funnel_signature($1, $2) AS current, (SELECT signature FROM funnel_rollup_state WHERE workspace_id = $1 AND pipeline_id = $2) AS built`, [f.workspaceId, f.pipelineId]);
  const [journey, , zone] = r!.current.split('|');
  if (journey !== journeySignature(steps) || zone !== f.period.timeZone) return 'unsupported';
  return r!.built === r!.current ? 'ready' : 'stale';
}

export async function funnelRollupsReady(database: Database, f: FunnelFilter, steps: readonly JourneyStep[]): Promise<boolean> {
  return (await funnelRollupStatus(database, f, steps)) === 'ready';
}

/** The job kind that rebuilds one pipeline's funnel rollups (registered by src/jobs/funnel.ts). */
export const FUNNEL_ROLLUPS_KIND = 'funnel-rollups';

/**
 * Whether the pipeline has at most `max` leads (config FUNNEL_RAW_MAX_LEADS, 20 000 by default): a
 * fit whose rollups are being rebuilt then reads the raw rows (≈ 4 s at 20 000 leads on a loaded
 * machine, docs/benchmarks.md); a larger one answers that the model is being prepared rather than
 * keep a request for minutes. Stops counting past `max`.
 */
export async function pipelineHasFewLeads(database: Database, workspaceId: string, pipelineId: string, max: number): Promise<boolean> {
  const [r] = await database.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM (SELECT 1 FROM lead WHERE workspace_id = $1 AND pipeline_id = $2 LIMIT $3) x', [workspaceId, pipelineId, max + 1]);
  return num(r!.n) <= max;
}

/**
 * Queues the rebuild of a pipeline's funnel rollups, in the caller's transaction. `cause: 'edit'`
 * (the journey was stored: its id is the instant and the transaction's id, so every edit asks,
 * once however many times its transaction asks); `cause: 'stale'`
 * (a fit found them stale: its id is the journey wanted and the build it replaces, so however many
 * requests and instances find the same stale state, one job exists — and a failed one is not
 * retried by every request, but by an admin from the jobs view).
 */
export async function enqueueFunnelRollups(tx: Db, workspaceId: string, pipelineId: string, now: Date, cause: 'edit' | 'stale'): Promise<string> {
  let key = now.toISOString();
  if (cause === 'edit') {
    const [r] = rowsOf<{ tx: string }>(await tx.execute(sql`SELECT txid_current()::text AS tx`));
    key = `${key}:tx${r!.tx}`;
  } else {
    const [r] = rowsOf<{ sig: string; built: string | null }>(await tx.execute(sql`SELECT md5(funnel_signature(${workspaceId}, ${pipelineId})) AS sig,
      (SELECT to_char(rebuilt_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISSUS') FROM funnel_rollup_state WHERE workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId}) AS built`));
    key = `${r!.sig}:${r!.built ?? 'none'}`;
  }
  const id = `${FUNNEL_ROLLUPS_KIND}:${pipelineId}:${key}`;
  await enqueueJob(tx, { workspaceId, id, kind: FUNNEL_ROLLUPS_KIND, payload: { pipelineId }, runAt: now });
  return id;
}

/** The parts of a pipeline's funnel rollups the job rebuilds one transaction each, in this order. */
export const FUNNEL_REBUILD_PARTS = ['funnel_lead_daily+funnel_step_days', 'funnel_won_cycle', 'funnel_step_reached'] as const;
export type FunnelRebuildPart = (typeof FUNNEL_REBUILD_PARTS)[number];

/**
 * The job's work: rebuilds the pipeline's funnel rollups unless they are fresh. True when it rebuilt.
 *
 * One short transaction per table (with its `_all` twin), then one that marks them fresh, instead of
 * one transaction for all: on PGlite the job held the only connection for the whole rebuild (minutes
 * at 100 000 leads) and every request waited; on PostgreSQL the writes whose triggers update a
 * rollup row the rebuild had deleted waited as long. Between two parts other work gets the database.
 * A part rebuilt from the rows as they are is exact from then on, because the triggers keep it
 * (they follow the journey stored now, the one being built for): a write between two parts is in
 * every part rebuilt after it and kept by the triggers in every part rebuilt before it. Until the
 * last transaction the state still names another build, so the rollups never answer half-built
 * (stale: "being prepared", or raw for a small pipeline, as before). The state records the journey
 * read BEFORE the first part: a journey or stage change stored meanwhile leaves them stale, for the
 * job that change queued. Two jobs for one pipeline may interleave: a part or range rebuilt twice
 * is the same, and funnel_step_reached's ranges (0034: a cursor tells its triggers which leads are
 * not counted yet) stop the job that finds the cursor moved by the other. `afterPart` (tests, the benchmark) runs between the transactions.
 * On PGlite the tables are rebuilt `chunkLeads` leads' worth of creation days at a time
 * (creationDayRanges; funnel_won_cycle, cheap, in one go): seconds each instead of minutes at 100 000 leads. PostgreSQL does
 * each in one go by default: each range reads the whole history and activities again (hash joins),
 * and there concurrent readers never wait for the job anyway.
 */
export async function rebuildFunnelRollups(
  database: Database, workspaceId: string, pipelineId: string,
  afterPart?: (part: FunnelRebuildPart | 'fresh', ms: number) => Promise<void> | void,
  opts: { chunkLeads?: number } = {},
): Promise<boolean> {
  const chunkLeads = opts.chunkLeads ?? (database.engine === 'pglite' ? FUNNEL_PGLITE_CHUNK_LEADS : Infinity);
  const state = async (tx: Db) => (rowsOf<{ current: string; built: string | null }>(await tx.execute(sql`SELECT funnel_signature(${workspaceId}, ${pipelineId}) AS current,
      (SELECT signature FROM funnel_rollup_state WHERE workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId}) AS built`)))[0]!;
  const wanted = await write(database, async (tx) => state(tx));
  if (wanted.built === wanted.current) return false;
  const dayRanges = await creationDayRanges(database, workspaceId, pipelineId, chunkLeads);
  const work = FUNNEL_REBUILD_PARTS.flatMap((part): { part: FunnelRebuildPart; days: DayRange }[] => (part !== 'funnel_won_cycle'
    ? dayRanges.map((days) => ({ part, days })) : [{ part, days: { from: null, to: null } }]));
  for (const { part, days } of work) {
    const started = performance.now();
    const going = await write(database, async (tx) => {
      // One part of a pipeline at a time: a second job waits here, then rebuilds it again (exact, wasted).
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('funnel-rollups:' || ${pipelineId}))`);
      // Each statement runs once: JIT compiling it never pays (nested loops off makes every plan look
      // costly enough to compile, seconds per statement); its hash aggregates over the pipeline's rows
      // would spill past the default work_mem; the CTEs have no statistics, so hash joins only
      // (funnel_rollups_rebuild of 0020 does the same).
      await tx.execute(sql`SELECT set_config('jit', 'off', true), set_config('work_mem', ${database.engine === 'pglite' ? '32MB' : '256MB'}, true),
        set_config('enable_nestloop', 'off', true)`);
      return rebuildPart(tx, workspaceId, pipelineId, part, days);
    });
    await afterPart?.(part, performance.now() - started);
    if (!going) return false;
  }
  const started = performance.now();
  const rebuilt = await write(database, async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext('funnel-rollups:' || ${pipelineId}))`);
    const now = await state(tx);
    if (now.current !== wanted.current) return false;
    await tx.execute(sql`UPDATE funnel_rollup_state SET signature = ${wanted.current}, rebuilt_at = now() WHERE workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId}`);
    return true;
  });
  await afterPart?.('fresh', performance.now() - started);
  return rebuilt;
}

/** Leads per transaction when the job rebuilds a PGlite database's funnel rollups (10–45 s each at 25 000 leads under load: smaller). */
export const FUNNEL_PGLITE_CHUNK_LEADS = 10_000;

type DayRange = { from: string | null; to: string | null };

/**
 * The pipeline's local creation days cut into ranges of about `chunkLeads` leads (whole days; the
 * first and last open-ended, so that every row of the tables is in one range): funnel_lead_daily and
 * funnel_step_days are keyed by the lead's creation day, so rebuilding one range of days from the
 * leads created in it is exact, whatever the other ranges hold, and the triggers keep it after.
 */
async function creationDayRanges(database: Database, workspaceId: string, pipelineId: string, chunkLeads: number): Promise<DayRange[]> {
  if (!Number.isFinite(chunkLeads)) return [{ from: null, to: null }];
  const days = await database.query<{ day: string; n: number }>(
    `SELECT to_char((created_at AT TIME ZONE (SELECT metric_zone(time_zone) FROM workspace WHERE id = $1))::date, 'YYYY-MM-DD') AS day, count(*)::int AS n
       FROM lead WHERE workspace_id = $1 AND pipeline_id = $2 GROUP BY 1 ORDER BY 1`, [workspaceId, pipelineId]);
  const cuts: string[] = [];
  let inChunk = 0;
  for (const d of days) {
    if (inChunk >= chunkLeads) { cuts.push(d.day); inChunk = 0; }
    inChunk += num(d.n);
  }
  return [null, ...cuts].map((from, i) => ({ from, to: cuts[i] ?? null }));
}

/**
 * One table of the pipeline's funnel rollups and its `_all` twin, rebuilt from the raw rows by the
 * migrations' own statements; for the creation-day tables, only the rows of the days `days`.
 */
async function rebuildPart(tx: Db, workspaceId: string, pipelineId: string, part: FunnelRebuildPart, days: DayRange): Promise<boolean> {
  // The leads created on those days, in the zone the rollups bucket by (0020: metric_zone of the workspace's).
  const created = sql`(SELECT format(' AND (created_at AT TIME ZONE %L)::date', metric_zone(time_zone)) FROM workspace WHERE id = ${workspaceId})`;
  const leads = sql`format('SELECT *, 1 AS sign FROM lead WHERE workspace_id = %L AND pipeline_id = %L', ${workspaceId}::uuid, ${pipelineId}::uuid)
        || CASE WHEN ${days.from}::date IS NULL THEN '' ELSE ${created} || format(' >= %L', ${days.from}::date) END
        || CASE WHEN ${days.to}::date IS NULL THEN '' ELSE ${created} || format(' < %L', ${days.to}::date) END`;
  const args = sql`${leads}, format('SELECT * FROM lead_stage_history WHERE workspace_id = %L', ${workspaceId}::uuid),
      format('SELECT * FROM activity WHERE workspace_id = %L', ${workspaceId}::uuid), format('SELECT * FROM sale WHERE workspace_id = %L', ${workspaceId}::uuid),
      format('SELECT * FROM feedback WHERE workspace_id = %L', ${workspaceId}::uuid)`;
  const of = sql`workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId}`;
  if (part === 'funnel_step_reached') {
    // Keyed by the day a step was reached, which ranges of leads share: funnel_rollup_cursor (0034)
    // makes its triggers leave alone the leads of the ranges not counted yet.
    if (days.from === null) {
      await tx.execute(sql`INSERT INTO funnel_rollup_cursor (workspace_id, pipeline_id, built_before) VALUES (${workspaceId}, ${pipelineId}, '-infinity')
        ON CONFLICT (workspace_id, pipeline_id) DO UPDATE SET built_before = excluded.built_before`);
      // A pipeline's first build: its state row, named after no journey (the rollups stay stale until
      // the last transaction); with that empty name its trigger (0028, 0034) leaves this table to us.
      await tx.execute(sql`INSERT INTO funnel_rollup_state (workspace_id, pipeline_id, signature) VALUES (${workspaceId}, ${pipelineId}, '') ON CONFLICT DO NOTHING`);
      await tx.execute(sql`DELETE FROM funnel_step_reached WHERE ${of}`);
      await tx.execute(sql`DELETE FROM funnel_step_reached_all WHERE ${of}`);
    }
    // The range's leads are counted from now on, by its statement and by the triggers. The cursor
    // elsewhere than where this job left it: another job restarted the table, or a whole rebuild
    // (funnel_step_reached_rebuild) dropped it; that one finishes it, this one stops.
    const moved = rowsOf(await tx.execute(sql`UPDATE funnel_rollup_cursor SET built_before = coalesce(${days.to}::date, 'infinity'::date)
      WHERE ${of} AND built_before = coalesce(${days.from}::date, '-infinity'::date) RETURNING 1`));
    if (!moved.length) return false;
    const [r] = rowsOf<{ q: string }>(await tx.execute(sql`SELECT funnel_step_reached_sql(${args}) AS q`));
    await tx.execute(sql.raw(r!.q));
    if (days.to === null) await tx.execute(sql`DELETE FROM funnel_rollup_cursor WHERE ${of}`);
    return true;
  }
  const inDays = sql`(${days.from}::date IS NULL OR day >= ${days.from}::date) AND (${days.to}::date IS NULL OR day < ${days.to}::date)`;
  const tables = part === 'funnel_won_cycle' ? ['funnel_won_cycle'] : ['funnel_lead_daily', 'funnel_step_days'];
  for (const table of tables.flatMap((x) => [x, `${x}_all`])) {
    await tx.execute(sql`DELETE FROM ${sql.raw(table)} WHERE workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId} AND ${inDays}`);
  }
  if (part === 'funnel_won_cycle') {
    const [r] = rowsOf<{ q: string }>(await tx.execute(sql`SELECT funnel_won_cycle_sql(${leads}) AS q`));
    await tx.execute(sql.raw(r!.q));
    return true;
  }
  const [r] = rowsOf<{ reach: string; daily: string; days: string }>(await tx.execute(sql`SELECT 'WITH ' || funnel_reach_sql(${args}) || ', ' AS reach,
      funnel_lead_daily_sql(${args}) AS daily, funnel_step_days_sql(${args}) AS days`));
  const merged = mergeOnReach(r!.reach, [r!.daily, r!.days]);
  if (merged) await tx.execute(sql.raw(merged));
  else for (const q of [r!.daily, r!.days]) await tx.execute(sql.raw(q));
  return true;
}

/**
 * Several of the migrations' rollup statements over the same leads (each `WITH <reach CTEs>,
 * … funnel_rows …, funnel_fine AS (INSERT …) INSERT INTO <table>_all …`, 0020 funnel_upsert_both) as
 * one statement whose reach CTEs (each lead's step instants, most of the cost) are computed once,
 * each upsert a data-modifying CTE of its own. Null when a statement is not of that shape (a later
 * migration changed them): the caller runs them one by one.
 */
export function mergeOnReach(reach: string, statements: readonly string[]): string | null {
  const parts: string[] = [];
  for (const [i, st] of statements.entries()) {
    if (!st.startsWith(reach)) return null;
    const tail = st.slice(reach.length).replace(/\bfunnel_rows\b/g, `funnel_rows_${i}`).replace(/\bfunnel_fine\b/g, `funnel_fine_${i}`);
    const last = tail.lastIndexOf(') INSERT INTO ');
    if (last < 0 || !/^\s*(\w+ AS MATERIALIZED \()/.test(tail)) return null;
    parts.push(`${tail.slice(0, last + 1)}, funnel_all_${i} AS (${tail.slice(last + 2)})`);
  }
  return `${reach}${parts.join(',\n')}\nSELECT 1`;
}

/** Turns either way's rows into the model's facts and the projection's inputs. */
async function assemble(database: Database, f: FunnelFilter, steps: readonly JourneyStep[], r: FitRows): Promise<ProjectionInputs> {
  const medianDays: (number | null)[] = steps.map(() => null);
  for (let i = 1; i < steps.length; i++) {
    const m = bucketQuantile(r.stepDays.filter((x) => x.step === i), 0.5);
    medianDays[i] = m === null ? null : round2(m);
  }
  const { fromDay, toDay, fullWeeks } = fitDays(f);
  const counts = await manualCounts(database, f.workspaceId, steps.filter((s) => !isRecordStep(s)).map((s) => s.id), fromDay, toDay);
  const cpl = await costPerLeadSql(database, { workspaceId: f.workspaceId, period: f.period, unit: 'month', ownerIds: f.ownerIds, sourceId: f.sourceId, now: f.asOf });
  const costBySource = new Map(cpl.bySource.map((x) => [x.key, x.cpl]));
  const model = measureFunnel({
    steps, reached: r.masks.map((m) => ({ mask: m.k, leads: m.leads })), medianDays, manualCounts: counts,
    won: r.masks.reduce((s, m) => s + m.won, 0), wonAmount: r.masks.reduce((s, m) => s + m.wonAmount, 0), cost: cpl.total.cost,
  });
  const weeklyInflow = new Array<number>(fullWeeks).fill(0);
  const weeklyOutcomes = Array.from({ length: fullWeeks }, () => ({ won: 0, lost: 0 }));
  for (const w of r.weekly) if (w.w >= 0 && w.w < fullWeeks) { weeklyInflow[w.w] = w.leads; weeklyOutcomes[w.w] = { won: w.won, lost: w.lost }; }
  // Weeks before the first lead of the period are before the business (or its use of the CRM): they
  // are neither inflow to vary nor months to spread the inflow over.
  const firstWeek = weeklyInflow.findIndex((n) => n > 0);
  if (firstWeek > 0) { weeklyInflow.splice(0, firstWeek); weeklyOutcomes.splice(0, firstWeek); }
  const start = f.period.from.getTime() + Math.max(0, firstWeek) * 7 * 86_400_000;
  const months = Math.max(1, ((f.period.to < f.asOf ? f.period.to : f.asOf).getTime() - start) / 86_400_000 / 30.44);
  const quantiles = Array.from({ length: 40 }, (_, i) => (i + 0.5) / 40);
  const { priced, amount, amountSq } = r.deal;
  const mean = priced > 0 ? amount / priced : 0;
  // Rounded: float sums in another order (rollup rows vs raw rows) differ in the last digits.
  const dealCv2 = priced > 1 && mean > 0 ? Math.round((Math.max(0, amountSq / priced - mean * mean) / (mean * mean)) * 1e6) / 1e6 : 0;
  return {
    model,
    openCells: r.open.map((c) => ({ step: c.step, ageBucket: c.bucket, leads: c.leads, amount: c.amount, weighted: c.weighted, meanAgeDays: c.leads > 0 ? c.ageSum / c.leads : 0 })),
    closedCells: r.history.map((c) => ({ step: c.step, ageBucket: c.bucket, won: c.won, lost: c.lost })),
    cycleDays: quantiles.map((x) => bucketQuantile(r.cycle, x)).filter((d): d is number => d !== null).map((d) => Math.round(d * 1e4) / 1e4),
    inflow: r.inflow.map((x) => ({ sourceId: x.source, leadsPerMonth: x.leads / months, cpl: costBySource.get(x.source) ?? null })),
    weeklyInflow, weeklyOutcomes, dealCv2,
  };
}

/** Sorts both ways' rows alike so that equal fits compare equal (tests, and stable output). */
function sortRows(r: FitRows): FitRows {
  const by = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const pad = (n: number) => String(n + 1_000_000).padStart(9, '0');
  return {
    ...r,
    masks: by(r.masks, (x) => pad(x.k)), stepDays: by(r.stepDays, (x) => pad(x.step) + pad(x.lo)), open: by(r.open, (x) => pad(x.step) + pad(x.bucket)),
    history: by(r.history, (x) => pad(x.step) + pad(x.bucket)), cycle: by(r.cycle, (x) => pad(x.lo)), inflow: by(r.inflow, (x) => x.source),
  };
}

/**
 * Per step and local week, how many leads reached the step between `from` and the local day of `to`
 * (their reach instant, not their creation: the weekly review counts what happened that week,
 * whenever the lead was created), plus the manual steps' counts spread over their days. From
 * funnel_step_reached (migration 0028) when the fit's rollups are fresh (`via`), else from the raw rows.
 */
export async function weeklyStepEvents(
  database: Database, f: FunnelFilter, steps: readonly JourneyStep[], stages: readonly JourneyStage[], range: { from: Date; to: Date }, via: 'raw' | 'rollups' = 'raw',
): Promise<Map<string, number>> {
  const q = new Params();
  const n = steps.length;
  const out = new Map<string, number>();
  if (n === 0) return out;
  const tz = f.period.timeZone;
  const fromDay = localDay(range.from, tz);
  const toDay = localDay(range.to, tz);
  if (via === 'rollups') {
    const all = !f.ownerIds && !f.sourceId ? '_all' : '';
    const where = [`workspace_id = ${q.p(f.workspaceId)}`, `pipeline_id = ${q.p(f.pipelineId)}`, `day >= ${q.p(fromDay)}::date`, `day <= ${q.p(toDay)}::date`,
      ...(f.ownerIds ? [`owner_id = ANY(${q.p(f.ownerIds)}::uuid[])`] : []), ...(f.sourceId ? [`source_id = ${q.p(f.sourceId)}`] : [])];
    const rows = await database.query<{ i: number; week: string; count: number }>(
      `SELECT step AS i, to_char(date_trunc('week', day), 'YYYY-MM-DD') AS week, sum(leads)::int AS count
         FROM funnel_step_reached${all} WHERE ${where.join(' AND ')} GROUP BY 1, 2 HAVING sum(leads) <> 0`, q.values);
    for (const r of rows) if (steps[num(r.i)]) out.set(`${r.week}|${steps[num(r.i)]!.id}`, num(r.count));
  } else {
    const cte = perLeadSql({ ...f, asOf: range.to < f.asOf ? range.to : f.asOf }, q, steps, stagePositions(stages), { from: new Date(0), to: range.to });
    const tzp = q.p(tz);
    const rows = await database.query<{ i: number; week: string; count: number }>(
      `WITH ${cte}
       SELECT i, ${bucketSql('ts[i]', 'week', tzp)} AS week, count(*)::int AS count
         FROM per_lead, generate_series(1, ${n}) AS i
        WHERE ts[i] >= ${q.p(range.from)} AND (ts[i] AT TIME ZONE ${tzp})::date <= ${q.p(toDay)}::date
        GROUP BY 1, 2`, q.values);
    for (const r of rows) out.set(`${r.week}|${steps[num(r.i) - 1]!.id}`, num(r.count));
  }
  const manual = steps.filter((s) => !isRecordStep(s)).map((s) => s.id);
  if (manual.length) {
    const counts = await database.query<{ stepId: string; week: string; count: string }>(
      `SELECT step_id AS "stepId", to_char(date_trunc('week', d), 'YYYY-MM-DD') AS week, sum(count::numeric / (period_end - period_start + 1)) AS count
         FROM step_count, generate_series(greatest(period_start, $3::date), least(period_end, $4::date - 1), interval '1 day') AS d
        WHERE workspace_id = $1 AND step_id = ANY($2::uuid[]) AND period_end >= $3::date AND period_start < $4::date
        GROUP BY 1, 2`, [f.workspaceId, manual, fromDay, toDay]);
    for (const c of counts) out.set(`${c.week}|${c.stepId}`, Math.round(num(c.count)));
  }
  return out;
}

/**
 * The measured model and everything the projection needs, for one filter: from the rollups when
 * they can answer (docs/funnel.md#speed), else from the raw rows. `via` forces one way (tests and
 * the benchmark compare them).
 */
export async function fitFunnel(database: Database, f: FunnelFilter, steps: readonly JourneyStep[], stages: readonly JourneyStage[], via?: 'raw' | 'rollups'): Promise<ProjectionInputs & { via: 'raw' | 'rollups' }> {
  const useRollups = via === 'raw' ? false : await funnelRollupsReady(database, f, steps);
  if (via === 'rollups' && !useRollups) throw new Error('The funnel rollups cannot answer this fit (past cut-off, product or segment filter, another journey or zone, or not rebuilt yet).');
  const rows = sortRows(useRollups ? await rollupFitRows(database, f) : await rawFitRows(database, f, steps, stages));
  return { ...(await assemble(database, f, steps, rows)), via: useRollups ? 'rollups' : 'raw' };
}

/**
 * Leads of the pipeline won after `asOf`, per 30.44-day window from it (the projection's months),
 * with their amounts: what the backtest compares the projection with.
 */
export async function wonAfter(database: Database, f: FunnelFilter, months: number): Promise<{ sales: number[]; revenue: number[] }> {
  const q = new Params();
  const where = [`workspace_id = ${q.p(f.workspaceId)}`, `pipeline_id = ${q.p(f.pipelineId)}`, `status = 'won'`,
    ...(f.ownerIds ? [`owner_id = ANY(${q.p(f.ownerIds)}::uuid[])`] : []), ...(f.sourceId ? [`source_id = ${q.p(f.sourceId)}`] : []),
    ...(f.productId ? [`product_ids @> ARRAY[${q.p(f.productId)}]::uuid[]`] : []),
    ...(f.segmentSql ? [f.segmentSql((v) => q.p(v), 'lead.contact_id')] : [])];
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
