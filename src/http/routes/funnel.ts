import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { assertManagerOrAdmin, type Actor } from '../../domain/access.js';
import { AppError, fieldError, notFound } from '../../domain/errors.js';
import { isValidTimeZone } from '../../domain/today.js';
import { addDays, localDay, parsePeriod, type MetricPeriod } from '../../domain/metrics/period.js';
import { metricOwners } from '../../domain/metrics/scope.js';
import { assertBinding, assertJourney, stepKinds, type JourneyStage, type JourneyStep, type StepBinding } from '../../domain/funnel/journey.js';
import type { FunnelModel } from '../../domain/funnel/model.js';
import { assertLevers, MAX_SIMULATIONS, project, sensitivity, stepVolumeFactors, type Lever, type ProjectionInputs } from '../../domain/funnel/projection.js';
import { planVsActual, weeksBetween } from '../../domain/funnel/plan.js';
import { assertObjective, type ObjectiveMetric } from '../../domain/objective.js';
import type { ListSpec } from '../../db/list.js';
import { findRow, insertRow, updateRow, write } from '../../db/repository.js';
import { journeyStep, objective, scenario, stepCount } from '../../db/schema.js';
import {
  enqueueFunnelRollups, ensureJourney, fitFunnel, funnelRollupStatus, journeyInTx, pipelineHasFewLeads, pipelineStages, weeklyStepEvents, type FunnelFilter,
} from '../../db/queries/funnel.js';
import { defaultPipelineId } from '../../db/queries/metrics/leads.js';
import { teamMemberIds } from '../../db/queries/metrics/filter.js';
import { managedUserIds } from '../../db/queries/users.js';
import { workspaceClock } from '../../db/queries/today.js';
import { assertMayTarget } from '../../db/queries/objectives.js';
import { loadSegmentFilter } from '../../db/queries/segments.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { DateOnly, IdParam, problemResponses, recordMeta, Uuid } from '../schemas.js';
import { ObjectiveOut } from './objectives.js';

// ---------------------------------------------------------------------------------------------
// Schemas

const activityStepTypes = ['call', 'email', 'meeting', 'visit', 'message', 'task'] as const;
const StepFields = {
  name: z.string().trim().min(1).max(120),
  kind: z.enum(stepKinds).openapi({ description: 'What the step counts: stage entered, activity type done, sale, second sale, promoter (NPS 9–10), or manual counts' }),
  stageId: Uuid.nullish().openapi({ description: 'kind stage: the open stage entered' }),
  activityType: z.enum(activityStepTypes).nullish().openapi({ description: 'kind activity: the activity type done' }),
};
const StepIn = z.strictObject({ pipelineId: Uuid, ...StepFields, position: z.number().int().min(1).max(1000).optional() }).openapi('JourneyStepInput');
const StepPatch = z.strictObject({
  name: StepFields.name.optional(), kind: StepFields.kind.optional(), stageId: StepFields.stageId, activityType: StepFields.activityType,
  version: z.number().int().optional(),
}).openapi('JourneyStepPatch');
const StepOut = z.object({
  ...recordMeta, pipelineId: Uuid, name: z.string(), position: z.number().int(), kind: z.enum(stepKinds),
  stageId: Uuid.nullable(), activityType: z.enum(activityStepTypes).nullable(),
}).openapi('JourneyStep');
const JourneyOut = z.object({ pipelineId: Uuid, steps: z.array(StepOut) }).openapi('Journey');
const JourneyOrder = z.strictObject({ pipelineId: Uuid, stepIds: z.array(Uuid).min(1).max(30) }).openapi('JourneyOrder');

const CountIn = z.strictObject({
  stepId: Uuid, periodStart: DateOnly, periodEnd: DateOnly,
  count: z.number().int().min(0).max(2_000_000_000).openapi({ description: 'How many (visitors, sessions, impressions…) in the period; spread evenly over its days' }),
  note: z.string().max(500).nullish(),
}).openapi('StepCountInput');
const CountPatch = z.strictObject({
  periodStart: DateOnly.optional(), periodEnd: DateOnly.optional(), count: CountIn.shape.count.optional(), note: CountIn.shape.note, version: z.number().int().optional(),
}).openapi('StepCountPatch');
const CountOut = z.object({
  ...recordMeta, stepId: Uuid, periodStart: z.string(), periodEnd: z.string(), count: z.number().int(), note: z.string().nullable(), createdBy: Uuid.nullable(),
}).openapi('StepCount');

const LeverSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('inflow'), sourceId: z.string().nullable().openapi({ description: 'A source id, "none" for leads without source, null for all' }), factor: z.number().openapi({ description: '1.2 = 20 % more leads' }) }),
  z.strictObject({ kind: z.literal('rate'), stepId: Uuid, rate: z.number().openapi({ description: 'The step\'s new rate, 0–1' }) }),
  z.strictObject({ kind: z.literal('averageDeal'), amount: z.number() }),
  z.strictObject({ kind: z.literal('cycleTime'), factor: z.number().openapi({ description: '0.8 = deals close 20 % sooner' }) }),
  z.strictObject({ kind: z.literal('spend'), sourceId: z.string(), amountPerMonth: z.number().openapi({ description: 'Extra monthly spend, turned into leads by the source\'s measured CPL' }) }),
]).openapi('Lever');

const FilterFields = {
  pipelineId: Uuid.optional().openapi({ description: 'Default: the default pipeline' }),
  from: DateOnly.optional().openapi({ description: 'Baseline period start (local day; default a year before to)' }),
  to: DateOnly.optional().openapi({ description: 'Baseline period end, inclusive (default today)' }),
  ownerId: Uuid.optional(), teamId: Uuid.optional(), sourceId: Uuid.optional(), productId: Uuid.optional(),
  segmentId: Uuid.optional().openapi({ description: 'Only leads whose contact is in this saved segment (read from the raw rows: slower on large workspaces)' }),
};
const ModelQuery = z.strictObject(FilterFields);
const RunFields = {
  months: z.coerce.number().int().min(1).max(12).optional().openapi({ description: '1–12 months ahead (default 6)' }),
  simulations: z.coerce.number().int().min(1).max(MAX_SIMULATIONS).optional().openapi({ description: 'Monte Carlo runs (default 2000)' }),
  seed: z.coerce.number().int().min(0).max(2 ** 32 - 1).optional().openapi({ description: 'Same seed, same ranges (default 1)' }),
};
const ProjectionQuery = z.strictObject({ ...FilterFields, ...RunFields });
const WhatIfIn = z.strictObject({ ...FilterFields, ...RunFields, levers: z.array(LeverSchema).max(50) }).openapi('WhatIfInput');

const ScenarioFilters = z.strictObject({ ownerId: Uuid.nullish(), teamId: Uuid.nullish(), sourceId: Uuid.nullish(), productId: Uuid.nullish(), segmentId: Uuid.nullish() });
const ScenarioIn = z.strictObject({
  name: z.string().trim().min(1).max(200), pipelineId: Uuid, levers: z.array(LeverSchema).max(50),
  filters: ScenarioFilters.optional(), baselineFrom: DateOnly, baselineTo: DateOnly, months: z.number().int().min(1).max(12).optional(),
}).openapi('ScenarioInput');
const ScenarioPatch = z.strictObject({
  name: ScenarioIn.shape.name.optional(), levers: ScenarioIn.shape.levers.optional(), filters: ScenarioFilters.optional(),
  baselineFrom: DateOnly.optional(), baselineTo: DateOnly.optional(), months: ScenarioIn.shape.months, version: z.number().int().optional(),
}).openapi('ScenarioPatch');
const ScenarioOut = z.object({
  ...recordMeta, name: z.string(), pipelineId: Uuid, levers: z.array(LeverSchema), filters: z.record(z.string(), z.string().nullable()),
  baselineFrom: z.string(), baselineTo: z.string(), months: z.number().int(), createdBy: Uuid.nullable(),
}).openapi('Scenario');

