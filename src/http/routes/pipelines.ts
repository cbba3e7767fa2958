import { createRoute, z } from '@hono/zod-openapi';
import { pipeline, stage } from '../../db/schema.js';
import type { Db } from '../../db/client.js';
import { deleteRow, findRow, insertRow, updateRow, write } from '../../db/repository.js';
import {
  countLeadsInPipeline, countLeadsInStage, listPipelines, lockStages, moveStageLeads, renumberStages, unsetOtherDefaults,
  type PipelineWithStages, type StageRow,
} from '../../db/queries/pipelines.js';
import { assertAdmin } from '../../domain/access.js';
import { AppError, fieldError, notFound } from '../../domain/errors.js';
import { checkPipelineStages, type StageDefinition } from '../../domain/pipeline.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, recordMeta, Uuid } from '../schemas.js';

const kinds = ['open', 'won', 'lost'] as const;
const temperatures = ['cold', 'warm', 'hot'] as const;
const stageFields = {
  name: z.string().trim().min(1).max(80),
  kind: z.enum(kinds),
  probability: z.number().int().min(0).max(100),
  temperature: z.enum(temperatures).nullish(),
};
const StageIn = z.strictObject(stageFields).openapi('StageInput');
const NewStageIn = z.strictObject({
  ...stageFields,
  position: z.number().int().min(1).optional().openapi({ description: '1-based place among the stages; the end when absent' }),
}).openapi('NewStageInput');
const StagePatch = z.strictObject({
  name: stageFields.name.optional(), kind: stageFields.kind.optional(), probability: stageFields.probability.optional(),
  temperature: stageFields.temperature, version: z.number().int().optional(),
}).openapi('StagePatch');
const StageOrder = z.strictObject({ stageIds: z.array(Uuid).min(1).max(100) }).openapi('StageOrder');

const PipelineIn = z.strictObject({
  name: z.string().trim().min(1).max(120),
  isDefault: z.boolean().optional(),
  position: z.number().int().min(0).optional(),
  stages: z.array(StageIn).min(1).max(100),
}).openapi('PipelineInput');
const PipelinePatch = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  isDefault: z.boolean().optional(),
  position: z.number().int().min(0).optional(),
  version: z.number().int().optional(),
}).openapi('PipelinePatch');

const StageOut = z.object({
  ...recordMeta, pipelineId: Uuid, name: z.string(), position: z.number().int(), kind: z.enum(kinds),
  probability: z.number().int(), temperature: z.enum(temperatures).nullable(),
}).openapi('Stage');
const PipelineOut = z.object({
  ...recordMeta, name: z.string(), isDefault: z.boolean(), position: z.number().int(), stages: z.array(StageOut),
}).openapi('Pipeline');

const StageParams = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  stageId: z.uuid().openapi({ param: { name: 'stageId', in: 'path' } }),
});
const DeleteStageQuery = z.strictObject({
  moveLeadsTo: z.uuid().optional().openapi({ description: 'Stage of the same pipeline and kind that receives the leads of the deleted stage' }),
});

const json = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const ok = <T extends z.ZodType>(description: string, schema: T) => ({ description, content: { 'application/json': { schema } } });

/** 422 listing every broken pipeline rule, so the admin sees all of them at once. */
function assertValidStages(stages: Pick<StageDefinition, 'kind' | 'probability' | 'name'>[]) {
  const problems = checkPipelineStages(stages);
  if (problems.length) {
    throw new AppError('validation', `The pipeline would break its rules: ${problems.join(', ')}.`,
      problems.map((code) => ({ field: 'stages', code, message: problemMessages[code] ?? code })), { problems });
  }
}
const problemMessages: Record<string, string> = {
  at_least_one_open_stage: 'A pipeline needs at least one open stage.',
  exactly_one_won_stage: 'A pipeline needs exactly one won stage.',
  at_least_one_lost_stage: 'A pipeline needs at least one lost stage.',
  duplicate_stage_name: 'Two stages have the same name.',
};

async function onePipeline(tx: Db, workspaceId: string, id: string): Promise<PipelineWithStages> {
  const [p] = await listPipelines(tx, workspaceId, id);
  if (!p) throw notFound('pipeline');
  return p;
}

/** The stage, locked with its siblings; 404 when it is not a stage of this pipeline. */
async function lockStage(tx: Db, workspaceId: string, pipelineId: string, stageId: string): Promise<{ stages: StageRow[]; target: StageRow }> {
  await findRow(tx, pipeline, workspaceId, pipelineId, 'pipeline', true);
  const stages = await lockStages(tx, workspaceId, pipelineId);
  const target = stages.find((s) => s.id === stageId);
  if (!target) throw notFound('stage');
  return { stages, target };
}

