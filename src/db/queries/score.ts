import { randomUUID } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import type { ActivityType } from '../../domain/activity.js';
import {
  computeScore, validateScoreRules, type CustomFieldEntity, type ScoreCondition, type ScoreContext, type ScoreLine, type ScoreResult, type ScoreRule,
  type ScoreSnapshot, type ScoreWarning,
} from '../../domain/score.js';
import { EARLY_DAYS, eligibility, isPredictive, predict, trainModel, type Coefficient, type ModelLead } from '../../domain/score-model.js';
import type { AuditInput } from '../audit.js';
import { recordAudit } from '../audit.js';
import type { Database, Db } from '../client.js';
import type { ScoreExplanation } from '../schema.js';

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;
const DAY_MS = 86_400_000;
const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

export type Scoring = { rules: ScoreRule[]; ctx: ScoreContext };
export type ScoreEntity = 'lead' | 'contact';

/** The rules of a workspace in their order. */
export async function loadRules(tx: Db, workspaceId: string): Promise<ScoreRule[]> {
  return rowsOf<{ id: string; label: string; weight: number; condition: ScoreCondition }>(await tx.execute(sql`
    SELECT id, label, weight, condition FROM score_rule WHERE workspace_id = ${workspaceId} ORDER BY position, id`));
}

/**
 * What exists now for the rules to name: every custom field of the workspace, and of the products
 * and sources the rules (or a rule set about to be saved) mention, those that still exist.
 */
export async function loadScoreContext(tx: Db, workspaceId: string, rules: readonly unknown[]): Promise<ScoreContext> {
  const ids = (field: string) => rules.flatMap((r) => {
    const v = ((r as { condition?: Record<string, unknown> } | null)?.condition ?? {})[field];
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && isUuid(x)) : [];
  });
  const [row] = rowsOf<{ fields: ScoreContext['customFields'] | null; products: string[] | null; sources: string[] | null }>(await tx.execute(sql`
    SELECT (SELECT jsonb_agg(jsonb_build_object('entity', entity, 'key', key, 'type', type, 'options', options))
              FROM custom_field WHERE workspace_id = ${workspaceId}) AS fields,
           (SELECT jsonb_agg(id) FROM product WHERE workspace_id = ${workspaceId} AND id = ANY(${`{${ids('productIds').join(',')}}`}::uuid[])) AS products,
           (SELECT jsonb_agg(id) FROM source WHERE workspace_id = ${workspaceId} AND id = ANY(${`{${ids('sourceIds').join(',')}}`}::uuid[])) AS sources`));
  return { customFields: row?.fields ?? [], productIds: new Set(row?.products ?? []), sourceIds: new Set(row?.sources ?? []) };
}

export async function loadScoring(tx: Db, workspaceId: string): Promise<Scoring> {
  const rules = await loadRules(tx, workspaceId);
  return { rules, ctx: rules.length ? await loadScoreContext(tx, workspaceId, rules) : { customFields: [], productIds: new Set(), sourceIds: new Set() } };
}

/**
 * Replaces the rule set of a workspace (admins), validated as a whole against what exists now,
 * audited as one change, and queues a rescoring of every open lead and active contact.
 */
export async function saveRules(tx: Db, actor: Actor, raw: readonly unknown[], enqueueRescore: (tx: Db) => Promise<void>): Promise<ScoreRule[]> {
  const ctx = await loadScoreContext(tx, actor.workspaceId, raw);
  const valid = validateScoreRules(raw, ctx).map((r) => ({ ...r, id: isUuid(r.id) ? r.id : randomUUID() }));
  const before = await loadRules(tx, actor.workspaceId);
  await tx.execute(sql`DELETE FROM score_rule WHERE workspace_id = ${actor.workspaceId}`);
  if (valid.length) {
    await tx.execute(sql`INSERT INTO score_rule (workspace_id, id, position, label, weight, condition)
      SELECT ${actor.workspaceId}, x.id, x.position, x.label, x.weight, x.condition
        FROM jsonb_to_recordset(${JSON.stringify(valid.map((r, i) => ({ ...r, position: i })))}::jsonb)
             AS x(id uuid, position int, label text, weight int, condition jsonb)`);
  }
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity: 'score_rules', entityId: actor.workspaceId, action: 'update',
    before: { rules: before }, after: { rules: valid },
  });
  await enqueueRescore(tx);
  return valid;
}

