import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { canSee } from '../../domain/access.js';
import { fieldError, forbidden } from '../../domain/errors.js';
import { moveLead, type LeadState, type MoveInput, type StageRef } from '../../domain/lead.js';
import type { StageKind } from '../../domain/pipeline.js';
import type { Db } from '../client.js';
import { findRow, updateRow } from '../repository.js';
import { lead, leadStageHistory, pipeline, stage } from '../schema.js';

type AnyRow = Record<string, unknown>;

export type StageInfo = StageRef & { name: string; position: number };

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

/** A stage of this workspace, or a 422 naming `field` (a stage of another workspace does not exist here). */
export async function findStage(tx: Db, workspaceId: string, stageId: string, field = 'stageId'): Promise<StageInfo> {
  const rows = await tx.select({ id: stage.id, pipelineId: stage.pipelineId, kind: stage.kind, probability: stage.probability, name: stage.name, position: stage.position })
    .from(stage).where(and(eq(stage.workspaceId, workspaceId), eq(stage.id, stageId)));
  const s = rows[0];
  if (!s) throw fieldError(field, 'not_found', 'No such stage in this workspace.');
  return s;
}

/** The workspace's default pipeline (the oldest one marked default, else the first by position). */
export async function defaultPipelineId(tx: Db, workspaceId: string): Promise<string> {
  const rows = await tx.select({ id: pipeline.id }).from(pipeline).where(eq(pipeline.workspaceId, workspaceId))
    .orderBy(sql`${pipeline.isDefault} DESC, ${pipeline.position}, ${pipeline.createdAt}`).limit(1);
  if (!rows[0]) throw fieldError('pipelineId', 'required', 'The workspace has no pipeline yet.');
  return rows[0].id;
}

/** The first open stage of a pipeline: where a new lead starts when no stage is given. */
export async function firstOpenStage(tx: Db, workspaceId: string, pipelineId: string): Promise<StageInfo> {
  const rows = await tx.select({ id: stage.id, pipelineId: stage.pipelineId, kind: stage.kind, probability: stage.probability, name: stage.name, position: stage.position })
    .from(stage).where(and(eq(stage.workspaceId, workspaceId), eq(stage.pipelineId, pipelineId), eq(stage.kind, 'open')))
    .orderBy(stage.position).limit(1);
  if (!rows[0]) throw fieldError('pipelineId', 'no_open_stage', 'The pipeline has no open stage.');
  return rows[0];
}

/** Ids of the users in the teams this manager manages, read inside the caller's transaction. */
async function managedIdsInTx(tx: Db, actor: Actor): Promise<string[]> {
  if (actor.role !== 'manager') return [];
  const res = await tx.execute(sql`SELECT m.id FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id
    WHERE m.workspace_id = ${actor.workspaceId} AND t.manager_id = ${actor.userId}`);
  return rowsOf<{ id: string }>(res).map((r) => r.id);
}

/** 403 when the lead exists in the workspace but is not within the actor's scope. */
export async function assertLeadVisibleInTx(tx: Db, actor: Actor, row: AnyRow): Promise<void> {
  if (actor.role === 'admin') return;
  const owned = { ownerId: (row['ownerId'] as string | null) ?? null, sharedWith: (row['sharedWith'] as string[] | null) ?? [] };
  if (!canSee(actor, owned, await managedIdsInTx(tx, actor))) throw forbidden('This lead belongs to someone else.');
}

/** Locks the lead row for the rest of the transaction; 404 outside the workspace, 403 outside the scope. */
export async function lockLead(tx: Db, actor: Actor, leadId: string): Promise<AnyRow> {
  const row = await findRow(tx, lead, actor.workspaceId, leadId, 'lead', true);
  await assertLeadVisibleInTx(tx, actor, row);
  return row;
}

export const leadState = (row: AnyRow): LeadState => ({
  stageId: row['stageId'] as string,
  pipelineId: row['pipelineId'] as string,
  status: row['status'] as LeadState['status'],
  probability: row['probability'] as number,
  nextActionAt: (row['nextActionAt'] as Date | null) ?? null,
  nextActionType: (row['nextActionType'] as LeadState['nextActionType']) ?? null,
  closedAt: (row['closedAt'] as Date | null) ?? null,
  cancelledAt: (row['cancelledAt'] as Date | null) ?? null,
});

export async function recordStageChange(tx: Db, actor: Actor, leadId: string, fromStageId: string | null, toStageId: string, now: Date): Promise<void> {
  await tx.insert(leadStageHistory).values({ workspaceId: actor.workspaceId, leadId, fromStageId, toStageId, userId: actor.userId, changedAt: now });
}

/**
 * Moves a lead to a stage with the domain's moveLead rules, inside the caller's transaction: locks
 * the lead, checks the actor may see it, writes the stage history row (when the stage changes) and
 * the audit event. `expectedVersion`, when given, makes a stale move answer 409. Returns the
 * updated lead row.
 */
export async function moveLeadInTx(
  tx: Db, actor: Actor, leadId: string, stageId: string, input: MoveInput & { expectedVersion?: number | undefined }, now: Date,
): Promise<Record<string, unknown>> {
  const before = await lockLead(tx, actor, leadId);
  const to = await findStage(tx, actor.workspaceId, stageId);
  const change = moveLead(leadState(before), { id: to.id, pipelineId: to.pipelineId, kind: to.kind as StageKind, probability: to.probability }, { lostReason: input.lostReason ?? null, probability: input.probability ?? null }, now);
  const patch: AnyRow = { ...change };
  if (change.nextActionAt === null && before['nextActionAt'] !== null) patch['nextActionNote'] = null;
  const row = await updateRow(tx, lead, actor, 'lead', before, patch, input.expectedVersion, 'move');
  if (before['stageId'] !== to.id) await recordStageChange(tx, actor, leadId, before['stageId'] as string, to.id, now);
  return row;
}

/**
 * Stores a lead's next action as already validated by the domain (scheduleNextAction or
 * afterInteraction) and, when an interaction was just logged, moves last_activity_at forward
 * (never backwards: a late-logged old call does not make the lead look fresher than it is).
 */
export async function setLeadNextActionInTx(
  tx: Db, actor: Actor, leadId: string,
  next: { nextActionAt: Date | null; nextActionType: string | null; nextActionNote: string | null },
  lastActivityAt?: Date,
): Promise<void> {
  const before = await lockLead(tx, actor, leadId);
  const patch: AnyRow = { nextActionAt: next.nextActionAt, nextActionType: next.nextActionType, nextActionNote: next.nextActionNote };
  if (lastActivityAt) {
    const prev = before['lastActivityAt'] as Date | null;
    if (!prev || prev.getTime() < lastActivityAt.getTime()) patch['lastActivityAt'] = lastActivityAt;
  }
  await updateRow(tx, lead, actor, 'lead', before, patch, undefined, 'next_action');
}

export type { MoveInput };
