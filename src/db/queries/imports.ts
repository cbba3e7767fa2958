import { randomUUID } from 'node:crypto';
import { and, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { diffRecord } from '../../domain/audit.js';
import { AppError, notFound } from '../../domain/errors.js';
import { isLikelyDuplicate, scoreDuplicate } from '../../domain/duplicates.js';
import { contactChanges, IMPORT_NAME_CANDIDATES, IMPORT_NAME_SIMILARITY, mergeDuplicates, type ImportRow, type UpsertKey } from '../../domain/import/row.js';
import type { Database, Db } from '../client.js';
import { insertRow, stripDerived, updateRow, type TenantTable } from '../repository.js';
import { customField, fileImport, importRow, lead, source } from '../schema.js';
import { nameExpr } from './duplicates.js';
import { loadScoring, rescoreMany, scoresOfPending } from './score.js';
import type { ScoreResult } from '../../domain/score.js';
import { emitWebhookEventsForMany } from './webhooks.js';
import { defaultPipelineId, firstOpenStage, workspaceCurrency } from './leads.js';

/**
 * Storage of imports: the import row with its checkpoint, rejected rows, and the set-based batch
 * write. A batch is a handful of statements whatever its size: companies found or created by name,
 * contacts matched on the key (and email, phone digits or name as fallbacks) with one lateral join,
 * inserted and updated from one JSON array each, and the trail (import_record + audit_event) in one
 * statement.
 */
type AnyRow = Record<string, unknown>;

/**
 * A time-ordered UUID (version 7, RFC 9562: 48 bits of Unix milliseconds, then random bits) for the
 * records an import creates. Consecutive ids sort together, so each batch's inserts into the primary
 * key and into the indexes keyed by record id (import_record, audit_event) land on the same few
 * right-hand pages instead of one random page per row across the whole index.
 */
export function timeOrderedUuid(now = Date.now()): string {
  // The random bits come from randomUUID (a version 4 id, drawn from Node's pooled entropy): a
  // randomBytes(16) call per id showed as ~2 % of the import's CPU profile.
  const r = randomUUID();
  const ms = now.toString(16).padStart(12, '0');
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${r.slice(15)}`;
}
// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;
const json = (v: unknown) => sql`${JSON.stringify(v)}::jsonb`;

export type ImportRecordRow = typeof fileImport.$inferSelect;

export async function createImport(tx: Db, actor: Actor, values: Omit<typeof fileImport.$inferInsert, 'workspaceId' | 'createdBy'> & { id: string }): Promise<ImportRecordRow> {
  return (await insertRow(tx, fileImport as unknown as TenantTable, actor, 'import', { ...values, createdBy: actor.userId })) as ImportRecordRow;
}

export async function findImport(tx: Db, workspaceId: string, id: string, forUpdate = false): Promise<ImportRecordRow> {
  const q = tx.select().from(fileImport).where(and(eq(fileImport.workspaceId, workspaceId), eq(fileImport.id, id)));
  const [row] = forUpdate ? await q.for('update') : await q;
  if (!row) throw notFound('import');
  return row;
}

/** The latest imports, newest first; admins see everyone's, others their own. */
export async function listImports(d: Db, actor: Actor, limit = 50): Promise<ImportRecordRow[]> {
  const mine = actor.role === 'admin' ? undefined : eq(fileImport.createdBy, actor.userId);
  return d.select().from(fileImport).where(and(eq(fileImport.workspaceId, actor.workspaceId), mine))
    .orderBy(desc(fileImport.createdAt), desc(fileImport.id)).limit(limit);
}

/** The mapping last chosen for a file with the same layout, if any. */
export async function rememberedMapping(d: Db, workspaceId: string, fingerprint: string): Promise<(string | null)[] | null> {
  const [row] = await d.select({ mapping: fileImport.mapping }).from(fileImport)
    .where(and(eq(fileImport.workspaceId, workspaceId), eq(fileImport.layoutFingerprint, fingerprint), sql`${fileImport.mapping} <> '[]'::jsonb`))
    .orderBy(desc(fileImport.createdAt)).limit(1);
  return row?.mapping ?? null;
}

export async function updateImport(tx: Db, actor: Actor, before: ImportRecordRow, values: Partial<ImportRecordRow>, expectedVersion?: number): Promise<ImportRecordRow> {
  return (await updateRow(tx, fileImport as unknown as TenantTable, actor, 'import', before as AnyRow, values, expectedVersion)) as ImportRecordRow;
}

/** Progress and outcome fields written by the pipeline itself (not audited: they are counters). */
export async function setImportState(d: Db, workspaceId: string, id: string, values: Partial<ImportRecordRow>): Promise<void> {
  await d.update(fileImport).set({ ...values, updatedAt: sql`now()` } as never).where(and(eq(fileImport.workspaceId, workspaceId), eq(fileImport.id, id)));
}

/** The contact custom fields flagged sensitive, by key and label (to recognise their columns in a file). */
export async function sensitiveCustomFields(d: Db, workspaceId: string): Promise<{ key: string; label: string }[]> {
  return d.select({ key: customField.key, label: customField.label }).from(customField)
    .where(and(eq(customField.workspaceId, workspaceId), eq(customField.entity, 'contact'), eq(customField.isSensitive, true)));
}

/** The workspace's sources by accent- and case-folded name. */
export async function sourcesByName(d: Db, workspaceId: string): Promise<Map<string, string>> {
  const rows = await d.select({ id: source.id, name: source.name }).from(source).where(eq(source.workspaceId, workspaceId));
  return new Map(rows.map((r) => [foldName(r.name), r.id]));
}
export const foldName = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** Size of one stored chunk of an uploaded file: a few round trips per megabyte, little memory. */
export const IMPORT_CHUNK_BYTES = 1 << 20;

// Chunks travel as base64 text, decoded and encoded by PostgreSQL: PGlite converts bytea to and
// from hex in JavaScript, about 1 MB/s under load (20 MiB stored in 27 s, read in 12 s); Node's
// base64 and PostgreSQL's decode() are native on both engines.

/** Stores one chunk of an import's file (outside any transaction: a long upload holds no lock). */
export async function writeFileChunk(database: Database, workspaceId: string, importId: string, seq: number, data: Uint8Array): Promise<void> {
  const text = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  await database.query(`INSERT INTO import_file_chunk (workspace_id, import_id, seq, data) VALUES ($1, $2, $3, decode($4, 'base64'))`, [workspaceId, importId, seq, text]);
}

/**
 * The stored file, chunk after chunk in order, one query per chunk: whatever the file's size, one
 * chunk is in memory at a time. Stopping early (a consumer that breaks out) reads no further.
 */
export async function* readFileChunks(database: Database, workspaceId: string, importId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const [row] = await database.query<{ data: string }>(
      `SELECT encode(data, 'base64') AS data FROM import_file_chunk WHERE workspace_id = $1 AND import_id = $2 AND seq = $3`,
      [workspaceId, importId, seq]);
    if (!row) return;
    yield Buffer.from(row.data, 'base64'); // skips the line breaks encode() puts every 76 characters
  }
}

/** Removes an import's stored file; answers the number of chunks removed. */
export async function deleteImportFile(d: Db, workspaceId: string, importId: string): Promise<number> {
  return rowsOf<{ seq: number }>(await d.execute(sql`
    DELETE FROM import_file_chunk WHERE workspace_id = ${workspaceId} AND import_id = ${importId} RETURNING seq`)).length;
}

/**
 * Removes the files nobody will read again: those of imports that are done or rolled back (a
 * crash between the last batch and the removal leaves them), and uploads started before
 * `abandonedBefore` that never became an import (refused, or the instance died mid-upload).
 * Answers the number of files removed.
 */
export async function deleteStaleImportFiles(d: Db, workspaceId: string, abandonedBefore: Date): Promise<number> {
  return rowsOf<{ importId: string }>(await d.execute(sql`
    WITH stale AS (
      SELECT f.import_id FROM import_file_chunk f
        LEFT JOIN import i ON i.workspace_id = f.workspace_id AND i.id = f.import_id
       WHERE f.workspace_id = ${workspaceId} AND f.seq = 0
         AND (i.status IN ('done', 'rolled_back') OR (i.id IS NULL AND f.created_at < ${abandonedBefore.toISOString()}::timestamptz))
    ), gone AS (
      DELETE FROM import_file_chunk f USING stale s WHERE f.workspace_id = ${workspaceId} AND f.import_id = s.import_id RETURNING f.import_id
    )
    SELECT DISTINCT import_id AS "importId" FROM gone`)).length;
}

export type Reject = { rowNumber: number; original: string[]; reasons: { field: string; code: string; message: string }[] };

/** A page of rejected rows in file order (keyset on row number), for the report. */
export async function rejectsPage(d: Db, workspaceId: string, importId: string, afterRow: number, limit: number): Promise<Reject[]> {
  return d.select({ rowNumber: importRow.rowNumber, original: importRow.original, reasons: importRow.reasons }).from(importRow)
    .where(and(eq(importRow.workspaceId, workspaceId), eq(importRow.importId, importId), gt(importRow.rowNumber, afterRow)))
    .orderBy(importRow.rowNumber).limit(limit);
}

export type BatchContext = {
  workspaceId: string;
  importId: string;
  userId: string | null;
  upsertKey: UpsertKey;
  /** International calling code of the default country, to compare national phone digits. */
  callingCode: string | null;
  now: Date;
  /** Where imported leads start; looked up once per run. */
  leadDefaults: { pipelineId: string; stageId: string; probability: number; currency: string } | null;
};

export type BatchCounts = { created: number; updated: number; unchanged: number; duplicates: number; rejected: number; leads: number };

/** The default pipeline's first open stage and the workspace currency, for imported leads. */
export async function leadDefaultsOf(tx: Db, workspaceId: string): Promise<NonNullable<BatchContext['leadDefaults']>> {
  const pipelineId = await defaultPipelineId(tx, workspaceId);
  const st = await firstOpenStage(tx, workspaceId, pipelineId);
  return { pipelineId, stageId: st.id, probability: st.probability, currency: await workspaceCurrency(tx, workspaceId) };
}

type TrailEntry = { entity: 'contact' | 'company' | 'lead'; record_id: string; action: 'created' | 'updated'; row_number: number; before: AnyRow | null; external_id: string | null; changes: AnyRow };

async function recordTrail(tx: Db, ctx: BatchContext, entries: TrailEntry[]): Promise<void> {
  if (!entries.length) return;
  await tx.execute(sql`
    WITH e AS (
      SELECT * FROM jsonb_to_recordset(${json(entries.map((e) => ({ ...e, id: timeOrderedUuid() })))})
        AS e(id uuid, entity text, record_id uuid, action text, row_number integer, before jsonb, external_id text, changes jsonb)
    ), r AS (
      INSERT INTO import_record (workspace_id, id, import_id, entity, record_id, action, row_number, before, external_id)
      SELECT ${ctx.workspaceId}, id, ${ctx.importId}, entity, record_id, action, row_number, before, external_id FROM e
    )
    INSERT INTO audit_event (workspace_id, user_id, entity, entity_id, action, changes)
    SELECT ${ctx.workspaceId}, ${ctx.userId}, entity, record_id, CASE action WHEN 'created' THEN 'create' ELSE 'update' END, changes FROM e`);
}

/**
 * Offers each created row and the contact it is only alike (similar name, same company) on the
 * duplicates review page, as the scan would: a pair with its score, never over a dismissed one.
 */
async function recordSimilar(tx: Db, ctx: BatchContext, pairs: { id: string; similarId: string; similarity: number }[]): Promise<void> {
  const found = pairs.flatMap((p) => {
    const d = scoreDuplicate('contact', { sameEmail: false, samePhone: false, nameSimilarity: p.similarity, sameCompany: true });
    const [a, b] = p.id < p.similarId ? [p.id, p.similarId] : [p.similarId, p.id];
    return isLikelyDuplicate(d) && a !== b ? [{ id: timeOrderedUuid(), a, b, score: d.score, reasons: d.reasons }] : [];
  });
  if (!found.length) return;
  // Time-ordered ids, as for the records: the primary key and the review index (score, id) take a
  // batch's pairs on their right-hand pages instead of one random page per pair.
  await tx.execute(sql`
    INSERT INTO duplicate_pair (workspace_id, id, entity, record_a_id, record_b_id, score, reasons)
    SELECT ${ctx.workspaceId}, x.id, 'contact', x.a, x.b, x.score, ARRAY(SELECT jsonb_array_elements_text(x.reasons))
      FROM jsonb_to_recordset(${json(found)}) AS x(id uuid, a uuid, b uuid, score integer, reasons jsonb)
    ON CONFLICT (workspace_id, entity, record_a_id, record_b_id) DO NOTHING`);
}

/**
 * The columns of a record about to be inserted that its score snapshot reads and the import does not
 * set: what the table's defaults will give it (no custom fields, no activity yet, created now).
 */
const pendingDefaults = sql`'{}'::jsonb AS custom_fields, NULL::timestamptz AS last_activity_at, now() AS created_at,
  0 AS score, NULL::jsonb AS score_explanation`;
const withScore = (row: AnyRow, r: ScoreResult | undefined) => {
  if (r) Object.assign(row, { score: r.score, score_explanation: { lines: r.lines, warnings: r.warnings } });
};
const meta = (ctx: BatchContext, rowNumber: number) => ({ _meta: { importId: ctx.importId, rowNumber } });
/**
 * diffRecord(null, values) for a created row's flat values (strings, dates as text, nulls): the
 * same { field: [null, value] } without its deep comparison, which showed in import profiles.
 */
const createdChanges = (values: AnyRow): AnyRow => {
  const changes: AnyRow = {};
  for (const k in values) if (values[k] !== null && values[k] !== undefined) changes[k] = [null, values[k]];
  return changes;
};

/**
 * Finds or creates the companies named in the batch, accent- and case-insensitively as the capture
 * policy does ("TALLERES EBANO" is "Talleres Ébano"); answers foldName(name) → id. One join on the
 * folded name (company_folded_name_idx, 0033); among several companies with that folded name the one
 * written the same way wins, then the oldest. A name no company has is created as first written.
 */
async function resolveCompanies(tx: Db, ctx: BatchContext, rows: ImportRow[], trail: TrailEntry[]): Promise<Map<string, string>> {
  const firstRow = new Map<string, { name: string; row: number }>();
  for (const r of rows) if (r.companyName && !firstRow.has(foldName(r.companyName))) firstRow.set(foldName(r.companyName), { name: r.companyName, row: r.rowNumber });
  const byName = new Map<string, string>();
  if (!firstRow.size) return byName;
  const wanted = [...firstRow.values()].map((v) => ({ id: timeOrderedUuid(), name: v.name, row: v.row }));
  const res = rowsOf<{ name: string; id: string; created: boolean }>(await tx.execute(sql`
    WITH w AS (SELECT w.*, f_search_text(w.name) AS k FROM jsonb_to_recordset(${json(wanted)}) AS w(id uuid, name text, row integer)),
    existing AS (
      SELECT DISTINCT ON (w.name) w.name, c.id FROM w JOIN company c ON c.workspace_id = ${ctx.workspaceId} AND f_search_text(c.name) = w.k
       ORDER BY w.name, c.name = w.name DESC, c.created_at
    ), ins AS (
      INSERT INTO company (workspace_id, id, name, owner_id)
      SELECT ${ctx.workspaceId}, w.id, w.name, ${ctx.userId} FROM w WHERE w.name NOT IN (SELECT name FROM existing)
      RETURNING id, name
    )
    SELECT name, id, false AS created FROM existing UNION ALL SELECT name, id, true FROM ins`));
  for (const r of res) {
    const k = foldName(r.name);
    byName.set(k, r.id);
    if (r.created) {
      const w = firstRow.get(k)!;
      trail.push({ entity: 'company', record_id: r.id, action: 'created', row_number: w.row, before: null, external_id: null, changes: { ...diffRecord(null, { name: w.name, ownerId: ctx.userId }), ...meta(ctx, w.row) } });
    }
  }
  return byName;
}

type Match = { i: number; id: string; createdHere: boolean } & AnyRow;
/** A contact's block for name + company matching: its folded first surname, or first name without one. */
const blockKey = (a: string) => sql.raw(`f_search_text(coalesce(nullif(${a}.last_name, ''), ${a}.first_name))`);
/** An existing contact whose name is like a row's, in the same company, that the row did not match. */
export type SimilarContact = { i: number; similarId: string; similarity: number };

/**
 * The existing contact of each row, one statement for the batch: by external id (through earlier
 * imports' records), email, phone digits (E.164 or national, as older records may hold them), then
 * by name and company. Which identifier wins follows the key. Each lookup filters first and sorts
 * the few matches after (OFFSET 0 keeps the planner from walking a created_at index in order and
 * filtering every contact for a row that has no match).
 *
 * Name and company: among the company's contacts with the same folded first surname, the
 * IMPORT_NAME_CANDIDATES whose folded names are nearest the row's (contact_company_name_idx, read from
 * both sides of the row's name, so an equal name is always found and the cost per row is bounded),
 * the most similar name (trigram similarity of the accent- and case-folded names, as the duplicate
 * check on create) of at least IMPORT_NAME_SIMILARITY. The row
 * *is* that contact when the folded names are equal and neither email nor phone says otherwise;
 * otherwise it is only alike: the row is created and the pair answered in `similar`, for the
 * duplicates review. A row without a company matches a contact without one by the same name, and
 * only when it has no email or phone.
 */
async function matchContacts(tx: Db, ctx: BatchContext, rows: ImportRow[], companyIds: (string | null)[]): Promise<{ matches: Map<number, Match>; similar: SimilarContact[] }> {
  const input = rows.map((r, i) => {
    const phone = r.contact.phone;
    const p1 = phone?.startsWith('+') ? phone.slice(1) : phone?.replace(/\D/g, '') ?? null;
    const p2 = phone && ctx.callingCode && phone.startsWith(`+${ctx.callingCode}`) ? phone.slice(ctx.callingCode.length + 1) : null;
    const named = !r.contact.email && !phone && !(ctx.upsertKey === 'externalId' && r.externalId);
    const c = r.contact;
    return {
      i, ext: ctx.upsertKey === 'externalId' ? r.externalId : null, email: c.email, p1, p2,
      fn: named ? c.firstName.toLowerCase() : null, ln: named ? c.lastName?.toLowerCase() ?? null : null,
      company_id: companyIds[i] ?? null,
      // The same text as nameExpr.contact and the index's block key, folded by the database.
      name: `${c.firstName} ${c.lastName ?? ''} ${c.secondLastName ?? ''}`, block: c.lastName || c.firstName,
    };
  });
  const phoneFirst = ctx.upsertKey === 'phone';
  const name = nameExpr.contact('c');
  // The row's company and block (contact_company_name_idx's leading columns), for rows no key, email or phone found.
  const sameBlock = sql`x.company_id IS NOT NULL AND e.id IS NULL AND em.id IS NULL AND ph.id IS NULL
    AND c.workspace_id = ${ctx.workspaceId} AND c.company_id = x.company_id AND ${blockKey('c')} = x.k AND c.status = 'active'`;
  // x is materialised: each row's names are folded once, not again in every lookup and comparison.
  const res = rowsOf<Match & { similarId: string | null; similarity: number | null }>(await tx.execute(sql`
    WITH x AS MATERIALIZED (
      SELECT x.*, f_search_text(x.name) AS folded, f_search_text(x.block) AS k
        FROM jsonb_to_recordset(${json(input)}) AS x(i integer, ext text, email text, p1 text, p2 text, fn text, ln text, company_id uuid, name text, block text)),
    m AS (
      SELECT x.i, coalesce(e.id, ${phoneFirst ? sql`ph.id, em.id` : sql`em.id, ph.id`}, nm.id, CASE WHEN sm.same THEN sm.id END) AS id,
             CASE WHEN NOT sm.same THEN sm.id END AS similar_id, sm.s AS similarity FROM x
      LEFT JOIN LATERAL (
        SELECT r.record_id AS id FROM import_record r
          JOIN contact c ON c.workspace_id = r.workspace_id AND c.id = r.record_id
         WHERE x.ext IS NOT NULL AND r.workspace_id = ${ctx.workspaceId} AND r.entity = 'contact' AND r.external_id = x.ext
         LIMIT 1) e ON true
      LEFT JOIN LATERAL (
        SELECT f.id FROM (SELECT c.id, c.created_at FROM contact c
          WHERE x.email IS NOT NULL AND c.workspace_id = ${ctx.workspaceId} AND lower(c.email) = x.email OFFSET 0) f
         ORDER BY f.created_at LIMIT 1) em ON true
      LEFT JOIN LATERAL (
        SELECT f.id FROM (SELECT c.id, c.created_at FROM contact c
          WHERE x.p1 IS NOT NULL AND c.workspace_id = ${ctx.workspaceId} AND c.phone IS NOT NULL
            AND regexp_replace(c.phone, '\\D', '', 'g') IN (x.p1, coalesce(x.p2, x.p1)) OFFSET 0) f
         ORDER BY f.created_at LIMIT 1) ph ON true
      LEFT JOIN LATERAL (
        SELECT f.id FROM (SELECT c.id, c.created_at FROM contact c
          WHERE x.fn IS NOT NULL AND x.company_id IS NULL AND c.workspace_id = ${ctx.workspaceId} AND c.company_id IS NULL
            AND ${blockKey('c')} = x.k AND lower(c.first_name) = x.fn AND lower(coalesce(c.last_name, '')) = coalesce(x.ln, '') OFFSET 0) f
         ORDER BY f.created_at LIMIT 1) nm ON true
      LEFT JOIN LATERAL (
        SELECT f.id, f.s, f.same
          FROM (SELECT g.id, g.created_at, similarity(g.n, x.folded) AS s,
                       CASE WHEN g.n = x.folded
                            THEN (x.email IS NULL OR g.email IS NULL OR lower(g.email) = x.email)
                             AND (x.p1 IS NULL OR g.phone IS NULL OR regexp_replace(g.phone, '\\D', '', 'g') IN (x.p1, coalesce(x.p2, x.p1)))
                            ELSE false END AS same FROM (
                  (SELECT c.id, c.created_at, c.email, c.phone, ${name} AS n FROM contact c
                    WHERE ${sameBlock} AND ${name} >= x.folded ORDER BY ${name} LIMIT ${IMPORT_NAME_CANDIDATES / 2})
                  UNION ALL
                  (SELECT c.id, c.created_at, c.email, c.phone, ${name} AS n FROM contact c
                    WHERE ${sameBlock} AND ${name} < x.folded ORDER BY ${name} DESC LIMIT ${IMPORT_NAME_CANDIDATES / 2})) g
                OFFSET 0) f
         WHERE f.s >= ${IMPORT_NAME_SIMILARITY}
         ORDER BY f.same DESC, f.s DESC, f.created_at LIMIT 1) sm ON true
    )
    SELECT m.i, m.similar_id AS "similarId", m.similarity, c.id, c.first_name AS "firstName", c.last_name AS "lastName",
           c.second_last_name AS "secondLastName", c.job_title AS "jobTitle", c.email, c.phone, c.address, c.postal_code AS "postalCode",
           c.neighbourhood, c.city, c.region, c.country, to_char(c.birth_date, 'YYYY-MM-DD') AS "birthDate", c.company_id AS "companyId",
           -- The matched contact's few import records (import_record_record_idx), then this import's among
           -- them: as an EXISTS on all three the planner hashed, or filtered, every record this import had
           -- created so far, in every batch (quadratic over a large file).
           coalesce((SELECT bool_or(r.import_id = ${ctx.importId} AND r.action = 'created')
                       FROM (SELECT r.import_id, r.action FROM import_record r
                              WHERE r.workspace_id = ${ctx.workspaceId} AND r.record_id = c.id OFFSET 0) r), false) AS "createdHere"
      FROM m LEFT JOIN contact c ON c.workspace_id = ${ctx.workspaceId} AND c.id = m.id
     WHERE m.id IS NOT NULL OR m.similar_id IS NOT NULL`));
  const matches = new Map<number, Match>();
  const similar: SimilarContact[] = [];
  for (const r of res) {
    if (r.id) matches.set(Number(r.i), r);
    else if (r.similarId) similar.push({ i: Number(r.i), similarId: r.similarId, similarity: Number(r.similarity) });
  }
  return { matches, similar };
}

const snake: Record<string, string> = {
  firstName: 'first_name', lastName: 'last_name', secondLastName: 'second_last_name', jobTitle: 'job_title', email: 'email',
  phone: 'phone', address: 'address', postalCode: 'postal_code', neighbourhood: 'neighbourhood', city: 'city', region: 'region',
  country: 'country', birthDate: 'birth_date', companyId: 'company_id',
};
const columnTypes: Record<string, string> = Object.fromEntries(Object.values(snake).map((c) => [c, c === 'birth_date' ? 'date' : c === 'company_id' ? 'uuid' : 'text']));
const toSnake = (o: AnyRow) => Object.fromEntries(Object.entries(o).map(([k, v]) => [snake[k] ?? k, v]));
const contactColumns = sql.raw(`first_name text, last_name text, second_last_name text, job_title text, email text, phone text, address text,
  postal_code text, neighbourhood text, city text, region text, country text, birth_date date, company_id uuid`);

/**
 * Writes one batch of valid rows and the batch's rejects, and moves the checkpoint from `from` to
 * `to`, all in the caller's transaction: either the whole batch and its checkpoint commit, or
 * nothing does. The checkpoint only moves if it still is `from`, so two runners of one import
 * cannot both write a batch.
 */
export async function writeBatch(tx: Db, ctx: BatchContext, good: ImportRow[], rejects: Reject[], from: number, to: number): Promise<BatchCounts> {
  // The batch statements are planned for thousands of rows (and the contact rollup triggers run
  // dynamic SQL), which crosses jit_above_cost: compiling took 0.3 s of a 0.7 s match statement on
  // an idle server and seconds under load, for statements that run in milliseconds. Off for the
  // batch only.
  await tx.execute(sql`SET LOCAL jit = off`);
  const moved = rowsOf<{ id: string }>(await tx.execute(sql`
    UPDATE import SET processed_rows = ${to}, updated_at = now()
     WHERE workspace_id = ${ctx.workspaceId} AND id = ${ctx.importId} AND processed_rows = ${from} AND status = 'running'
    RETURNING id`));
  if (!moved.length) throw new AppError('conflict', 'The import moved on or stopped while this batch was being written.');

  const { rows, duplicates: inBatch } = mergeDuplicates(good, ctx.upsertKey);
  const trail: TrailEntry[] = [];
  const companies = await resolveCompanies(tx, ctx, rows, trail);
  const companyIds = rows.map((r) => (r.companyName ? companies.get(foldName(r.companyName)) ?? null : null));
  const { matches, similar } = rows.length ? await matchContacts(tx, ctx, rows, companyIds) : { matches: new Map<number, Match>(), similar: [] };

  const inserts: AnyRow[] = [];
  const updates: AnyRow[] = [];
  const contactIds: string[] = [];
  const isNew: boolean[] = [];
  let unchanged = 0;
  let duplicates = inBatch;
  rows.forEach((r, i) => {
    const m = matches.get(i);
    const ext = ctx.upsertKey === 'externalId' ? r.externalId : null;
    if (!m) {
      const id = timeOrderedUuid();
      const values = { ...r.contact, companyId: companyIds[i] };
      inserts.push({ id, ...toSnake(values) });
      trail.push({ entity: 'contact', record_id: id, action: 'created', row_number: r.rowNumber, before: null, external_id: ext, changes: { ...createdChanges(values), ...meta(ctx, r.rowNumber) } });
      contactIds.push(id);
      isNew.push(true);
      return;
    }
    contactIds.push(m.id);
    isNew.push(false);
    if (m.createdHere) duplicates++;
    const patch = contactChanges(m, r.contact, companyIds[i] ?? null);
    if (!patch) {
      if (!m.createdHere) unchanged++;
      if (ext) trail.push({ entity: 'contact', record_id: m.id, action: 'updated', row_number: r.rowNumber, before: {}, external_id: ext, changes: meta(ctx, r.rowNumber) });
      return;
    }
    const before = Object.fromEntries(Object.keys(patch).map((k) => [k, m[k] ?? null]));
    updates.push({ id: m.id, ...toSnake(patch) });
    trail.push({ entity: 'contact', record_id: m.id, action: 'updated', row_number: r.rowNumber, before: toSnake(before), external_id: ext, changes: { ...diffRecord(before, patch), ...meta(ctx, r.rowNumber) } });
  });

  // Created records are inserted with their score (as rescore would compute it right after), not
  // scored by an UPDATE after the insert: that UPDATE ran every rollup trigger of the table again.
  const scoredAt = new Date();
  // Read once per batch: a workspace without rules pays this one indexed read.
  const scoring = await loadScoring(tx, ctx.workspaceId);
  if (inserts.length) {
    const scores = await scoresOfPending(tx, ctx.workspaceId, 'contact', inserts.map((x) => x['id'] as string), sql`(
      SELECT x.id, ${ctx.workspaceId}::uuid AS workspace_id, x.company_id, x.postal_code, ${pendingDefaults}
        FROM jsonb_to_recordset(${json(inserts)}) AS x(id uuid, ${contactColumns}))`, scoring, scoredAt);
    for (const x of inserts) withScore(x, scores.get(x['id'] as string));
    await tx.execute(sql`
      INSERT INTO contact (workspace_id, id, first_name, last_name, second_last_name, job_title, email, phone, address,
                           postal_code, neighbourhood, city, region, country, birth_date, company_id, owner_id${scores.size ? sql`, score, score_explanation` : sql``})
      SELECT ${ctx.workspaceId}, x.id, x.first_name, x.last_name, x.second_last_name, x.job_title, x.email, x.phone, x.address,
             x.postal_code, x.neighbourhood, x.city, x.region, x.country, x.birth_date, x.company_id, ${ctx.userId}${scores.size ? sql`, x.score, x.score_explanation` : sql``}
        FROM jsonb_to_recordset(${json(inserts)}) AS x(id uuid, ${contactColumns}, score integer, score_explanation jsonb)`);
  }
  if (updates.length) {
    const set = Object.values(snake).map((col) => `${col} = coalesce(x.${col}, c.${col})`).join(', ');
    await tx.execute(sql`
      UPDATE contact c SET ${sql.raw(set)}, version = c.version + 1, updated_at = now()
        FROM jsonb_to_recordset(${json(updates)}) AS x(id uuid, ${contactColumns})
       WHERE c.workspace_id = ${ctx.workspaceId} AND c.id = x.id`);
  }

  let leads = 0;
  const createdLeadIds: string[] = [];
  if (ctx.leadDefaults) {
    const d = ctx.leadDefaults;
    const wanted = rows.flatMap((r, i) => (r.lead ? [{ id: timeOrderedUuid(), row: r.rowNumber, contact_id: contactIds[i], company_id: companyIds[i], title: r.lead.title, amount: r.lead.amount, source_id: r.lead.sourceId, is_new: isNew[i] }] : []));
    if (wanted.length) {
      const scores = await scoresOfPending(tx, ctx.workspaceId, 'lead', wanted.map((x) => x.id), sql`(
        SELECT x.id, ${ctx.workspaceId}::uuid AS workspace_id, x.contact_id, x.company_id, x.source_id, '{}'::uuid[] AS product_ids, ${pendingDefaults}
          FROM jsonb_to_recordset(${json(wanted)}) AS x(id uuid, contact_id uuid, company_id uuid, source_id uuid))`, scoring, scoredAt);
      for (const x of wanted) withScore(x, scores.get(x.id));
      // The insert writes the list's sort keys itself, in one statement: the lead_fill_sort_keys
      // trigger would set its folding functions up again for every lead (~200 µs a lead, migration 0038).
      // The setting tells the trigger so, for this statement only.
      await tx.execute(sql`SELECT set_config('seguimiento.sort_keys_given', 'on', true)`);
      // One open lead per imported contact: a re-import does not open a second one.
      const created = rowsOf<{ id: string; row: number; title: string; amount: number; sourceId: string | null; contactId: string }>(await tx.execute(sql`
        WITH x AS (SELECT * FROM jsonb_to_recordset(${json(wanted)}) AS x(id uuid, row integer, contact_id uuid, company_id uuid, title text, amount numeric, source_id uuid, is_new boolean, score integer, score_explanation jsonb)),
        ins AS (
          INSERT INTO lead (workspace_id, id, title, contact_id, company_id, pipeline_id, stage_id, probability, amount, currency,
                            source_id, owner_id, next_action_at, next_action_type${scores.size ? sql`, score, score_explanation` : sql``},
                            contact_sort, company_sort, owner_sort, source_sort, stage_sort)
          SELECT ${ctx.workspaceId}, x.id, x.title, x.contact_id, x.company_id, ${d.pipelineId}, ${d.stageId}, ${d.probability}, x.amount, ${d.currency},
                 x.source_id, ${ctx.userId}, ${ctx.now.toISOString()}::timestamptz, 'call'${scores.size ? sql`, x.score, x.score_explanation` : sql``},
                 -- The keys lead_fill_sort_keys (0016) gives, from the same functions. One primary-key
                 -- probe each: the companies this import just created have no statistics yet, and a
                 -- join planned on them compared every lead with every company.
                 coalesce((SELECT f_person_sort(c.first_name, c.last_name, c.second_last_name) FROM contact c WHERE c.workspace_id = ${ctx.workspaceId} AND c.id = x.contact_id), ''),
                 coalesce((SELECT f_search_text(co.name) FROM company co WHERE co.workspace_id = ${ctx.workspaceId} AND co.id = x.company_id), ''),
                 coalesce((SELECT f_search_text(u.name) FROM app_user u WHERE u.workspace_id = ${ctx.workspaceId} AND u.id = ${ctx.userId}), ''),
                 coalesce((SELECT f_search_text(s.name) FROM source s WHERE s.workspace_id = ${ctx.workspaceId} AND s.id = x.source_id), ''),
                 coalesce((SELECT st.position FROM stage st WHERE st.workspace_id = ${ctx.workspaceId} AND st.id = ${d.stageId}), 0)
            FROM x
           WHERE x.is_new OR NOT EXISTS (SELECT 1 FROM lead l WHERE l.workspace_id = ${ctx.workspaceId} AND l.contact_id = x.contact_id AND l.status = 'open')
          RETURNING id
        ), hist AS (
          INSERT INTO lead_stage_history (workspace_id, lead_id, from_stage_id, to_stage_id, user_id, changed_at)
          SELECT ${ctx.workspaceId}, id, NULL, ${d.stageId}, ${ctx.userId}, ${ctx.now.toISOString()}::timestamptz FROM ins
        )
        SELECT x.id, x.row, x.title, x.amount, x.source_id AS "sourceId", x.contact_id AS "contactId" FROM x JOIN ins ON ins.id = x.id`));
      await tx.execute(sql`SELECT set_config('seguimiento.sort_keys_given', 'off', true)`);
      leads = created.length;
      for (const l of created) {
        createdLeadIds.push(l.id);
        trail.push({ entity: 'lead', record_id: l.id, action: 'created', row_number: l.row, before: null, external_id: null,
          changes: { ...diffRecord(null, { title: l.title, amount: Number(l.amount), sourceId: l.sourceId, contactId: l.contactId, stageId: d.stageId, ownerId: ctx.userId }), ...meta(ctx, l.row) } });
      }
    }
  }

  await recordTrail(tx, ctx, trail);
  // What recordAudit does after each write of the API, once for the whole batch: the scores of the
  // contacts the batch changed and of their open leads (created records were inserted scored), then
  // the webhook events (their payload carries the score, as the API's do).
  await rescoreMany(tx, ctx.workspaceId, { leads: [], contacts: updates.map((x) => x['id'] as string) }, scoring, scoredAt);
  await emitWebhookEventsForMany(tx, ctx.workspaceId, createdLeadIds.length ? ['lead.created'] : [], async () => {
    const rows = (await tx.select().from(lead).where(and(eq(lead.workspaceId, ctx.workspaceId), inArray(lead.id, createdLeadIds)))) as AnyRow[];
    return rows.map((row) => {
      stripDerived(row); // left out of webhook payloads, as insertRow leaves them out
      return { entity: 'lead', action: 'create', entityId: row['id'] as string, after: row };
    });
  });
  await recordSimilar(tx, ctx, similar.map((x) => ({ ...x, id: contactIds[x.i]! })));
  if (rejects.length) {
    await tx.execute(sql`
      INSERT INTO import_row (workspace_id, import_id, row_number, original, reasons)
      SELECT ${ctx.workspaceId}, ${ctx.importId}, x.row_number, x.original, x.reasons
        FROM jsonb_to_recordset(${json(rejects.map((r) => ({ row_number: r.rowNumber, original: r.original, reasons: r.reasons })))})
          AS x(row_number integer, original jsonb, reasons jsonb)
      ON CONFLICT (workspace_id, import_id, row_number) DO NOTHING`);
  }
  const counts: BatchCounts = { created: inserts.length, updated: updates.length, unchanged, duplicates, rejected: rejects.length, leads };
  await tx.execute(sql`
    UPDATE import SET created_count = created_count + ${counts.created}, updated_count = updated_count + ${counts.updated},
           unchanged_count = unchanged_count + ${counts.unchanged}, duplicate_count = duplicate_count + ${counts.duplicates},
           rejected_count = rejected_count + ${counts.rejected}, leads_created = leads_created + ${counts.leads}
     WHERE workspace_id = ${ctx.workspaceId} AND id = ${ctx.importId}`);
  return counts;
}

/**
 * Undoes an import in one transaction: deletes the leads, contacts and companies it created (a
 * company only if nothing else uses it now) and puts back the fields it changed on contacts that
 * existed before. Each undone record is audited.
 */
export async function rollbackImportInTx(tx: Db, actor: Actor, imp: ImportRecordRow): Promise<{ deleted: number; restored: number }> {
  const ws = actor.workspaceId;
  const trail = sql`(SELECT record_id, entity FROM import_record WHERE workspace_id = ${ws} AND import_id = ${imp.id} AND action = 'created')`;
  const leads = rowsOf<{ id: string }>(await tx.execute(sql`
    DELETE FROM lead l USING ${trail} r WHERE l.workspace_id = ${ws} AND r.entity = 'lead' AND l.id = r.record_id RETURNING l.id`));
  const contacts = rowsOf<{ id: string }>(await tx.execute(sql`
    DELETE FROM contact c USING ${trail} r WHERE c.workspace_id = ${ws} AND r.entity = 'contact' AND c.id = r.record_id RETURNING c.id`));
  // Pairs offered for review with a contact that no longer exists (no foreign key: see 0010).
  await tx.execute(sql`
    DELETE FROM duplicate_pair p WHERE p.workspace_id = ${ws} AND p.entity = 'contact'
       AND (p.record_a_id IN (SELECT record_id FROM ${trail} r WHERE r.entity = 'contact')
         OR p.record_b_id IN (SELECT record_id FROM ${trail} r WHERE r.entity = 'contact'))`);
  const companies = rowsOf<{ id: string }>(await tx.execute(sql`
    DELETE FROM company co USING ${trail} r WHERE co.workspace_id = ${ws} AND r.entity = 'company' AND co.id = r.record_id
       AND NOT EXISTS (SELECT 1 FROM contact c WHERE c.workspace_id = ${ws} AND c.company_id = co.id)
       AND NOT EXISTS (SELECT 1 FROM lead l WHERE l.workspace_id = ${ws} AND l.company_id = co.id)
    RETURNING co.id`));
  // The first change this import made to a contact holds the values from before the import.
  const restoreSet = Object.entries(columnTypes).map(([col, type]) => `${col} = CASE WHEN f.before ? '${col}' THEN (f.before ->> '${col}')::${type} ELSE c.${col} END`).join(', ');
  const restored = rowsOf<{ id: string; before: AnyRow }>(await tx.execute(sql`
    WITH first AS (
      SELECT DISTINCT ON (record_id) record_id, before FROM import_record
       WHERE workspace_id = ${ws} AND import_id = ${imp.id} AND entity = 'contact' AND action = 'updated' AND before <> '{}'::jsonb
       ORDER BY record_id, row_number
    )
    UPDATE contact c SET ${sql.raw(restoreSet)},
           version = c.version + 1, updated_at = now()
      FROM first f WHERE c.workspace_id = ${ws} AND c.id = f.record_id
    RETURNING c.id, f.before`));
  const audits = [
    ...leads.map((r) => ({ entity: 'lead', id: r.id, action: 'delete', changes: { _meta: { importId: imp.id, rollback: true } } })),
    ...contacts.map((r) => ({ entity: 'contact', id: r.id, action: 'delete', changes: { _meta: { importId: imp.id, rollback: true } } })),
    ...companies.map((r) => ({ entity: 'company', id: r.id, action: 'delete', changes: { _meta: { importId: imp.id, rollback: true } } })),
    ...restored.map((r) => ({ entity: 'contact', id: r.id, action: 'update', changes: { _meta: { importId: imp.id, rollback: true, restored: r.before } } })),
  ];
  if (audits.length) {
    await tx.execute(sql`
      INSERT INTO audit_event (workspace_id, user_id, entity, entity_id, action, changes)
      SELECT ${ws}, ${actor.userId}, a.entity, a.id, a.action, a.changes FROM jsonb_to_recordset(${json(audits)}) AS a(entity text, id uuid, action text, changes jsonb)`);
  }
  await tx.execute(sql`DELETE FROM import_record WHERE workspace_id = ${ws} AND import_id = ${imp.id}`);
  return { deleted: leads.length + contacts.length + companies.length, restored: restored.length };
}