type SnapshotRow = {
  id: string; sector: string | null; employees: number | null; postal_code: string | null; source_id: string | null;
  product_ids: string[] | null; lead_cf: Record<string, unknown> | null; contact_cf: Record<string, unknown> | null;
  company_cf: Record<string, unknown> | null; last_contact_ms: number | null; cur_score: number; cur_expl: ScoreExplanation | null;
};

/** A snapshot with the score stored now, so an unchanged score is not written again. */
export type StoredSnapshot = ScoreSnapshot & { stored: { score: number; explanation: ScoreExplanation | null } };

const sameLines = (a: readonly ScoreLine[], b: readonly ScoreLine[]) =>
  a.length === b.length && a.every((x, i) => x.ruleId === b[i]!.ruleId && x.label === b[i]!.label && x.points === b[i]!.points && x.kind === b[i]!.kind);
const sameWarnings = (a: readonly ScoreWarning[], b: readonly ScoreWarning[]) =>
  a.length === b.length && a.every((x, i) => x.ruleId === b[i]!.ruleId && x.label === b[i]!.label && x.reason === b[i]!.reason);

/** The results that differ from what is stored: writing only those spares the row triggers of unchanged records. */
export function changedResults(results: ReadonlyMap<string, ScoreResult>, snaps: ReadonlyMap<string, StoredSnapshot>): Map<string, ScoreResult> {
  const out = new Map<string, ScoreResult>();
  for (const [id, r] of results) {
    const cur = snaps.get(id)?.stored;
    const same = cur && cur.score === r.score && cur.explanation && sameLines(cur.explanation.lines ?? [], r.lines) && sameWarnings(cur.explanation.warnings ?? [], r.warnings);
    if (!same) out.set(id, r);
  }
  return out;
}

const windows = (rules: readonly ScoreRule[]) => {
  let interactions = 0;
  let purchases = 0;
  for (const r of rules) {
    const c = r.condition;
    if (c.type === 'interactions' || c.type === 'replied' || c.type === 'visits') interactions = Math.max(interactions, c.days);
    if (c.type === 'purchases') purchases = Math.max(purchases, c.days);
  }
  return { interactions, purchases };
};

const uuidArray = (ids: readonly string[]) => `{${ids.join(',')}}`;

/**
 * The snapshots of a set of records, in three set-based statements (the records with their
 * contact and company, their done interactions inside the widest window, their purchases inside
 * the widest window), so scoring one record or a batch of thousands costs the same few round trips.
 * A lead's interactions are those logged on it or on its contact; its purchases, its contact's
 * (or, without a contact, its company's).
 */