const Nullable = z.number().nullable();
const StepModelOut = z.object({
  stepId: Uuid, name: z.string(), kind: z.enum(stepKinds), entrants: Nullable, rate: Nullable, low: Nullable, high: Nullable,
  trials: z.number(), successes: z.number(), medianDays: Nullable, costPerEntrant: Nullable, valuePerEntrant: Nullable, revenueCarried: Nullable,
  warning: z.enum(['no_entrants', 'no_count', 'count_below_next']).nullable(),
}).openapi('FunnelStepModel');
const ModelOut = z.object({
  steps: z.array(StepModelOut), leads: z.number(), won: z.number(), averageDeal: Nullable, repeatRate: Nullable, revenue: z.number(), cost: z.number(),
  saleStep: Nullable, leadStep: Nullable, leadToSale: z.object({ trials: z.number(), successes: z.number() }),
}).openapi('FunnelModel');
const PeriodOut = z.object({ from: z.string(), to: z.string(), timeZone: z.string() });
const StatusOut = z.enum(['ready', 'preparing']).openapi({
  description: 'ready: the figures are current. preparing: the pipeline\'s journey changed and its model is being rebuilt in the background (minutes on a large workspace); no figures until it is done — ask again',
});
const ViaOut = z.enum(['rollups', 'raw']).nullable().openapi({ description: 'Where the figures were read: the rollups, or the raw rows (product or segment filter, or a small workspace whose rollups are being rebuilt); null while preparing' });
const ModelResponse = z.object({ pipelineId: Uuid, period: PeriodOut, status: StatusOut, via: ViaOut, model: ModelOut.nullable() }).openapi('FunnelModelResponse');
const RangeOut = z.object({ p10: z.number(), p50: z.number(), p90: z.number(), mean: z.number() }).openapi('Range');
const ProjectionOut = z.object({
  months: z.array(z.object({ index: z.number(), month: z.string(), sales: RangeOut, revenue: RangeOut, cumulativeSales: RangeOut, cumulativeRevenue: RangeOut })),
  total: z.object({ sales: RangeOut, revenue: RangeOut }),
  expected: z.object({ sales: z.number(), revenue: z.number() }),
  pipeline: z.array(z.object({
    step: z.number(), stepId: z.string().nullable(), ageBucket: z.number(), leads: z.number(), amount: z.number(), weighted: z.number(),
    measuredProbability: Nullable, measuredValue: Nullable,
  })),
  leadsPerMonth: z.number(), simulations: z.number(), seed: z.number(),
}).openapi('FunnelProjection');
const SensitivityOut = z.array(z.object({ stepId: Uuid, name: z.string(), rate: z.number(), revenueGain: z.number(), salesGain: z.number() })).openapi('FunnelSensitivity');
const ProjectionResponse = z.object({
  pipelineId: Uuid, period: PeriodOut, status: StatusOut, via: ViaOut, model: ModelOut.nullable(), projection: ProjectionOut.nullable(), sensitivity: SensitivityOut,
}).openapi('FunnelProjectionResponse');
const WhatIfResponse = z.object({
  pipelineId: Uuid, period: PeriodOut, status: StatusOut, via: ViaOut, model: ModelOut.nullable(), baseline: ProjectionOut.nullable(), scenario: ProjectionOut.nullable(), sensitivity: SensitivityOut,
}).openapi('FunnelWhatIf');
const CompareIn = z.strictObject({ ids: z.array(Uuid).min(1).max(6), ...RunFields }).openapi('ScenarioCompareInput');
const CompareOut = z.object({
  status: StatusOut,
  scenarios: z.array(z.object({ id: Uuid, name: z.string(), months: z.number(), baseline: ProjectionOut, projection: ProjectionOut })),
}).openapi('ScenarioComparison');
const ToObjectivesIn = z.strictObject({
  userId: Uuid.nullish(), teamId: Uuid.nullish(),
  periodStart: DateOnly.optional().openapi({ description: 'Default: today' }),
  periodEnd: DateOnly.optional().openapi({ description: 'Default: the end of the scenario\'s horizon' }),
}).openapi('ScenarioToObjectives');
const PlanQuery = z.strictObject({
  ...FilterFields, scenarioId: Uuid.optional().openapi({ description: 'Plan by this scenario\'s levers (default: the baseline as measured)' }),
  weeks: z.coerce.number().int().min(1).max(26).optional().openapi({ description: 'Weeks to review, ending with the current one (default 4)' }),
});
const PlanOut = z.object({
  pipelineId: Uuid, status: StatusOut, via: ViaOut, baselineWeeks: z.number(),
  steps: z.array(z.object({ stepId: Uuid, name: z.string(), kind: z.enum(stepKinds), expectedPerWeek: z.number() })),
  weeks: z.array(z.object({
    week: z.string(),
    steps: z.array(z.object({ stepId: z.string(), expected: z.number(), p10: z.number(), p90: z.number(), actual: z.number(), flag: z.enum(['below', 'above']).nullable() })),
  })),
}).openapi('FunnelPlanVsActual');

// ---------------------------------------------------------------------------------------------
// Fitting

