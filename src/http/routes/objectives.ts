import { createRoute, z } from '@hono/zod-openapi';
import { assertManagerOrAdmin } from '../../domain/access.js';
import { assertObjective, objectiveMetrics, objectiveProgress, type ObjectiveMetric } from '../../domain/objective.js';
import { isValidTimeZone } from '../../domain/today.js';
import { localDay } from '../../domain/metrics/period.js';
import { findRow } from '../../db/repository.js';
import { objective } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import { assertMayTarget, objectiveActual } from '../../db/queries/objectives.js';
import { findVisibleSegment } from '../../db/queries/segments.js';
import { workspaceClock } from '../../db/queries/today.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import { DateOnly, IdParam, problemResponses, recordMeta, Uuid } from '../schemas.js';
import type { Deps } from '../context.js';

const KeyResult = z.strictObject({ title: z.string().trim().min(1).max(300), target: z.number().nullish(), done: z.boolean().optional() });
const fields = {
  name: z.string().trim().min(1).max(200),
  userId: Uuid.nullish().openapi({ description: 'The salesperson the objective is for (or teamId)' }),
  teamId: Uuid.nullish().openapi({ description: 'The team the objective is for (or userId)' }),
  metric: z.enum(objectiveMetrics).openapi({ description: 'What is measured; definitions in docs/metrics.md' }),
  periodStart: DateOnly, periodEnd: DateOnly,
  target: z.number().min(-100).max(999_999_999_999),
  keyResults: z.array(KeyResult).max(20).optional(),
  segmentId: Uuid.nullish().openapi({ description: 'Only records whose contact is in this saved segment count (docs/metrics.md#objectives)' }),
};
export const ObjectiveIn = z.strictObject(fields).openapi('ObjectiveInput');
export const ObjectivePatch = z.strictObject({
  ...Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, (v as z.ZodType).optional()])) as { [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]> },
  version: z.number().int().optional(),
}).openapi('ObjectivePatch');
export const ObjectiveOut = z.object({
  ...recordMeta,
  name: z.string(), userId: Uuid.nullable(), teamId: Uuid.nullable(), metric: z.enum(objectiveMetrics),
  periodStart: z.string(), periodEnd: z.string(), target: z.number(), keyResults: z.array(KeyResult), createdBy: Uuid.nullable(),
  segmentId: Uuid.nullable(),
}).openapi('Objective');
const ProgressOut = z.object({
  objectiveId: Uuid, actual: z.number().nullable(), target: z.number(), share: z.number().nullable(),
  elapsedShare: z.number(), expected: z.number(), status: z.enum(['achieved', 'on_pace', 'behind']),
}).openapi('ObjectiveProgress');

const objectiveList: ListSpec = {
  table: objective,
  scope: 'workspace',
  filters: {
    userId: { kind: 'in', column: 'user_id', type: 'uuid' },
    teamId: { kind: 'in', column: 'team_id', type: 'uuid' },
    metric: { kind: 'enum', column: 'metric', values: objectiveMetrics },
    endsFrom: { kind: 'gte', column: 'period_end', type: 'date' },
    startsTo: { kind: 'lt', column: 'period_start', type: 'date' },
  },
  sorts: { periodEnd: { expr: 'period_end', type: 'date' }, createdAt: { expr: 'created_at', type: 'timestamp' } },
  defaultSort: 'periodEnd',
};

type AnyRow = Record<string, unknown>;
const check = (o: AnyRow) => assertObjective(o as Parameters<typeof assertObjective>[0]);

export function objectiveRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'objective', path: '/objectives', tag: 'objectives', table: objective, list: objectiveList,
    out: ObjectiveOut, createIn: ObjectiveIn, updateIn: ObjectivePatch,
    canWrite: (actor) => assertManagerOrAdmin(actor, 'Only a manager or an admin can set objectives.'),
    beforeCreate: async ({ tx, actor }, input) => {
      check(input);
      await assertMayTarget(tx, actor, input);
      if (typeof input['segmentId'] === 'string') await findVisibleSegment(tx, actor, input['segmentId']);
      return { ...input, keyResults: input['keyResults'] ?? [], createdBy: actor.userId };
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      const after = { ...before, ...patch };
      check(after);
      await assertMayTarget(tx, actor, before);
      if ('userId' in patch || 'teamId' in patch) await assertMayTarget(tx, actor, after);
      if (typeof patch['segmentId'] === 'string') await findVisibleSegment(tx, actor, patch['segmentId']);
      return patch;
    },
    // A manager removes only objectives of their own teams and members, as they set them.
    beforeDelete: ({ tx, actor }, before) => assertMayTarget(tx, actor, before),
  };
  const r = resourceRoutes(deps, spec);
  r.openapi(createRoute({
    method: 'get', path: '/objectives/{id}/progress', tags: ['objectives'], summary: 'Progress so far, computed live, with the expected pace for the elapsed part of the period',
    request: { params: IdParam },
    responses: { 200: { description: 'Progress', content: { 'application/json': { schema: ProgressOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const row = await findRow(deps.database.db, objective, actor.workspaceId, c.req.valid('param').id, 'objective');
    const clock = await workspaceClock(deps.database, actor.workspaceId);
    const tz = isValidTimeZone(clock.timeZone) ? clock.timeZone : 'UTC';
    const now = deps.now();
    const o = { workspaceId: actor.workspaceId, userId: row['userId'] as string | null, teamId: row['teamId'] as string | null, metric: row['metric'] as ObjectiveMetric, periodStart: row['periodStart'] as string, periodEnd: row['periodEnd'] as string, segmentId: row['segmentId'] as string | null };
    const actual = await objectiveActual(deps.database, o, tz, now);
    return c.json({ objectiveId: row['id'] as string, ...objectiveProgress({ ...o, target: row['target'] as number }, actual, localDay(now, tz)) }, 200);
  });
  return r;
}