export async function loadSnapshots(
  tx: Db, workspaceId: string, entity: ScoreEntity, ids: readonly string[], rules: readonly ScoreRule[], now: Date,
  /** Rows about to be inserted, with the table's columns the snapshot reads, read instead of the table. */
  pending?: SQL,
): Promise<Map<string, StoredSnapshot>> {
  const out = new Map<string, StoredSnapshot>();
  if (!ids.length) return out;
  const arr = uuidArray(ids);
  const leads = pending ?? sql`lead`;
  const contacts = pending ?? sql`contact`;
  const rows = rowsOf<SnapshotRow>(await tx.execute(entity === 'lead' ? sql`
    SELECT l.id, co.sector, co.employees, coalesce(c.postal_code, co.postal_code) AS postal_code, l.source_id,
           to_jsonb(l.product_ids) AS product_ids, l.custom_fields AS lead_cf, c.custom_fields AS contact_cf, co.custom_fields AS company_cf,
           (extract(epoch FROM coalesce(l.last_activity_at, l.created_at)) * 1000)::float8 AS last_contact_ms,
           l.score AS cur_score, l.score_explanation AS cur_expl
      FROM ${leads} l
      LEFT JOIN contact c ON c.workspace_id = l.workspace_id AND c.id = l.contact_id
      LEFT JOIN company co ON co.workspace_id = l.workspace_id AND co.id = coalesce(l.company_id, c.company_id)
     WHERE l.workspace_id = ${workspaceId} AND l.id = ANY(${arr}::uuid[])` : sql`
    SELECT c.id, co.sector, co.employees, coalesce(c.postal_code, co.postal_code) AS postal_code, NULL::uuid AS source_id,
           NULL::jsonb AS product_ids, NULL::jsonb AS lead_cf, c.custom_fields AS contact_cf, co.custom_fields AS company_cf,
           (extract(epoch FROM coalesce(c.last_activity_at, c.created_at)) * 1000)::float8 AS last_contact_ms,
           c.score AS cur_score, c.score_explanation AS cur_expl
      FROM ${contacts} c
      LEFT JOIN company co ON co.workspace_id = c.workspace_id AND co.id = c.company_id
     WHERE c.workspace_id = ${workspaceId} AND c.id = ANY(${arr}::uuid[])`));
  for (const r of rows) {
    out.set(r.id, {
      sector: r.sector, employees: r.employees === null ? null : Number(r.employees), postalCode: r.postal_code, sourceId: r.source_id,
      productIds: r.product_ids ?? [], interactions: [], purchases: [],
      customFields: { lead: r.lead_cf ?? {}, contact: r.contact_cf ?? {}, company: r.company_cf ?? {} },
      lastContactAt: r.last_contact_ms === null ? null : new Date(Number(r.last_contact_ms)),
      stored: { score: Number(r.cur_score), explanation: r.cur_expl },
    });
  }
  const w = windows(rules);
  if (w.interactions > 0) {
    const since = new Date(now.getTime() - w.interactions * DAY_MS);
    // Done interactions only (notes are not contact); the window is on the timeline moment the activity indexes hold.
    const done = sql`a.done_at IS NOT NULL AND a.type <> 'note' AND coalesce(a.occurred_at, a.due_at) >= ${since}`;
    const acts = rowsOf<{ rid: string; aid: string; type: ActivityType; direction: 'inbound' | 'outbound' | null; at_ms: number }>(await tx.execute(entity === 'lead' ? sql`
      SELECT l.id AS rid, a.id AS aid, a.type, a.direction, (extract(epoch FROM coalesce(a.occurred_at, a.due_at)) * 1000)::float8 AS at_ms
        FROM ${leads} l JOIN activity a ON a.workspace_id = l.workspace_id AND a.lead_id = l.id
       WHERE l.workspace_id = ${workspaceId} AND l.id = ANY(${arr}::uuid[]) AND ${done}
      UNION
      SELECT l.id, a.id, a.type, a.direction, (extract(epoch FROM coalesce(a.occurred_at, a.due_at)) * 1000)::float8
        FROM ${leads} l JOIN activity a ON a.workspace_id = l.workspace_id AND a.contact_id = l.contact_id
       WHERE l.workspace_id = ${workspaceId} AND l.id = ANY(${arr}::uuid[]) AND ${done}` : sql`
      SELECT a.contact_id AS rid, a.id AS aid, a.type, a.direction, (extract(epoch FROM coalesce(a.occurred_at, a.due_at)) * 1000)::float8 AS at_ms
        FROM activity a WHERE a.workspace_id = ${workspaceId} AND a.contact_id = ANY(${arr}::uuid[]) AND ${done}`));
    for (const a of acts) out.get(a.rid)?.interactions.push({ type: a.type, direction: a.direction, at: new Date(Number(a.at_ms)) });
  }
  if (w.purchases > 0) {
    const since = new Date(now.getTime() - w.purchases * DAY_MS);
    const sales = rowsOf<{ rid: string; at_ms: number }>(await tx.execute(entity === 'lead' ? sql`
      SELECT l.id AS rid, (extract(epoch FROM s.sold_at) * 1000)::float8 AS at_ms
        FROM ${leads} l JOIN sale s ON s.workspace_id = l.workspace_id AND s.contact_id = l.contact_id
       WHERE l.workspace_id = ${workspaceId} AND l.id = ANY(${arr}::uuid[]) AND s.sold_at >= ${since}
      UNION ALL -- two branches, each on its index (sale_contact_idx, sale_company_idx), rather than one OR that uses neither
      SELECT l.id, (extract(epoch FROM s.sold_at) * 1000)::float8
        FROM ${leads} l JOIN sale s ON s.workspace_id = l.workspace_id AND s.company_id = l.company_id
       WHERE l.workspace_id = ${workspaceId} AND l.id = ANY(${arr}::uuid[]) AND l.contact_id IS NULL AND s.sold_at >= ${since}` : sql`
      SELECT s.contact_id AS rid, (extract(epoch FROM s.sold_at) * 1000)::float8 AS at_ms
        FROM sale s WHERE s.workspace_id = ${workspaceId} AND s.contact_id = ANY(${arr}::uuid[]) AND s.sold_at >= ${since}`));
    for (const s of sales) out.get(s.rid)?.purchases.push(new Date(Number(s.at_ms)));
  }
  return out;
}