/**
 * Pipelines and their stages. Everyone reads them (the board); only admins change them, and every
 * change keeps the pipeline workable: an open stage, one won stage, a lost stage, distinct names.
 */
export function pipelineRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/pipelines', tags: ['pipelines'], summary: 'List pipelines with their stages in order (default first)',
    responses: { 200: ok('Pipelines', z.object({ data: z.array(PipelineOut) })), ...problemResponses },
  }), async (c) => {
    const data = await listPipelines(deps.database.db, c.get('actor').workspaceId);
    return c.json({ data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/pipelines/{id}', tags: ['pipelines'], summary: 'Get one pipeline with its stages',
    request: { params: IdParam },
    responses: { 200: ok('Pipeline', PipelineOut), ...problemResponses },
  }), async (c) => {
    const p = await onePipeline(deps.database.db, c.get('actor').workspaceId, c.req.valid('param').id);
    c.header('ETag', `"${p.version}"`);
    return c.json(p as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/pipelines', tags: ['pipelines'], summary: 'Create a pipeline with its stages',
    request: { body: json(PipelineIn) },
    responses: { 201: ok('Created', PipelineOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { stages, ...input } = c.req.valid('json');
    assertValidStages(stages);
    const created = await write(deps.database, async (tx) => {
      if (input.isDefault) await unsetOtherDefaults(tx, actor, null);
      const p = await insertRow(tx, pipeline, actor, 'pipeline', input);
      for (const [i, s] of stages.entries()) {
        await insertRow(tx, stage, actor, 'stage', { ...s, pipelineId: p['id'], position: i + 1 });
      }
      return onePipeline(tx, actor.workspaceId, p['id'] as string);
    });
    c.header('Location', `/api/v1/pipelines/${created.id}`);
    return c.json(created as never, 201);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/pipelines/{id}', tags: ['pipelines'],
    summary: 'Rename a pipeline or make it the default (there is always exactly one default)',
    request: { params: IdParam, body: json(PipelinePatch) },
    responses: { 200: ok('Updated', PipelineOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { version, ...patch } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const updated = await write(deps.database, async (tx) => {
      const before = await findRow(tx, pipeline, actor.workspaceId, c.req.valid('param').id, 'pipeline', true);
      if (patch.isDefault === false && before['isDefault'] === true) {
        throw fieldError('isDefault', 'default_required', 'Make another pipeline the default instead; there must always be one.');
      }
      if (patch.isDefault === true && before['isDefault'] !== true) await unsetOtherDefaults(tx, actor, before['id'] as string);
      await updateRow(tx, pipeline, actor, 'pipeline', before, patch, expected);
      return onePipeline(tx, actor.workspaceId, before['id'] as string);
    });
    c.header('ETag', `"${updated.version}"`);
    return c.json(updated as never, 200);
  });

  r.openapi(createRoute({
    method: 'delete', path: '/pipelines/{id}', tags: ['pipelines'], summary: 'Delete a pipeline that has no leads and is not the default',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, pipeline, actor.workspaceId, c.req.valid('param').id, 'pipeline', true);
      if (before['isDefault'] === true) {
        throw new AppError('conflict', 'The default pipeline cannot be deleted; make another one the default first.', [], { reason: 'default_pipeline' });
      }
      const leads = await countLeadsInPipeline(tx, actor.workspaceId, before['id'] as string);
      if (leads > 0) throw new AppError('conflict', `The pipeline has ${leads} leads.`, [], { reason: 'pipeline_has_leads', leads });
      for (const s of await lockStages(tx, actor.workspaceId, before['id'] as string)) await deleteRow(tx, stage, actor, 'stage', s);
      await deleteRow(tx, pipeline, actor, 'pipeline', before);
    });
    return c.body(null, 204);
  });

  r.openapi(createRoute({
    method: 'post', path: '/pipelines/{id}/stages', tags: ['pipelines'], summary: 'Add a stage (at the end, or at `position`)',
    request: { params: IdParam, body: json(NewStageIn) },
    responses: { 201: ok('Created', StageOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { position, ...input } = c.req.valid('json');
    const pipelineId = c.req.valid('param').id;
    const created = await write(deps.database, async (tx) => {
      await findRow(tx, pipeline, actor.workspaceId, pipelineId, 'pipeline', true);
      const stages = await lockStages(tx, actor.workspaceId, pipelineId);
      assertValidStages([...stages, input]);
      const at = Math.min(position ?? stages.length + 1, stages.length + 1);
      // The empty slot (null) is where the new stage goes; the stages after it move down by one.
      await renumberStages(tx, actor, [...stages.slice(0, at - 1), null, ...stages.slice(at - 1)]);
      return insertRow(tx, stage, actor, 'stage', { ...input, pipelineId, position: at });
    });
    return c.json(created as never, 201);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/pipelines/{id}/stages/{stageId}', tags: ['pipelines'],
    summary: 'Edit a stage: name, probability, temperature, kind (kind only while it has no leads)',
    request: { params: StageParams, body: json(StagePatch) },
    responses: { 200: ok('Updated', StageOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { id, stageId } = c.req.valid('param');
    const { version, ...patch } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const updated = await write(deps.database, async (tx) => {
      const { stages, target } = await lockStage(tx, actor.workspaceId, id, stageId);
      if (patch.kind !== undefined && patch.kind !== target.kind) {
        const leads = await countLeadsInStage(tx, actor.workspaceId, stageId);
        // A lead's status follows its stage's kind; flipping the kind under them would contradict it.
        if (leads > 0) {
          throw new AppError('conflict', `The stage has ${leads} leads; move them before changing its kind.`, [], { reason: 'stage_has_leads', leads });
        }
      }
      assertValidStages(stages.map((s) => (s.id === stageId ? { ...s, ...patch } : s)));
      return updateRow(tx, stage, actor, 'stage', target, patch, expected);
    });
    c.header('ETag', `"${String(updated['version'])}"`);
    return c.json(updated as never, 200);
  });

  r.openapi(createRoute({
    method: 'put', path: '/pipelines/{id}/stages/order', tags: ['pipelines'], summary: 'Reorder the stages: send every stage id in the new order',
    request: { params: IdParam, body: json(StageOrder) },
    responses: { 200: ok('Reordered', PipelineOut), ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const pipelineId = c.req.valid('param').id;
    const { stageIds } = c.req.valid('json');
    const result = await write(deps.database, async (tx) => {
      await findRow(tx, pipeline, actor.workspaceId, pipelineId, 'pipeline', true);
      const stages = await lockStages(tx, actor.workspaceId, pipelineId);
      const byId = new Map(stages.map((s) => [s.id, s]));
      const isPermutation = stageIds.length === stages.length && new Set(stageIds).size === stageIds.length && stageIds.every((x) => byId.has(x));
      if (!isPermutation) throw fieldError('stageIds', 'not_all_stages', 'Send each stage of this pipeline exactly once.');
      await renumberStages(tx, actor, stageIds.map((x) => byId.get(x)!));
      return onePipeline(tx, actor.workspaceId, pipelineId);
    });
    return c.json(result as never, 200);
  });

  r.openapi(createRoute({
    method: 'delete', path: '/pipelines/{id}/stages/{stageId}', tags: ['pipelines'],
    summary: 'Delete a stage; one with leads needs `moveLeadsTo` (409 otherwise)',
    request: { params: StageParams, query: DeleteStageQuery },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { id, stageId } = c.req.valid('param');
    const { moveLeadsTo } = c.req.valid('query');
    await write(deps.database, async (tx) => {
      const { stages, target } = await lockStage(tx, actor.workspaceId, id, stageId);
      const remaining = stages.filter((s) => s.id !== stageId);
      assertValidStages(remaining);
      const leads = await countLeadsInStage(tx, actor.workspaceId, stageId);
      if (leads > 0) {
        if (!moveLeadsTo) {
          throw new AppError('conflict', `The stage has ${leads} leads; say where they go with moveLeadsTo.`, [], { reason: 'stage_has_leads', leads });
        }
        const to = remaining.find((s) => s.id === moveLeadsTo);
        if (!to) throw fieldError('moveLeadsTo', 'not_in_pipeline', 'Choose another stage of the same pipeline.');
        if (to.kind !== target.kind) {
          throw fieldError('moveLeadsTo', 'different_kind', `The leads are ${target.kind}; move them to another ${target.kind} stage.`);
        }
        await moveStageLeads(tx, actor, target, to, deps.now());
      }
      await deleteRow(tx, stage, actor, 'stage', target);
      await renumberStages(tx, actor, remaining);
    });
    return c.body(null, 204);
  });

  return r;
}
