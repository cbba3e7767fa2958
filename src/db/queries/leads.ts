import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { assertCanAssign, canSee } from '../../domain/access.js';
import { fieldError, forbidden, notFound } from '../../domain/errors.js';
import { cancelLead, moveLead, restoreLead, scheduleNextAction, startLead, type LeadState, type MoveInput, type NextAction, type NextActionType, type StageRef } from '../../domain/lead.js';
import type { StageKind } from '../../domain/pipeline.js';
import type { Database, Db } from '../client.js';
import { buildListQuery, runList, selectList, type ListParams, type ListSpec, type Page } from '../list.js';
import { deleteRow, findRow, insertRow, updateRow, type TenantTable } from '../repository.js';
import { appUser, campaign, company, contact, lead, leadStageHistory, pipeline, product, source, stage, workspace } from '../schema.js';
import { assertReferences, type Reference } from './contacts.js';
import { resolveCustomFields } from './custom-fields.js';
import { refreshLifecycle } from './profile.js';
import { managedUserIdsInTx } from './users.js';

type AnyRow = Record<string, unknown>;

/**
 * A lead in its API shape: the row plus the names the board shows, each a correlated lookup by
 * primary key, so a page of leads stays one query whatever the filters.
 */
export const leadSelect = `${selectList(lead).replace('"expected_close_date" AS', '"expected_close_date"::text AS')},
  (SELECT concat_ws(' ', c.first_name, c.last_name, c.second_last_name) FROM contact c
    WHERE c.workspace_id = lead.workspace_id AND c.id = lead.contact_id) AS "contactName",
  (SELECT co.name FROM company co WHERE co.workspace_id = lead.workspace_id AND co.id = lead.company_id) AS "companyName",
  (SELECT s.name FROM stage s WHERE s.workspace_id = lead.workspace_id AND s.id = lead.stage_id) AS "stageName",
  (SELECT u.name FROM app_user u WHERE u.workspace_id = lead.workspace_id AND u.id = lead.owner_id) AS "ownerName",
  (SELECT so.name FROM source so WHERE so.workspace_id = lead.workspace_id AND so.id = lead.source_id) AS "sourceName"`;

const nextActionSort = `coalesce(next_action_at, 'infinity'::timestamptz)`;