/** Stores scores and explanations (no version bump: computed); the SQL also skips rows already equal, as a guard. */
export async function storeScores(tx: Db, workspaceId: string, entity: ScoreEntity, results: ReadonlyMap<string, ScoreResult>): Promise<number> {
  if (!results.size) return 0;
  const payload = JSON.stringify([...results].map(([id, r]) => ({ id, s: r.score, e: { lines: r.lines, warnings: r.warnings } })));
  const table = entity === 'lead' ? sql`lead` : sql`contact`;
  const res = rowsOf<{ id: string }>(await tx.execute(sql`
    UPDATE ${table} t SET score = x.s, score_explanation = x.e
      FROM jsonb_to_recordset(${payload}::jsonb) AS x(id uuid, s int, e jsonb)
     WHERE t.workspace_id = ${workspaceId} AND t.id = x.id AND (t.score <> x.s OR t.score_explanation <> x.e)
    RETURNING t.id`));
  return res.length;
}

/** Computes and stores the scores of the given records with the given rules. */
export async function rescore(tx: Db, workspaceId: string, entity: ScoreEntity, ids: readonly string[], scoring: Scoring, now: Date): Promise<Map<string, ScoreResult>> {
  const snaps = await loadSnapshots(tx, workspaceId, entity, ids, scoring.rules, now);
  const results = new Map<string, ScoreResult>();
  for (const [id, snap] of snaps) results.set(id, computeScore(scoring.rules, scoring.ctx, snap, now));
  await storeScores(tx, workspaceId, entity, changedResults(results, snaps));
  return results;
}

type Affected = { leads: string[]; contacts: string[] };
const str = (row: Record<string, unknown> | null | undefined, k: string) => (typeof row?.[k] === 'string' ? (row[k] as string) : null);
const scoredEntities = new Set(['lead', 'contact', 'company', 'activity', 'sale']);

/** The records whose score a change to one row can move (open leads only: a closed lead keeps the score it closed with). */
async function affectedBy(tx: Db, a: AuditInput): Promise<Affected> {
  const rows = [a.after, a.before];
  const pick = (k: string) => [...new Set(rows.map((r) => str(r, k)).filter((x): x is string => x !== null))];
  const leads = new Set<string>();
  const contacts = new Set<string>();
  let contactIds: string[] = [];
  let companyIds: string[] = [];
  if (a.entity === 'lead') { if (a.after) leads.add(a.entityId); }
  else if (a.entity === 'contact') { if (a.after) contacts.add(a.entityId); contactIds = [a.entityId]; }
  else if (a.entity === 'company') companyIds = [a.entityId];
  else { // activity, sale
    for (const l of pick('leadId')) leads.add(l);
    contactIds = pick('contactId');
    for (const c of contactIds) contacts.add(c);
    if (a.entity === 'sale' && contactIds.length === 0) companyIds = pick('companyId');
  }
  if (contactIds.length || companyIds.length) {
    const found = rowsOf<{ kind: string; id: string }>(await tx.execute(sql`
      SELECT 'lead' AS kind, l.id FROM lead l
       WHERE l.workspace_id = ${a.workspaceId} AND l.status = 'open'
         AND (l.contact_id = ANY(${uuidArray(contactIds)}::uuid[]) OR l.company_id = ANY(${uuidArray(companyIds)}::uuid[]))
      UNION ALL
      SELECT 'contact', c.id FROM contact c
       WHERE c.workspace_id = ${a.workspaceId} AND c.status = 'active' AND c.company_id = ANY(${uuidArray(companyIds)}::uuid[])`));
    for (const f of found) (f.kind === 'lead' ? leads : contacts).add(f.id);
  }
  return { leads: [...leads], contacts: [...contacts] };
}