type Filters = { pipelineId?: string | undefined; from?: string | undefined; to?: string | undefined; ownerId?: string | null | undefined; teamId?: string | null | undefined; sourceId?: string | null | undefined; productId?: string | null | undefined; segmentId?: string | null | undefined };
type FitBase = { pipelineId: string; period: MetricPeriod; fromDay: string; toDay: string; filter: FunnelFilter; steps: JourneyStep[]; stages: JourneyStage[]; now: Date };
type Fit = FitBase & { status: 'ready'; via: 'rollups' | 'raw'; model: FunnelModel; inputs: ProjectionInputs };
/** The pipeline's rollups are being rebuilt and it is too large to read raw: no figures yet. */
type Preparing = FitBase & { status: 'preparing'; via: null; model: null };

const monthLabel = (today: string, i: number) => {
  const d = new Date(`${today.slice(0, 7)}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + i);
  return d.toISOString().slice(0, 7);
};

async function timeZoneOf(deps: Deps, workspaceId: string) {
  const clock = await workspaceClock(deps.database, workspaceId);
  return isValidTimeZone(clock.timeZone) ? clock.timeZone : 'UTC';
}

/**
 * Fits the model for the actor: whose leads follow the metrics' rules (sales see their own, managers
 * their teams', admins all; docs/metrics.md), the journey is the pipeline's (the default one built
 * on first use), the baseline defaults to the year up to today.
 */
async function fit(deps: Deps, actor: Actor, q: Filters): Promise<Fit | Preparing> {
  const timeZone = await timeZoneOf(deps, actor.workspaceId);
  const now = deps.now();
  const today = localDay(now, timeZone);
  const toDay = q.to ?? today;
  const fromDay = q.from ?? addDays(toDay, -364);
  const period = parsePeriod(fromDay, toDay, timeZone);
  const pipelineId = q.pipelineId ?? (await defaultPipelineId(deps.database, actor.workspaceId));
  if (!pipelineId) throw notFound('pipeline');
  const stages = await pipelineStages(deps.database, actor.workspaceId, pipelineId);
  if (stages.length === 0) throw fieldError('pipelineId', 'not_found', 'No such pipeline in this workspace.');
  const managed = actor.role === 'manager' ? await managedUserIds(deps.database, actor) : [];
  const teamMembers = q.teamId ? await teamMemberIds(deps.database, actor.workspaceId, q.teamId) : null;
  const ownerIds = metricOwners(actor, { ownerId: q.ownerId ?? undefined, teamId: q.teamId ?? undefined }, { managed, teamMembers });
  const steps = await write(deps.database, (tx) => ensureJourney(tx, actor, pipelineId, now));
  // A segment the actor cannot see is a 404 (segmentId), like everywhere segments are used.
  const segmentSql = q.segmentId ? await loadSegmentFilter(deps.database, actor.workspaceId, q.segmentId, actor) : null;
  const filter: FunnelFilter = {
    workspaceId: actor.workspaceId, pipelineId, period, ownerIds, sourceId: q.sourceId ?? null, productId: q.productId ?? null,
    segmentId: q.segmentId ?? null, segmentSql, asOf: now, live: true,
  };
  const base = { pipelineId, period, fromDay, toDay, filter, steps, stages, now };
  // Stale rollups never answer (docs/funnel.md#speed): their rebuild is queued (once, whoever asks),
  // and meanwhile a small pipeline is read raw and a large one says it is being prepared.
  const status = await funnelRollupStatus(deps.database, filter, steps);
  if (status === 'stale') {
    await write(deps.database, (tx) => enqueueFunnelRollups(tx, actor.workspaceId, pipelineId, now, 'stale'));
    if (!(await pipelineHasFewLeads(deps.database, actor.workspaceId, pipelineId, deps.config.funnelRawMaxLeads))) return { ...base, status: 'preparing', via: null, model: null };
  }
  const inputs = await fitFunnel(deps.database, filter, steps, stages, status === 'ready' ? 'rollups' : 'raw');
  return { ...base, status: 'ready', via: inputs.via, model: inputs.model, inputs };
}

/** The figures-free answer while the model is being prepared. */
const preparingOut = (f: Preparing) => ({ pipelineId: f.pipelineId, period: periodOut(f), status: f.status, via: null, model: null });
const modelPreparing = () => new AppError('conflict', 'The funnel model is being prepared after a change of the journey; try again in a minute.', [], { reason: 'model_preparing' });

const periodOut = (f: FitBase) => ({ from: f.fromDay, to: f.toDay, timeZone: f.period.timeZone });

function runProjection(f: Fit, levers: readonly Lever[], r: { months?: number | undefined; simulations?: number | undefined; seed?: number | undefined }) {
  const months = r.months ?? 6;
  const p = project(f.inputs, levers, { months, simulations: r.simulations ?? 2000, seed: r.seed ?? 1 });
  const today = localDay(f.now, f.period.timeZone);
  return {
    ...p,
    months: p.months.map((m) => ({ ...m, month: monthLabel(today, m.index - 1) })),
    pipeline: p.pipeline.map((c) => ({ ...c, stepId: f.steps[c.step]?.id ?? null })),
  };
}

// ---------------------------------------------------------------------------------------------
// Routes

type AnyRow = Record<string, unknown>;
const canShape = (actor: Actor) => assertManagerOrAdmin(actor, 'Only a manager or an admin can change the customer journey.');

async function openStageIdsInTx(tx: Parameters<NonNullable<ResourceSpec['beforeCreate']>>[0]['tx'], workspaceId: string, pipelineId: string): Promise<Set<string>> {
  const res = await tx.execute(sql`SELECT id FROM stage WHERE workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId} AND kind = 'open'`);
  return new Set((res as unknown as { rows: { id: string }[] }).rows.map((r) => r.id));
}

const stepList: ListSpec = {
  table: journeyStep, scope: 'workspace',
  filters: { pipelineId: { kind: 'in', column: 'pipeline_id', type: 'uuid' }, kind: { kind: 'enum', column: 'kind', values: stepKinds } },
  sorts: { position: { expr: 'position', type: 'number' } }, defaultSort: 'position',
};
const countList: ListSpec = {
  table: stepCount, scope: 'workspace',
  filters: { stepId: { kind: 'in', column: 'step_id', type: 'uuid' }, endsFrom: { kind: 'gte', column: 'period_end', type: 'date' }, startsTo: { kind: 'lt', column: 'period_start', type: 'date' } },
  sorts: { periodStart: { expr: 'period_start', type: 'date' } }, defaultSort: 'periodStart',
};
const scenarioList: ListSpec = {
  table: scenario, scope: 'workspace',
  filters: { pipelineId: { kind: 'in', column: 'pipeline_id', type: 'uuid' } },
  sorts: { createdAt: { expr: 'created_at', type: 'timestamp' }, name: { expr: 'lower(name)', type: 'text' } }, defaultSort: 'createdAt',
};

export function funnelRoutes(deps: Deps) {
  const r = newRouter();

  // Journey steps: CRUD through the shared resource, with the binding and journey rules of the domain.
  const steps = resourceRoutes(deps, {
    entity: 'journeyStep', path: '/funnel/steps', tag: 'funnel', table: journeyStep, list: stepList,
    out: StepOut, createIn: StepIn, updateIn: StepPatch, canWrite: canShape,
    beforeCreate: async ({ tx, actor }, input) => {
      const pipelineId = input['pipelineId'] as string;
      const existing = await ensureJourney(tx, actor, pipelineId, deps.now());
      await enqueueFunnelRollups(tx, actor.workspaceId, pipelineId, deps.now(), 'edit');
      const binding = assertBinding(input as StepBinding, await openStageIdsInTx(tx, actor.workspaceId, pipelineId), '');
      assertJourney([...existing, binding]);
      const position = Math.min((input['position'] as number | undefined) ?? existing.length + 1, existing.length + 1);
      // Make room: the steps from the new one's place move one down.
      await tx.execute(sql`UPDATE journey_step SET position = position + 1, updated_at = now(), version = version + 1
                            WHERE workspace_id = ${actor.workspaceId} AND pipeline_id = ${pipelineId} AND position >= ${position}`);
      return { pipelineId, name: input['name'], position, ...binding };
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      const pipelineId = before['pipelineId'] as string;
      const merged = { ...before, ...patch } as StepBinding;
      const binding = 'kind' in patch || 'stageId' in patch || 'activityType' in patch
        ? assertBinding(merged, await openStageIdsInTx(tx, actor.workspaceId, pipelineId)) : null;
      if (binding) {
        assertJourney((await journeyInTx(tx, actor.workspaceId, pipelineId)).map((s) => (s.id === before['id'] ? binding : s)));
        await enqueueFunnelRollups(tx, actor.workspaceId, pipelineId, deps.now(), 'edit');
      }
      return { ...patch, ...(binding ?? {}) };
    },
    beforeDelete: async ({ tx, actor }, before) => {
      await enqueueFunnelRollups(tx, actor.workspaceId, before['pipelineId'] as string, deps.now(), 'edit');
    },
  });
  r.route('/', steps);

  r.openapi(createRoute({
    method: 'get', path: '/funnel/journey', tags: ['funnel'], summary: 'The pipeline\'s customer journey (built from its stages on first use)',
    request: { query: z.strictObject({ pipelineId: Uuid.optional() }) },
    responses: { 200: { description: 'Journey', content: { 'application/json': { schema: JourneyOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const pipelineId = c.req.valid('query').pipelineId ?? (await defaultPipelineId(deps.database, actor.workspaceId));
    if (!pipelineId) throw notFound('pipeline');
    await write(deps.database, (tx) => ensureJourney(tx, actor, pipelineId, deps.now()));
    const rows = await deps.database.db.select().from(journeyStep).where(sql`${journeyStep.workspaceId} = ${actor.workspaceId} AND ${journeyStep.pipelineId} = ${pipelineId}`).orderBy(journeyStep.position);
    return c.json({ pipelineId, steps: rows } as never, 200);
  });

  r.openapi(createRoute({
    method: 'put', path: '/funnel/journey/order', tags: ['funnel'], summary: 'Reorder the journey: every step id of the pipeline, in the new order',
    request: { body: { content: { 'application/json': { schema: JourneyOrder } }, required: true } },
    responses: { 200: { description: 'Journey', content: { 'application/json': { schema: JourneyOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    canShape(actor);
    const { pipelineId, stepIds } = c.req.valid('json');
    const rows = await write(deps.database, async (tx) => {
      const current = await journeyInTx(tx, actor.workspaceId, pipelineId);
      const same = current.length === stepIds.length && new Set(stepIds).size === stepIds.length && current.every((s) => stepIds.includes(s.id));
      if (!same) throw fieldError('stepIds', 'not_the_journey', 'Send every step of the pipeline\'s journey exactly once.');
      const out: AnyRow[] = [];
      for (const [i, id] of stepIds.entries()) {
        const before = await findRow(tx, journeyStep, actor.workspaceId, id, 'journeyStep', true);
        out.push(before['position'] === i + 1 ? before : await updateRow(tx, journeyStep, actor, 'journeyStep', before, { position: i + 1 }, undefined, 'reorder'));
      }
      await enqueueFunnelRollups(tx, actor.workspaceId, pipelineId, deps.now(), 'edit');
      return out;
    });
    return c.json({ pipelineId, steps: rows } as never, 200);
  });

  // Hand-entered counts of the steps that are not records.
  r.route('/', resourceRoutes(deps, {
    entity: 'stepCount', path: '/funnel/counts', tag: 'funnel', table: stepCount, list: countList,
    out: CountOut, createIn: CountIn, updateIn: CountPatch,
    beforeCreate: async ({ tx, actor }, input) => {
      const step = await findRow(tx, journeyStep, actor.workspaceId, input['stepId'] as string, 'journeyStep');
      if (step['kind'] !== 'manual') throw fieldError('stepId', 'not_manual', 'Counts are entered for manual steps only; the others are counted from the records.');
      if ((input['periodEnd'] as string) < (input['periodStart'] as string)) throw fieldError('periodEnd', 'before_start', 'periodEnd must be on or after periodStart.');
      return { ...input, createdBy: actor.userId };
    },
    beforeUpdate: (_ctx, before, patch) => {
      const after = { ...before, ...patch };
      if ((after['periodEnd'] as string) < (after['periodStart'] as string)) throw fieldError('periodEnd', 'before_start', 'periodEnd must be on or after periodStart.');
      return patch;
    },
  }));

  // Saved scenarios.
  r.route('/', resourceRoutes(deps, {
    entity: 'scenario', path: '/funnel/scenarios', tag: 'funnel', table: scenario, list: scenarioList,
    out: ScenarioOut, createIn: ScenarioIn, updateIn: ScenarioPatch,
    canWrite: (actor) => assertManagerOrAdmin(actor, 'Only a manager or an admin can save scenarios.'),
    beforeCreate: (ctx, input) => {
      assertLevers(input['levers'] as Lever[], null);
      if ((input['baselineTo'] as string) < (input['baselineFrom'] as string)) throw fieldError('baselineTo', 'before_from', 'baselineTo must be on or after baselineFrom.');
      return { ...input, filters: input['filters'] ?? {}, createdBy: ctx.actor.userId };
    },
    beforeUpdate: (_ctx, before, patch) => {
      if (patch['levers']) assertLevers(patch['levers'] as Lever[], null);
      const after = { ...before, ...patch };
      if ((after['baselineTo'] as string) < (after['baselineFrom'] as string)) throw fieldError('baselineTo', 'before_from', 'baselineTo must be on or after baselineFrom.');
      return patch;
    },
  }));

  r.openapi(createRoute({
    method: 'get', path: '/funnel/model', tags: ['funnel'], summary: 'The measured funnel: entrants, step rates with 95 % intervals, times, costs and value per step',
    request: { query: ModelQuery },
    responses: { 200: { description: 'Model', content: { 'application/json': { schema: ModelResponse } } }, ...problemResponses },
  }), async (c) => {
    const f = await fit(deps, c.get('actor'), c.req.valid('query'));
    if (f.status === 'preparing') return c.json(preparingOut(f) as never, 200);
    return c.json({ pipelineId: f.pipelineId, period: periodOut(f), status: f.status, via: f.via, model: f.model } as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/funnel/projection', tags: ['funnel'], summary: 'Sales and revenue for the next months, P10/P50/P90 by a seeded Monte Carlo, with the sensitivity per step',
    request: { query: ProjectionQuery },
    responses: { 200: { description: 'Projection', content: { 'application/json': { schema: ProjectionResponse } } }, ...problemResponses },
  }), async (c) => {
    const q = c.req.valid('query');
    const f = await fit(deps, c.get('actor'), q);
    if (f.status === 'preparing') return c.json({ ...preparingOut(f), projection: null, sensitivity: [] } as never, 200);
    const projection = runProjection(f, [], q);
    return c.json({ pipelineId: f.pipelineId, period: periodOut(f), status: f.status, via: f.via, model: f.model, projection, sensitivity: sensitivity(f.inputs, [], q.months ?? 6) } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/funnel/what-if', tags: ['funnel'], summary: 'Baseline vs scenario: the projection with the levers changed, same seed',
    request: { body: { content: { 'application/json': { schema: WhatIfIn } }, required: true } },
    responses: { 200: { description: 'What-if', content: { 'application/json': { schema: WhatIfResponse } } }, ...problemResponses },
  }), async (c) => {
    const body = c.req.valid('json');
    assertLevers(body.levers as Lever[], null);
    const f = await fit(deps, c.get('actor'), body);
    if (f.status === 'preparing') return c.json({ ...preparingOut(f), baseline: null, scenario: null, sensitivity: [] } as never, 200);
    const levers = body.levers as Lever[];
    const scenarioRun = runProjection(f, levers, body);
    const baseline = runProjection(f, [], body);
    return c.json({ pipelineId: f.pipelineId, period: periodOut(f), status: f.status, via: f.via, model: f.model, baseline, scenario: scenarioRun, sensitivity: sensitivity(f.inputs, levers, body.months ?? 6) } as never, 200);
  });

  const loadScenario = async (actor: Actor, id: string) => {
    const row = await findRow(deps.database.db, scenario, actor.workspaceId, id, 'scenario');
    const filters = (row['filters'] ?? {}) as Record<string, string | null>;
    return { row, filters: { pipelineId: row['pipelineId'] as string, from: row['baselineFrom'] as string, to: row['baselineTo'] as string, ...filters } as Filters, levers: row['levers'] as Lever[], months: row['months'] as number };
  };

  r.openapi(createRoute({
    method: 'post', path: '/funnel/scenarios/compare', tags: ['funnel'], summary: 'Several saved scenarios side by side, each against its baseline',
    request: { body: { content: { 'application/json': { schema: CompareIn } }, required: true } },
    responses: { 200: { description: 'Comparison', content: { 'application/json': { schema: CompareOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const body = c.req.valid('json');
    const fits = new Map<string, Fit | Preparing>();
    const out = [];
    for (const id of body.ids) {
      const s = await loadScenario(actor, id);
      const key = JSON.stringify(s.filters);
      const f = fits.get(key) ?? (await fit(deps, actor, s.filters));
      fits.set(key, f);
      // Side by side only when every scenario's figures are current.
      if (f.status === 'preparing') return c.json({ status: f.status, scenarios: [] } as never, 200);
      const run = { months: body.months ?? s.months, simulations: body.simulations, seed: body.seed };
      out.push({ id, name: s.row['name'] as string, months: run.months, baseline: runProjection(f, [], run), projection: runProjection(f, s.levers, run) });
    }
    return c.json({ status: 'ready', scenarios: out } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/funnel/scenarios/{id}/objectives', tags: ['funnel'],
    summary: 'Turn a scenario into objectives (revenue, sales won, new leads) with its rate levers as key results; progress is computed live',
    request: { params: IdParam, body: { content: { 'application/json': { schema: ToObjectivesIn } }, required: true } },
    responses: { 201: { description: 'Objectives created', content: { 'application/json': { schema: z.object({ objectives: z.array(ObjectiveOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can set objectives.');
    const body = c.req.valid('json');
    const s = await loadScenario(actor, c.req.valid('param').id);
    const f = await fit(deps, actor, s.filters);
    if (f.status === 'preparing') throw modelPreparing();
    const p = runProjection(f, s.levers, { months: s.months });
    const today = localDay(f.now, f.period.timeZone);
    const periodStart = body.periodStart ?? today;
    const periodEnd = body.periodEnd ?? addDays(`${monthLabel(today, s.months)}-01`, -1);
    const name = s.row['name'] as string;
    const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
    const keyResults = s.levers.flatMap((l) => {
      if (l.kind !== 'rate') return [];
      const i = f.model.steps.findIndex((x) => x.stepId === l.stepId);
      const step = f.model.steps[i];
      const prev = f.model.steps[i - 1];
      if (!step || !prev || step.rate === null) return [];
      return [{ title: `${prev.name} → ${step.name}: ${pct(step.rate)} → ${pct(l.rate)}`, target: Math.round(l.rate * 1000) / 10, done: false }];
    });
    const goals: { metric: ObjectiveMetric; target: number; label: string }[] = [
      { metric: 'sales_amount', target: Math.round(p.total.revenue.p50), label: 'ingresos' },
      { metric: 'leads_won', target: Math.round(p.total.sales.p50), label: 'ventas' },
    ];
    if (s.levers.some((l) => l.kind === 'inflow' || l.kind === 'spend') || keyResults.length === 0) {
      goals.push({ metric: 'new_leads', target: Math.round(p.leadsPerMonth * s.months), label: 'nuevos prospectos' });
    }
    const created = await write(deps.database, async (tx) => {
      await assertMayTarget(tx, actor, body);
      const rows: AnyRow[] = [];
      for (const g of goals) {
        const values = { name: `${name}: ${g.label}`, userId: body.userId ?? null, teamId: body.teamId ?? null, metric: g.metric, periodStart, periodEnd, target: g.target, keyResults, createdBy: actor.userId };
        assertObjective(values);
        rows.push(await insertRow(tx, objective, actor, 'objective', values));
      }
      return rows;
    });
    return c.json({ objectives: created } as never, 201);
  });

  r.openapi(createRoute({
    method: 'get', path: '/funnel/plan', tags: ['funnel'], summary: 'Plan vs actual per week and step, flagged when reality leaves the projected P10–P90',
    request: { query: PlanQuery },
    responses: { 200: { description: 'Weekly review', content: { 'application/json': { schema: PlanOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const q = c.req.valid('query');
    const s = q.scenarioId ? await loadScenario(actor, q.scenarioId) : null;
    const f = await fit(deps, actor, s ? { ...s.filters, ownerId: q.ownerId ?? s.filters.ownerId, teamId: q.teamId ?? s.filters.teamId } : q);
    if (f.status === 'preparing') return c.json({ pipelineId: f.pipelineId, status: f.status, via: null, baselineWeeks: 0, steps: [], weeks: [] } as never, 200);
    const weeksBack = q.weeks ?? 4;
    const today = localDay(f.now, f.period.timeZone);
    const weeks = weeksBetween(addDays(today, -7 * (weeksBack - 1)), today);
    const baselineWeeks = 12;
    const tz = f.period.timeZone;
    const baselineFrom = parsePeriod(addDays(weeks[0]!, -7 * baselineWeeks), today, tz).from;
    // The rollups answer when the fit's did (fresh, and no product or segment filter).
    const events = await weeklyStepEvents(deps.database, f.filter, f.steps, f.stages, { from: baselineFrom, to: f.now }, f.via);
    const factors = s ? stepVolumeFactors(f.inputs, s.levers) : f.steps.map(() => 1);
    const stepsOut = f.steps.map((st, i) => {
      let sum = 0;
      for (const [key, n] of events) if (key.endsWith(`|${st.id}`) && key.slice(0, 10) < weeks[0]!) sum += n;
      return { stepId: st.id, name: st.name, kind: st.kind, expectedPerWeek: Math.round((sum / baselineWeeks) * factors[i]! * 100) / 100 };
    });
    return c.json({ pipelineId: f.pipelineId, status: f.status, via: f.via, baselineWeeks, steps: stepsOut, weeks: planVsActual(weeks, stepsOut, events) } as never, 200);
  });

  return r;
}