export const leadList: ListSpec = {
  table: lead,
  scope: 'owned',
  hideCancelled: true,
  searchColumn: 'search_text',
  searchExtra: `(EXISTS (SELECT 1 FROM contact c WHERE c.workspace_id = lead.workspace_id AND c.id = lead.contact_id
                   AND c.search_text LIKE '%' || f_search_text($q) || '%')
              OR EXISTS (SELECT 1 FROM company co WHERE co.workspace_id = lead.workspace_id AND co.id = lead.company_id
                   AND co.search_text LIKE '%' || f_search_text($q) || '%'))`,
  filters: {
    ownerId: { kind: 'in', column: 'owner_id', type: 'uuid' },
    stageId: { kind: 'in', column: 'stage_id', type: 'uuid' },
    pipelineId: { kind: 'in', column: 'pipeline_id', type: 'uuid' },
    status: { kind: 'enum', column: 'status', values: ['open', 'won', 'lost', 'cancelled'] },
    sourceId: { kind: 'in', column: 'source_id', type: 'uuid' },
    campaignId: { kind: 'in', column: 'campaign_id', type: 'uuid' },
    productId: { kind: 'arrayContains', column: 'product_ids' },
    contactId: { kind: 'in', column: 'contact_id', type: 'uuid' },
    companyId: { kind: 'in', column: 'company_id', type: 'uuid' },
    nextActionFrom: { kind: 'gte', column: 'next_action_at', type: 'timestamp' },
    nextActionTo: { kind: 'lt', column: 'next_action_at', type: 'timestamp' },
    withoutNextAction: { kind: 'isNull', column: 'next_action_at' },
    amountMin: { kind: 'gte', column: 'amount', type: 'number' },
    amountMax: { kind: 'lt', column: 'amount', type: 'number' },
    scoreMin: { kind: 'gte', column: 'score', type: 'number' },
    scoreMax: { kind: 'lt', column: 'score', type: 'number' },
    probabilityMin: { kind: 'gte', column: 'probability', type: 'number' },
    probabilityMax: { kind: 'lt', column: 'probability', type: 'number' },
    lastActivityFrom: { kind: 'gte', column: 'last_activity_at', type: 'timestamp' },
    lastActivityTo: { kind: 'lt', column: 'last_activity_at', type: 'timestamp' },
    withoutActivity: { kind: 'isNull', column: 'last_activity_at' },
    expectedCloseFrom: { kind: 'gte', column: 'expected_close_date', type: 'date' },
    expectedCloseTo: { kind: 'lt', column: 'expected_close_date', type: 'date' },
    createdFrom: { kind: 'gte', column: 'created_at', type: 'timestamp' },
    createdTo: { kind: 'lt', column: 'created_at', type: 'timestamp' },
    // The dashboard's win rate and sales cycle drill down to the leads closed in its period.
    closedFrom: { kind: 'gte', column: 'closed_at', type: 'timestamp' },
    closedTo: { kind: 'lt', column: 'closed_at', type: 'timestamp' },
  },
  sorts: {
    nextActionAt: { expr: nextActionSort, type: 'timestamp' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
    amount: { expr: 'amount', type: 'number' },
    score: { expr: 'score', type: 'number' },
    probability: { expr: 'probability', type: 'number' },
    title: { expr: 'lower(title)', type: 'text' },
    updatedAt: { expr: 'updated_at', type: 'timestamp' },
    lastActivityAt: { expr: `coalesce(last_activity_at, '-infinity'::timestamptz)`, type: 'timestamp' },
    // Copies of the looked-up names kept by triggers (0016_lead_sort_keys.sql), each with its index.
    contactName: { expr: 'contact_sort', type: 'text' },
    companyName: { expr: 'company_sort', type: 'text' },
    ownerName: { expr: 'owner_sort', type: 'text' },
    sourceName: { expr: 'source_sort', type: 'text' },
    stage: { expr: 'stage_sort', type: 'number' },
  },
  defaultSort: 'nextActionAt',
};

/** The list statement; exported so tests can EXPLAIN exactly what the API runs. */
export const buildLeadListQuery = (actor: Actor, params: ListParams) => buildListQuery(leadList, actor, params, { select: leadSelect });

export async function listLeads(database: Database, actor: Actor, params: ListParams): Promise<Page<AnyRow>> {
  return runList<AnyRow>(database, buildLeadListQuery(actor, params));
}

/** One lead in its API shape, or 404 (visibility is the caller's check). */
export async function getLeadView(database: Database, workspaceId: string, id: string): Promise<AnyRow> {
  const rows = await database.query(`SELECT ${leadSelect} FROM lead WHERE workspace_id = $1 AND id = $2`, [workspaceId, id], 'lead_view');
  if (!rows[0]) throw notFound('lead');
  return rows[0];
}

export async function workspaceCurrency(tx: Db, workspaceId: string): Promise<string> {
  const rows = await tx.select({ currency: workspace.currency }).from(workspace).where(eq(workspace.id, workspaceId));
  return rows[0]?.currency ?? 'EUR';
}

export type StageInfo = StageRef & { name: string; position: number };


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


/** 403 when the lead exists in the workspace but is not within the actor's scope. */
export async function assertLeadVisibleInTx(tx: Db, actor: Actor, row: AnyRow): Promise<void> {
  if (actor.role === 'admin') return;
  const owned = { ownerId: (row['ownerId'] as string | null) ?? null, sharedWith: (row['sharedWith'] as string[] | null) ?? [] };
  if (!canSee(actor, owned, await managedUserIdsInTx(tx, actor))) throw forbidden('This lead belongs to someone else.');
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
 * The column changes of moving a locked lead to a stage (domain moveLead), and whether the stage
 * changes (then a stage history row is due).
 */
export async function planMove(tx: Db, actor: Actor, before: AnyRow, stageId: string, input: MoveInput, now: Date): Promise<{ patch: AnyRow; stageChanged: boolean }> {
  const to = await findStage(tx, actor.workspaceId, stageId);
  const change = moveLead(leadState(before), { id: to.id, pipelineId: to.pipelineId, kind: to.kind as StageKind, probability: to.probability },
    { lostReason: input.lostReason ?? null, probability: input.probability ?? null }, now);
  const patch: AnyRow = { ...change };
  if (change.nextActionAt === null && before['nextActionAt'] !== null) patch['nextActionNote'] = null;
  return { patch, stageChanged: before['stageId'] !== to.id };
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
  const { patch, stageChanged } = await planMove(tx, actor, before, stageId, input, now);
  const row = await updateRow(tx, lead, actor, 'lead', before, patch, input.expectedVersion, 'move');
  if (stageChanged) await recordStageChange(tx, actor, leadId, before['stageId'] as string, stageId, now);
  await refreshLifecycle(tx, actor, [row['contactId'] as string | null], now);
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

export type LeadInput = {
  title: string;
  contactId?: string | null;
  companyId?: string | null;
  pipelineId?: string | null;
  stageId?: string | null;
  probability?: number | null;
  amount?: number;
  currency?: string | null;
  expectedCloseDate?: string | null;
  sourceId?: string | null;
  campaignId?: string | null;
  productIds?: string[];
  ownerId?: string | null;
  sharedWith?: string[];
  nextActionAt?: Date | null;
  nextActionType?: NextActionType | null;
  nextActionNote?: string | null;
  lostReason?: string | null;
  customFields?: Record<string, unknown>;
};

const leadRefs = (input: Partial<LeadInput>): Reference[] => [
  { field: 'contactId', table: contact as TenantTable, ids: input.contactId },
  { field: 'companyId', table: company as TenantTable, ids: input.companyId },
  { field: 'sourceId', table: source as TenantTable, ids: input.sourceId },
  { field: 'campaignId', table: campaign as TenantTable, ids: input.campaignId },
  { field: 'productIds', table: product as TenantTable, ids: input.productIds },
  { field: 'ownerId', table: appUser as TenantTable, ids: input.ownerId },
  { field: 'sharedWith', table: appUser as TenantTable, ids: input.sharedWith },
];

/**
 * Creates a lead with its defaults: the default pipeline, its first open stage, the stage's
 * probability, the workspace's currency and the actor as owner. Every referenced record must be in
 * the actor's workspace. Records the first stage history row (from no stage) and the audit event.
 */
export async function createLeadInTx(tx: Db, actor: Actor, input: LeadInput, now: Date): Promise<AnyRow> {
  const ownerId = input.ownerId === undefined ? actor.userId : input.ownerId;
  assertCanAssign(actor, actor.userId, ownerId);
  await assertReferences(tx, actor.workspaceId, [
    ...(input.pipelineId ? [{ field: 'pipelineId', table: pipeline as TenantTable, ids: input.pipelineId }] : []),
    ...leadRefs({ ...input, ownerId }),
  ]);
  const pipelineId = input.pipelineId ?? await defaultPipelineId(tx, actor.workspaceId);
  const st = input.stageId ? await findStage(tx, actor.workspaceId, input.stageId) : await firstOpenStage(tx, actor.workspaceId, pipelineId);
  if (st.pipelineId !== pipelineId) throw fieldError('stageId', 'not_in_pipeline', 'The stage does not belong to the lead\'s pipeline.');
  const start = startLead({
    stage: { id: st.id, pipelineId: st.pipelineId, kind: st.kind as StageKind, probability: st.probability },
    probability: input.probability ?? null,
    nextAction: { at: input.nextActionAt ?? null, type: input.nextActionType ?? null },
  }, now);
  const lostReason = input.lostReason?.trim() || null;
  if (start.status === 'lost' && !lostReason) throw fieldError('lostReason', 'required', 'A lost lead needs the reason it was lost.');
  const customFields = await resolveCustomFields(tx, actor.workspaceId, 'lead', input.customFields, null);
  const { lostReason: _ignored, ...rest } = input;
  const row = await insertRow(tx, lead, actor, 'lead', {
    ...rest,
    pipelineId, stageId: st.id, ownerId, ...start,
    lostReason: start.status === 'lost' ? lostReason : null,
    currency: input.currency ?? await workspaceCurrency(tx, actor.workspaceId),
    customFields,
    // A closed lead has no next action; an open one keeps the validated one.
    ...(start.status === 'open' ? {} : { nextActionAt: null, nextActionType: null, nextActionNote: null }),
  });
  await recordStageChange(tx, actor, row['id'] as string, null, st.id, now);
  await refreshLifecycle(tx, actor, [row['contactId'] as string | null], now);
  return row;
}

/**
 * Updates a lead's plain fields; a patch with stageId (or lostReason) goes through the move rules,
 * and next-action fields through scheduleNextAction, all in one versioned change.
 */
export async function updateLeadInTx(tx: Db, actor: Actor, leadId: string, patch: Partial<LeadInput>, expected: number | undefined, now: Date): Promise<AnyRow> {
  const before = await lockLead(tx, actor, leadId);
  if ('ownerId' in patch) assertCanAssign(actor, before['ownerId'] as string | null, patch.ownerId ?? null);
  await assertReferences(tx, actor.workspaceId, leadRefs(patch));
  const { stageId, lostReason, probability, nextActionAt, nextActionType, nextActionNote, customFields: cf, ...plain } = patch;
  let values: AnyRow = { ...plain, ...(probability !== undefined && probability !== null ? { probability } : {}) };
  let state = leadState(before);
  let stageChanged = false;
  if (stageId && stageId !== before['stageId']) {
    const move = await planMove(tx, actor, before, stageId, { lostReason: lostReason ?? null, probability: probability ?? null }, now);
    values = { ...values, ...move.patch };
    stageChanged = move.stageChanged;
    state = { ...state, ...(move.patch as Partial<LeadState>) };
  } else if (lostReason !== undefined) {
    if (before['status'] !== 'lost') throw fieldError('lostReason', 'not_lost', 'Only a lost lead has a lost reason.');
    if (!lostReason?.trim()) throw fieldError('lostReason', 'required', 'A lost lead needs the reason it was lost.');
    values['lostReason'] = lostReason.trim();
  }
  if (nextActionAt === undefined && nextActionType === undefined && nextActionNote !== undefined) {
    // Rewording the note does not reschedule: an overdue action keeps its date and stays overdue.
    values['nextActionNote'] = state.nextActionAt ? nextActionNote : null;
  } else if (nextActionAt !== undefined || nextActionType !== undefined) {
    const at = nextActionAt === undefined ? state.nextActionAt : nextActionAt;
    const type = nextActionType === undefined ? state.nextActionType : nextActionType;
    const note = nextActionNote === undefined ? (before['nextActionNote'] as string | null) : nextActionNote;
    if (at === null && type === null) {
      values = { ...values, nextActionAt: null, nextActionType: null, nextActionNote: null };
    } else {
      values = { ...values, ...scheduleNextAction(state, { at: at ?? (null as unknown as Date), type: type ?? (null as unknown as NextActionType), note }, now) };
    }
  }
  const customFields = await resolveCustomFields(tx, actor.workspaceId, 'lead', cf, before['customFields'] as Record<string, string | number | null>);
  if (customFields) values['customFields'] = customFields;
  const row = await updateRow(tx, lead, actor, 'lead', before, values, expected);
  if (stageChanged) await recordStageChange(tx, actor, leadId, before['stageId'] as string, row['stageId'] as string, now);
  await refreshLifecycle(tx, actor, [before['contactId'] as string | null, row['contactId'] as string | null], now);
  return row;
}

/** Sets the next action of an open lead directly (domain scheduleNextAction), versioned and audited. */
export async function scheduleNextActionInTx(tx: Db, actor: Actor, leadId: string, next: NextAction, expected: number | undefined, now: Date): Promise<AnyRow> {
  const before = await lockLead(tx, actor, leadId);
  return updateRow(tx, lead, actor, 'lead', before, scheduleNextAction(leadState(before), next, now), expected, 'next_action');
}

/** Cancels a visible lead (domain cancelLead): hidden from working views, its next action cleared. */
export async function cancelLeadInTx(tx: Db, actor: Actor, leadId: string, reason: string, expected: number | undefined, now: Date): Promise<AnyRow> {
  const before = await lockLead(tx, actor, leadId);
  const row = await updateRow(tx, lead, actor, 'lead', before, { ...cancelLead(leadState(before), reason, now), nextActionNote: null }, expected, 'cancel');
  await refreshLifecycle(tx, actor, [row['contactId'] as string | null], now);
  return row;
}

/** Restores a cancelled lead to the status its stage gives (domain restoreLead). */
export async function restoreLeadInTx(tx: Db, actor: Actor, leadId: string, expected: number | undefined, now = new Date()): Promise<AnyRow> {
  const before = await lockLead(tx, actor, leadId);
  const st = await findStage(tx, actor.workspaceId, before['stageId'] as string);
  const row = await updateRow(tx, lead, actor, 'lead', before, restoreLead(leadState(before), st.kind as StageKind), expected, 'restore');
  await refreshLifecycle(tx, actor, [row['contactId'] as string | null], now);
  return row;
}

export async function deleteLeadInTx(tx: Db, actor: Actor, leadId: string, now = new Date()): Promise<void> {
  const before = await lockLead(tx, actor, leadId);
  await deleteRow(tx, lead, actor, 'lead', before);
  await refreshLifecycle(tx, actor, [before['contactId'] as string | null], now);
}