/**
 * Called by recordAudit for every write: rescoring the records a change affects, in the same
 * transaction, so the score read right after the change already reflects it. Writes that cannot
 * move a score return before any query; a workspace without rules costs one indexed read.
 * The changed row (`after`) gets its new score too, so the API answer of the write shows it.
 */
export async function rescoreForChange(tx: Db, a: AuditInput): Promise<void> {
  if (!scoredEntities.has(a.entity) || a.action === 'purge' || a.action === 'erase') return;
  const scoring = await loadScoring(tx, a.workspaceId);
  if (!scoring.rules.length) return;
  const { leads, contacts } = await affectedBy(tx, a);
  const now = new Date();
  const leadResults = await rescore(tx, a.workspaceId, 'lead', leads, scoring, now);
  const contactResults = await rescore(tx, a.workspaceId, 'contact', contacts, scoring, now);
  const own = a.entity === 'lead' ? leadResults.get(a.entityId) : a.entity === 'contact' ? contactResults.get(a.entityId) : undefined;
  if (own && a.after) {
    a.after['score'] = own.score;
    a.after['scoreExplanation'] = { lines: own.lines, warnings: own.warnings };
  }
}

/**
 * The scores of records about to be inserted, so the insert writes them (an import batch): the same
 * snapshots and rules as rescore, read from `pending` (a relation with the columns of the entity's
 * table that loadSnapshots reads) instead of the table. Empty when the workspace has no rules, and
 * then the inserted rows keep the default score, as they would with rescore.
 */
export async function scoresOfPending(tx: Db, workspaceId: string, entity: ScoreEntity, ids: readonly string[], pending: SQL, scoring: Scoring, now: Date): Promise<Map<string, ScoreResult>> {
  const results = new Map<string, ScoreResult>();
  if (!ids.length || !scoring.rules.length) return results;
  for (const [id, snap] of await loadSnapshots(tx, workspaceId, entity, ids, scoring.rules, now, pending)) {
    results.set(id, computeScore(scoring.rules, scoring.ctx, snap, now));
  }
  return results;
}

/**
 * rescoreForChange for a write that changes many rows at once (an import batch): the given leads,
 * the given contacts and the open leads of those contacts (their snapshot reads the contact), in
 * the caller's transaction, a few set-based statements whatever the number of rows, with the rules
 * the caller loaded once for its whole write (loadScoring). Answers the new scores of the given leads and contacts.
 */
export async function rescoreMany(tx: Db, workspaceId: string, ids: { leads: readonly string[]; contacts: readonly string[] }, scoring: Scoring, now: Date): Promise<Map<string, ScoreResult>> {
  if ((!ids.leads.length && !ids.contacts.length) || !scoring.rules.length) return new Map();
  const leads = new Set(ids.leads);
  if (ids.contacts.length) {
    const open = rowsOf<{ id: string }>(await tx.execute(sql`
      SELECT l.id FROM lead l WHERE l.workspace_id = ${workspaceId} AND l.status = 'open' AND l.contact_id = ANY(${uuidArray(ids.contacts)}::uuid[])`));
    for (const l of open) leads.add(l.id);
  }
  const out = await rescore(tx, workspaceId, 'lead', [...leads], scoring, now);
  for (const [id, r] of await rescore(tx, workspaceId, 'contact', [...new Set(ids.contacts)], scoring, now)) out.set(id, r);
  return out;
}

/**
 * Rescores every open lead and active contact of a workspace in keyset batches, each its own
 * transaction (short locks, progress kept if a batch fails): the nightly decay and the run after
 * the rules change. Returns how many records were looked at and how many changed.
 */
