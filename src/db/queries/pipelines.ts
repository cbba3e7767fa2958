import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import type { Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { updateRow } from '../repository.js';
import { lead, leadStageHistory, pipeline, stage } from '../schema.js';

export type StageRow = typeof stage.$inferSelect;
export type PipelineRow = typeof pipeline.$inferSelect;
export type PipelineWithStages = PipelineRow & { stages: StageRow[] };

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

/** Every pipeline of the workspace with its stages in board order; the default pipeline first. */
export async function listPipelines(tx: Db, workspaceId: string, onlyId?: string): Promise<PipelineWithStages[]> {
  const pipelines = await tx.select().from(pipeline)
    .where(and(eq(pipeline.workspaceId, workspaceId), ...(onlyId ? [eq(pipeline.id, onlyId)] : [])))
    .orderBy(sql`${pipeline.isDefault} DESC`, asc(pipeline.position), asc(pipeline.createdAt), asc(pipeline.id));
  const stages = await tx.select().from(stage)
    .where(and(eq(stage.workspaceId, workspaceId), ...(onlyId ? [eq(stage.pipelineId, onlyId)] : [])))
    .orderBy(asc(stage.position), asc(stage.createdAt), asc(stage.id));
  return pipelines.map((p) => ({ ...p, stages: stages.filter((s) => s.pipelineId === p.id) }));
}

/** The stages of one pipeline in order, locked so concurrent edits of the same pipeline queue up. */
export async function lockStages(tx: Db, workspaceId: string, pipelineId: string): Promise<StageRow[]> {
  return tx.select().from(stage)
    .where(and(eq(stage.workspaceId, workspaceId), eq(stage.pipelineId, pipelineId)))
    .orderBy(asc(stage.position), asc(stage.createdAt), asc(stage.id))
    .for('update');
}

/**
 * Clears the default flag on every other pipeline, each change audited. A per-workspace lock makes
 * two simultaneous "make default" requests take turns, so the second sees the first one's default
 * (instead of colliding on the one-default unique index).
 */
export async function unsetOtherDefaults(tx: Db, actor: Actor, exceptId: string | null): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${`default-pipeline:${actor.workspaceId}`}))`);
  const others = await tx.select().from(pipeline)
    .where(and(eq(pipeline.workspaceId, actor.workspaceId), eq(pipeline.isDefault, true), ...(exceptId ? [ne(pipeline.id, exceptId)] : [])))
    .for('update');
  for (const p of others) await updateRow(tx, pipeline, actor, 'pipeline', p, { isDefault: false }, undefined);
}

/**
 * Gives the stages positions 1..n in the order given, touching (and auditing) only the stages
 * whose position changes. A null keeps its position free (for a stage about to be inserted).
 */
export async function renumberStages(tx: Db, actor: Actor, ordered: (StageRow | null)[]): Promise<void> {
  for (const [i, s] of ordered.entries()) {
    if (s && s.position !== i + 1) await updateRow(tx, stage, actor, 'stage', s, { position: i + 1 }, undefined);
  }
}

export async function countLeadsInStage(tx: Db, workspaceId: string, stageId: string): Promise<number> {
  const res = await tx.execute(sql`SELECT count(*)::int AS n FROM lead WHERE workspace_id = ${workspaceId} AND stage_id = ${stageId}`);
  return rowsOf<{ n: number }>(res)[0]?.n ?? 0;
}

export async function countLeadsInPipeline(tx: Db, workspaceId: string, pipelineId: string): Promise<number> {
  const res = await tx.execute(sql`SELECT count(*)::int AS n FROM lead WHERE workspace_id = ${workspaceId} AND pipeline_id = ${pipelineId}`);
  return rowsOf<{ n: number }>(res)[0]?.n ?? 0;
}

/**
 * Moves every lead of a stage that is being deleted to another stage of the same pipeline and
 * kind: each lead takes the target's probability, gets a stage-history row and an audit event.
 * Returns how many leads moved.
 */
export async function moveStageLeads(tx: Db, actor: Actor, from: StageRow, to: StageRow, now: Date): Promise<number> {
  const moving = await tx.select({ id: lead.id, probability: lead.probability }).from(lead)
    .where(and(eq(lead.workspaceId, actor.workspaceId), eq(lead.stageId, from.id)))
    .for('update');
  if (moving.length === 0) return 0;
  await tx.update(lead)
    .set({ stageId: to.id, probability: to.probability, version: sql`${lead.version} + 1`, updatedAt: sql`now()` })
    .where(and(eq(lead.workspaceId, actor.workspaceId), eq(lead.stageId, from.id)));
  await tx.insert(leadStageHistory).values(moving.map((l) => ({
    workspaceId: actor.workspaceId, leadId: l.id, fromStageId: from.id, toStageId: to.id, userId: actor.userId, changedAt: now,
  })));
  for (const l of moving) {
    await recordAudit(tx, {
      workspaceId: actor.workspaceId, userId: actor.userId, entity: 'lead', entityId: l.id, action: 'stage_change',
      before: { stageId: from.id, probability: l.probability }, after: { stageId: to.id, probability: to.probability },
      meta: { reason: 'stage_deleted', stageName: from.name },
    });
  }
  return moving.length;
}