export async function rescoreWorkspace(database: Database, workspaceId: string, now: Date, batch = 2000): Promise<{ scored: number; changed: number }> {
  let scored = 0;
  let changed = 0;
  const scoring = await database.transaction((tx) => loadScoring(tx, workspaceId));
  for (const entity of ['lead', 'contact'] as const) {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const n = await database.transaction(async (tx) => {
        const ids = rowsOf<{ id: string }>(await tx.execute(entity === 'lead'
          ? sql`SELECT id FROM lead WHERE workspace_id = ${workspaceId} AND id > ${after} AND status = 'open' ORDER BY id LIMIT ${batch}`
          : sql`SELECT id FROM contact WHERE workspace_id = ${workspaceId} AND id > ${after} AND status = 'active' ORDER BY id LIMIT ${batch}`)).map((r) => r.id);
        if (!ids.length) return 0;
        after = ids[ids.length - 1]!;
        const snaps = await loadSnapshots(tx, workspaceId, entity, ids, scoring.rules, now);
        const results = new Map<string, ScoreResult>();
        for (const [id, snap] of snaps) results.set(id, computeScore(scoring.rules, scoring.ctx, snap, now));
        changed += await storeScores(tx, workspaceId, entity, changedResults(results, snaps));
        return ids.length;
      });
      scored += n;
      if (n < batch) break;
    }
  }
  return { scored, changed };
}

// ————— The measured model —————

type ModelRow = {
  id: string; won: boolean; source_id: string | null; sector: string | null; employees: number | null; product_ids: string[] | null;
  amount: number; early: Record<string, number> | null; replied: boolean;
};

/** The model's inputs of leads (closed ones to train, or one lead to predict), from its first EARLY_DAYS days. */
async function modelLeads(tx: Db, workspaceId: string, where: ReturnType<typeof sql>, limit: number): Promise<ModelLead[]> {
  const early = sql`a.workspace_id = l.workspace_id AND a.lead_id = l.id AND a.done_at IS NOT NULL AND a.type <> 'note'
    AND coalesce(a.occurred_at, a.done_at) < l.created_at + make_interval(days => ${EARLY_DAYS})`;
  const rows = rowsOf<ModelRow>(await tx.execute(sql`
    SELECT l.id, l.status = 'won' AS won, l.source_id, co.sector, co.employees, to_jsonb(l.product_ids) AS product_ids, l.amount::float8 AS amount,
           (SELECT jsonb_object_agg(z.type, z.n) FROM (SELECT a.type, count(*) AS n FROM activity a WHERE ${early} GROUP BY a.type) z) AS early,
           EXISTS (SELECT 1 FROM activity a WHERE ${early} AND a.type = 'email' AND a.direction = 'inbound') AS replied
      FROM lead l
      LEFT JOIN contact c ON c.workspace_id = l.workspace_id AND c.id = l.contact_id
      LEFT JOIN company co ON co.workspace_id = l.workspace_id AND co.id = coalesce(l.company_id, c.company_id)
     WHERE l.workspace_id = ${workspaceId} AND ${where}
     ORDER BY l.closed_at DESC NULLS LAST, l.id
     LIMIT ${limit}`));
  return rows.map((r) => ({
    id: r.id, won: r.won, sourceId: r.source_id, sector: r.sector, employees: r.employees === null ? null : Number(r.employees),
    productIds: r.product_ids ?? [], amount: Number(r.amount), earlyInteractions: Object.fromEntries(Object.entries(r.early ?? {}).map(([k, v]) => [k, Number(v)])),
    repliedEarly: r.replied,
  }));
}

/** The most recent closed leads a model learns from: enough for stable weights, bounded so training stays seconds. */
export const MAX_TRAINING_LEADS = 50_000;

export type StoredModel = {
  status: 'trained' | 'insufficient'; reason: string | null; trainedAt: Date; n: number; nTrain: number; nTest: number;
  won: number; lost: number; auc: number | null; intercept: number; coefficients: Coefficient[]; earlyDays: number;
};

/**
 * Trains the workspace's model on its closed leads (won vs lost, cancelled left out) and replaces
 * the stored one; with too little history, stores that fact and its reason instead.
 */
export async function trainWorkspaceModel(database: Database, workspaceId: string, now: Date): Promise<StoredModel> {
  const leads = await database.transaction((tx) => modelLeads(tx, workspaceId, sql`l.status IN ('won', 'lost')`, MAX_TRAINING_LEADS));
  const won = leads.filter((l) => l.won).length;
  const ok = eligibility(won, leads.length - won);
  const trained = ok.eligible ? trainModel(leads) : null;
  // A model no better than chance on the held-out leads is stored with what it learnt, for the
  // settings page, but as insufficient: measuredProbability uses only trained ones.
  const model: StoredModel = trained
    ? { status: isPredictive(trained) ? 'trained' : 'insufficient', reason: isPredictive(trained) ? null : 'not_predictive', trainedAt: now, earlyDays: EARLY_DAYS, ...trained }
    : { status: 'insufficient', reason: ok.eligible ? null : ok.reason, trainedAt: now, n: leads.length, nTrain: 0, nTest: 0, won, lost: leads.length - won, auc: null, intercept: 0, coefficients: [], earlyDays: EARLY_DAYS };
  await database.transaction(async (tx) => {
    await tx.execute(sql`DELETE FROM score_model WHERE workspace_id = ${workspaceId}`);
    await tx.execute(sql`INSERT INTO score_model (workspace_id, status, reason, trained_at, n, n_train, n_test, won, lost, auc, intercept, coefficients, early_days)
      VALUES (${workspaceId}, ${model.status}, ${model.reason}, ${now}, ${model.n}, ${model.nTrain}, ${model.nTest}, ${model.won}, ${model.lost},
              ${model.auc}, ${model.intercept}, ${JSON.stringify(model.coefficients)}::jsonb, ${model.earlyDays})`);
  });
  return model;
}

export async function loadModel(tx: Db, workspaceId: string): Promise<StoredModel | null> {
  const [r] = rowsOf<Record<string, unknown>>(await tx.execute(sql`
    SELECT status, reason, (extract(epoch FROM trained_at) * 1000)::float8 AS trained_ms, n, n_train, n_test, won, lost, auc, intercept, coefficients, early_days
      FROM score_model WHERE workspace_id = ${workspaceId}`));
  if (!r) return null;
  return {
    status: r['status'] as StoredModel['status'], reason: (r['reason'] as string | null) ?? null, trainedAt: new Date(Number(r['trained_ms'])),
    n: Number(r['n']), nTrain: Number(r['n_train']), nTest: Number(r['n_test']), won: Number(r['won']), lost: Number(r['lost']),
    auc: r['auc'] === null ? null : Number(r['auc']), intercept: Number(r['intercept']), coefficients: r['coefficients'] as Coefficient[],
    earlyDays: Number(r['early_days']),
  };
}

/** The measured probability (0–1) that a lead is won, or null when the workspace has no trained model. */
export async function measuredProbability(tx: Db, workspaceId: string, leadId: string, model: StoredModel | null): Promise<number | null> {
  if (!model || model.status !== 'trained') return null;
  const [l] = await modelLeads(tx, workspaceId, sql`l.id = ${leadId}`, 1);
  return l ? predict(model, l) : null;
}

/** Display names of the sources and products a model's coefficients name. */
export async function coefficientNames(tx: Db, workspaceId: string, coefficients: readonly Coefficient[]): Promise<Map<string, string>> {
  const ids = coefficients.filter((c) => (c.kind === 'source' || c.kind === 'product') && isUuid(c.value)).map((c) => c.value);
  if (!ids.length) return new Map();
  const rows = rowsOf<{ id: string; name: string }>(await tx.execute(sql`
    SELECT id, name FROM source WHERE workspace_id = ${workspaceId} AND id = ANY(${uuidArray(ids)}::uuid[])
    UNION ALL SELECT id, name FROM product WHERE workspace_id = ${workspaceId} AND id = ANY(${uuidArray(ids)}::uuid[])`));
  return new Map(rows.map((r) => [r.id, r.name]));
}

export type { CustomFieldEntity };
