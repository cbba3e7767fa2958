import { randomUUID } from 'node:crypto';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import {
  assertCanMerge, callingCodeOf, canUndoMerge, COMPANY_SIMILARITY_MIN, isLikelyDuplicate, MERGE_UNDO_DAYS, mergeableFields,
  mergeUndoDeadline, mergeValues, NAME_SIMILARITY_MIN, nameSimilarityFloor, normaliseEmail, orderedPair, phoneDigitVariants, scoreDuplicate,
  type DuplicateEntity, type DuplicateReason, type FieldChoice,
} from '../../domain/duplicates.js';
import { AppError, fieldError, invalid, notFound } from '../../domain/errors.js';
import { recordAudit } from '../audit.js';
import type { Db } from '../client.js';
import { company, contact, duplicateMerge } from '../schema.js';
import { refreshLifecycle } from './profile.js';

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

/** A text[] literal of digit strings (never free text: phoneDigitVariants keeps digits only). */
const textArray = (xs: string[]) => `{${xs.join(',')}}`;
const uuidArray = (ids: string[]) => `{${ids.join(',')}}`;

/**
 * The accent- and case-folded name compared for similarity. Exactly the expressions of the trigram
 * indexes contact_name_trgm_idx and company_name_trgm_idx (0010_duplicates.sql): change both or
 * neither, or the queries stop using the indexes.
 */
export const nameExpr: Record<DuplicateEntity, (alias: string) => SQL> = {
  contact: (a) => sql.raw(`f_search_text(${a}.first_name || ' ' || coalesce(${a}.last_name, '') || ' ' || coalesce(${a}.second_last_name, ''))`),
  company: (a) => sql.raw(`f_search_text(${a}.name)`),
};
/** The stored phone's digits, as indexed by contact_phone_digits_idx / company_phone_digits_idx. */
const phoneDigits = (a: string) => sql.raw(`regexp_replace(${a}.phone, '\\D', '', 'g')`);

export type ContactValues = {
  firstName?: string | null; lastName?: string | null; secondLastName?: string | null;
  email?: string | null; phone?: string | null;
  companyId?: string | null;
  /** The company as typed when there is no companyId yet (capture, import). */
  companyName?: string | null;
};
export type CompanyValues = { name?: string | null; email?: string | null; phone?: string | null };

export type ContactSummary = {
  id: string; firstName: string; lastName: string | null; secondLastName: string | null; email: string | null; phone: string | null;
  city: string | null; companyId: string | null; companyName: string | null; ownerId: string | null;
};
export type CompanySummary = {
  id: string; name: string; email: string | null; phone: string | null; city: string | null; website: string | null; ownerId: string | null;
};
export type DuplicateSummary = ContactSummary | CompanySummary;

export type DuplicateCandidate = { id: string; score: number; reasons: DuplicateReason[]; record: DuplicateSummary };

export type FindOptions = {
  /** For phones typed without a prefix; the workspace's default country when absent. */
  defaultCountry?: string;
  /** Records not to report (the record itself when editing it). */
  excludeIds?: string[];
  /** At most this many candidates, best first (default 10). */
  limit?: number;
};

/** JSON summary of a record for lists and warnings: enough to recognise it, not the whole record. */
export const summarySql: Record<DuplicateEntity, (alias: string) => SQL> = {
  contact: (a) => sql.raw(`json_build_object('id', ${a}.id, 'firstName', ${a}.first_name, 'lastName', ${a}.last_name,
    'secondLastName', ${a}.second_last_name, 'email', ${a}.email, 'phone', ${a}.phone, 'city', ${a}.city,
    'companyId', ${a}.company_id, 'ownerId', ${a}.owner_id,
    'companyName', (SELECT co.name FROM company co WHERE co.workspace_id = ${a}.workspace_id AND co.id = ${a}.company_id))`),
  company: (a) => sql.raw(`json_build_object('id', ${a}.id, 'name', ${a}.name, 'email', ${a}.email, 'phone', ${a}.phone,
    'city', ${a}.city, 'website', ${a}.website, 'ownerId', ${a}.owner_id)`),
};

type SignalRow = { id: string; sameEmail: boolean | null; samePhone: boolean | null; nameSimilarity: number | null; sameCompany: boolean | null; record: DuplicateSummary };

async function defaultCountryOf(tx: Db, workspaceId: string): Promise<string> {
  const rows = rowsOf<{ c: string }>(await tx.execute(sql`SELECT default_country AS c FROM workspace WHERE id = ${workspaceId}`));
  return rows[0]?.c ?? 'ES';
}

/** How many name-alike rows the trigram branch looks at, best first, before scoring. */
const NAME_CANDIDATES = 50;

/**
 * Runs fn with pg_trgm's `%` threshold at `threshold`, then puts the caller's back: the operator only
 * walks the trigram index with its threshold, and a lower one (0.3 by default) lets common names
 * match a large share of the table, which turns the index walk into a full scan.
 */
async function withSimilarityThreshold<T>(tx: Db, threshold: number, fn: () => Promise<T>): Promise<T> {
  const [prev] = rowsOf<{ v: string | null }>(await tx.execute(sql`SELECT current_setting('pg_trgm.similarity_threshold', true) AS v`));
  await tx.execute(sql`SELECT set_config('pg_trgm.similarity_threshold', ${String(threshold)}, true)`);
  const out = await fn();
  await tx.execute(sql`SELECT set_config('pg_trgm.similarity_threshold', ${prev?.v || '0.3'}, true)`);
  return out;
}

/**
 * Likely duplicates of the given values among the workspace's active contacts or companies, best
 * first: same email (case-insensitive), same phone (E.164 or national digits, however the stored
 * one was typed), or a similar name, accent- and case-insensitive (for contacts, stronger within the
 * same company). Each branch walks an index; the scoring is `scoreDuplicate` (src/domain/duplicates.ts).
 * Used on create (POST /capture/check), import and the review page.
 */
export async function findDuplicateCandidates(
  tx: Db, workspaceId: string, entity: DuplicateEntity, values: ContactValues | CompanyValues, opts: FindOptions = {},
): Promise<DuplicateCandidate[]> {
  const country = opts.defaultCountry ?? await defaultCountryOf(tx, workspaceId);
  const query = candidatesSql(workspaceId, entity, values, country, opts.excludeIds ?? []);
  if (!query) return [];
  const rows = await withSimilarityThreshold(tx, NAME_SIMILARITY_MIN, async () => rowsOf<SignalRow>(await tx.execute(query)));
  return rows
    .map((r) => ({ id: r.id, record: r.record, ...scoreDuplicate(entity, signalsOf(r)) }))
    .filter(isLikelyDuplicate)
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, opts.limit ?? 10);
}

/** The statement behind findDuplicateCandidates (exported for bench/duplicates.ts to EXPLAIN); null when there is nothing to compare. */
export function candidatesSql(
  workspaceId: string, entity: DuplicateEntity, values: ContactValues | CompanyValues, country: string, excludeIds: string[],
): SQL | null {
  const email = normaliseEmail(values.email);
  const phones = phoneDigitVariants(values.phone, country);
  const cv = values as ContactValues;
  const name = entity === 'contact'
    ? [cv.firstName, cv.lastName, cv.secondLastName].map((s) => s?.trim()).filter(Boolean).join(' ')
    : ((values as CompanyValues).name ?? '').trim();
  if (!email && phones.length === 0 && !name) return null;
  const table = sql.identifier(entity);
  const n = nameExpr[entity]('t');
  const nameParam = name || null;
  const companyName = cv.companyName?.trim() || null;
  const sameCompany = entity === 'contact'
    ? sql`(c.company_id = ${cv.companyId ?? null}::uuid OR (${companyName}::text IS NOT NULL AND EXISTS (
          SELECT 1 FROM company co WHERE co.workspace_id = c.workspace_id AND co.id = c.company_id
             AND similarity(f_search_text(co.name), f_search_text(${companyName}::text)) >= ${COMPANY_SIMILARITY_MIN})))`
    : sql`false`;
  // Each branch returns whole rows, so the candidates need no second lookup by id; DISTINCT ON
  // folds a record found by several branches into one.
  return sql`
    SELECT DISTINCT ON (c.id) c.id,
           lower(c.email) = ${email}::text AS "sameEmail",
           ${phoneDigits('c')} = ANY(${textArray(phones)}::text[]) AS "samePhone",
           similarity(${nameExpr[entity]('c')}, f_search_text(${nameParam}::text)) AS "nameSimilarity",
           ${sameCompany} AS "sameCompany",
           ${summarySql[entity]('c')} AS record
      FROM (
        SELECT t.* FROM ${table} t WHERE t.workspace_id = ${workspaceId} AND lower(t.email) = ${email}::text
        UNION ALL
        SELECT t.* FROM ${table} t WHERE t.workspace_id = ${workspaceId} AND t.phone IS NOT NULL
           AND ${phoneDigits('t')} = ANY(${textArray(phones)}::text[])
        UNION ALL
        (SELECT t.* FROM ${table} t WHERE t.workspace_id = ${workspaceId} AND ${n} % f_search_text(${nameParam}::text)
          ORDER BY similarity(${n}, f_search_text(${nameParam}::text)) DESC LIMIT ${NAME_CANDIDATES})
      ) c
     WHERE c.status = 'active' AND NOT (c.id = ANY(${uuidArray(excludeIds)}::uuid[]))
     ORDER BY c.id`;
}

const signalsOf = (r: Omit<SignalRow, 'id' | 'record'>) => ({
  sameEmail: r.sameEmail === true,
  samePhone: r.samePhone === true,
  nameSimilarity: Number(r.nameSimilarity ?? 0),
  sameCompany: r.sameCompany === true,
});


// ---------------------------------------------------------------------------------------------
// Review: candidate pairs of the whole workspace.

export type ScanResult = { pairs: number };
/** Candidate pairs scored and stored per round trip of a scan. */
const SCAN_PAGE = 5000;

/**
 * Finds every likely duplicate pair among the workspace's active contacts or companies and stores
 * them in duplicate_pair with their score, in the caller's transaction. A pair already there gets
 * its new score; a dismissed pair stays dismissed; an open pair no longer alike is removed. Email and
 * phone are index joins; names are compared within blocks (blockKeys), so the cost grows with the
 * pairs found and the block sizes rather than with the square of the records.
 */
export async function scanDuplicatePairs(tx: Db, workspaceId: string, entity: DuplicateEntity): Promise<ScanResult> {
  const country = await defaultCountryOf(tx, workspaceId);
  const cc = callingCodeOf(country) ?? '';
  // Through a cursor, a page at a time: a large workspace can hold more pairs than one process should keep.
  await tx.execute(sql`DECLARE duplicate_scan NO SCROLL CURSOR FOR ${scanPairsSql(workspaceId, entity, cc)}`);
  let pairs = 0;
  for (;;) {
    const rows = rowsOf<SignalRow & { a: string; b: string }>(await tx.execute(sql`FETCH ${sql.raw(String(SCAN_PAGE))} FROM duplicate_scan`));
    const found = rows.map((r) => ({ a: r.a, b: r.b, ...scoreDuplicate(entity, signalsOf(r)) })).filter(isLikelyDuplicate);
    pairs += found.length;
    if (found.length) {
      // Arrays travel as literals: drizzle would expand a JS array into a parameter list.
      const reasons = `{${found.map((f) => `"${f.reasons.join(',')}"`).join(',')}}`;
      await tx.execute(sql`
        INSERT INTO duplicate_pair (workspace_id, entity, record_a_id, record_b_id, score, reasons, detected_at)
        SELECT ${workspaceId}, ${entity}, x.a, x.b, x.s, string_to_array(x.r, ','), now()
          FROM unnest(${uuidArray(found.map((f) => f.a))}::uuid[], ${uuidArray(found.map((f) => f.b))}::uuid[],
                      ${`{${found.map((f) => f.score).join(',')}}`}::int[], ${reasons}::text[]) AS x(a, b, s, r)
        ON CONFLICT (workspace_id, entity, record_a_id, record_b_id)
        DO UPDATE SET score = EXCLUDED.score, reasons = EXCLUDED.reasons, detected_at = EXCLUDED.detected_at`);
    }
    if (rows.length < SCAN_PAGE) break;
  }
  await tx.execute(sql`CLOSE duplicate_scan`);
  // now() is the transaction's start: every pair written above has exactly it.
  await tx.execute(sql`
    DELETE FROM duplicate_pair WHERE workspace_id = ${workspaceId} AND entity = ${entity} AND dismissed_at IS NULL AND detected_at < now()`);
  return { pairs };
}

/**
 * Names are compared within blocks, not all against all, and only as far as a name can make a pair
 * likely (nameSimilarityFloor): contacts of the same company at the name threshold; a name alone
 * only when nearly identical. Blocks, each a pass of its own so a typo in one key is caught by
 * another: contacts by first surname + first-name initial + second-surname initial ("garcia jl"),
 * by first name + second surname + first-surname initial ("jose lopez g", a typo inside the first
 * surname), and by company;
 * companies by their name's first word. A typo in every key at once escapes the scan; the check on
 * create (findDuplicateCandidates, trigram index) still catches it.
 */
const blockKeys: Record<DuplicateEntity, (alias: string) => SQL> = {
  contact: (a) => sql.raw(`f_search_text(coalesce(nullif(${a}.last_name, ''), ${a}.first_name)) || ' ' || left(f_search_text(${a}.first_name), 1)
         || left(f_search_text(coalesce(${a}.second_last_name, '')), 1) AS k1,
       CASE WHEN nullif(${a}.second_last_name, '') IS NOT NULL
            THEN f_search_text(${a}.first_name) || ' ' || f_search_text(${a}.second_last_name) || ' ' || left(f_search_text(${a}.last_name), 1) END AS k2,
       ${a}.company_id AS co`),
  company: (a) => sql.raw(`split_part(f_search_text(${a}.name), ' ', 1) AS k1, NULL::text AS k2, NULL::uuid AS co`),
};
/**
 * At most this many name-only partners per record, the most alike first: a name shared by hundreds of
 * records ("José García López") would otherwise give hundreds² pairs nobody can review.
 */
const NAME_PARTNERS_MAX = 20;

/** The statement behind scanDuplicatePairs (exported for bench/duplicates.ts to EXPLAIN). `cc` is the workspace country's calling code. */
export function scanPairsSql(workspaceId: string, entity: DuplicateEntity, cc: string): SQL {
  const table = sql.identifier(entity);
  const nA = nameExpr[entity]('a');
  const nB = nameExpr[entity]('b');
  const dA = phoneDigits('a');
  const dB = phoneDigits('b');
  const sameCompany = entity === 'contact' ? sql`a.company_id = b.company_id` : sql`false`;
  const alone = nameSimilarityFloor(entity, false);
  const inCompany = nameSimilarityFloor(entity, true);
  return sql`
    WITH names AS MATERIALIZED (
      SELECT t.id, ${nameExpr[entity]('t')} AS n, ${blockKeys[entity]('t')} FROM ${table} t
       WHERE t.workspace_id = ${workspaceId} AND t.status = 'active'
    ),
    name_pairs AS (
      SELECT a.id AS a, b.id AS b, similarity(a.n, b.n) AS s FROM names a JOIN names b ON b.k1 = a.k1 AND b.id > a.id
       WHERE similarity(a.n, b.n) >= ${alone}
      UNION
      SELECT a.id, b.id, similarity(a.n, b.n) FROM names a JOIN names b ON b.k2 = a.k2 AND b.id > a.id
       WHERE similarity(a.n, b.n) >= ${alone}
      UNION
      SELECT a.id, b.id, similarity(a.n, b.n) FROM names a JOIN names b ON b.co = a.co AND b.id > a.id
       WHERE similarity(a.n, b.n) >= ${inCompany}
    ),
    pairs AS (
      SELECT a.id AS a, b.id AS b FROM ${table} a
        JOIN ${table} b ON b.workspace_id = a.workspace_id AND lower(b.email) = lower(a.email) AND b.id > a.id AND b.status = 'active'
       WHERE a.workspace_id = ${workspaceId} AND a.email IS NOT NULL AND a.status = 'active'
      UNION
      SELECT a.id, b.id FROM ${table} a
        JOIN ${table} b ON b.workspace_id = a.workspace_id AND b.phone IS NOT NULL AND ${dB} = ${dA} AND b.id > a.id AND b.status = 'active'
       WHERE a.workspace_id = ${workspaceId} AND a.phone IS NOT NULL AND a.status = 'active' AND length(${dA}) >= 6
      UNION
      -- One typed nationally ("600…"), the other internationally ("34600…").
      SELECT least(a.id, b.id), greatest(a.id, b.id) FROM ${table} a
        JOIN ${table} b ON b.workspace_id = a.workspace_id AND b.phone IS NOT NULL AND ${dB} = ${cc}::text || ${dA} AND b.status = 'active'
       WHERE a.workspace_id = ${workspaceId} AND a.phone IS NOT NULL AND a.status = 'active' AND length(${dA}) >= 6 AND ${cc}::text <> ''
      UNION
      SELECT x.a, x.b FROM (SELECT p.a, p.b, row_number() OVER (PARTITION BY p.a ORDER BY p.s DESC, p.b) AS rank FROM name_pairs p) x
       WHERE x.rank <= ${NAME_PARTNERS_MAX}
    )
    SELECT p.a, p.b,
           coalesce(lower(a.email) = lower(b.email), false) AS "sameEmail",
           coalesce(${dA} = ${dB} OR ${dB} = ${cc}::text || ${dA} OR ${dA} = ${cc}::text || ${dB}, false) AS "samePhone",
           similarity(${nA}, ${nB}) AS "nameSimilarity",
           coalesce(${sameCompany}, false) AS "sameCompany"
      FROM pairs p
      JOIN ${table} a ON a.workspace_id = ${workspaceId} AND a.id = p.a
      JOIN ${table} b ON b.workspace_id = ${workspaceId} AND b.id = p.b`;
}

export type DuplicatePairView = {
  id: string; entity: DuplicateEntity; score: number; reasons: DuplicateReason[]; detectedAt: Date;
  a: DuplicateSummary; b: DuplicateSummary;
};

const encodeCursor = (v: unknown[]) => Buffer.from(JSON.stringify(v)).toString('base64url');
function decodeCursor(c: string): unknown[] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v)) return v;
  } catch { /* fall through */ }
  throw fieldError('cursor', 'invalid_cursor', 'The cursor is not one this API returned.');
}
const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Open (not dismissed) pairs of two active records, best score first, keyset-paged on (score, id). */
export async function listDuplicatePairs(
  tx: Db, workspaceId: string, entity: DuplicateEntity, params: { cursor?: string | undefined; limit: number },
): Promise<{ data: DuplicatePairView[]; nextCursor: string | null }> {
  let after = sql``;
  if (params.cursor) {
    const [score, id] = decodeCursor(params.cursor);
    if (typeof score !== 'number' || typeof id !== 'string' || !uuidRe.test(id)) throw fieldError('cursor', 'invalid_cursor', 'The cursor is not one this API returned.');
    after = sql`AND (p.score, p.id) < (${score}::int, ${id}::uuid)`;
  }
  const table = sql.identifier(entity);
  const rows = rowsOf<DuplicatePairView>(await tx.execute(sql`
    SELECT p.id, p.entity, p.score, p.reasons, p.detected_at AS "detectedAt", ${summarySql[entity]('a')} AS a, ${summarySql[entity]('b')} AS b
      FROM duplicate_pair p
      JOIN ${table} a ON a.workspace_id = p.workspace_id AND a.id = p.record_a_id AND a.status = 'active'
      JOIN ${table} b ON b.workspace_id = p.workspace_id AND b.id = p.record_b_id AND b.status = 'active'
     WHERE p.workspace_id = ${workspaceId} AND p.entity = ${entity} AND p.dismissed_at IS NULL ${after}
     ORDER BY p.score DESC, p.id DESC
     LIMIT ${params.limit + 1}`));
  const more = rows.length > params.limit;
  const data = more ? rows.slice(0, params.limit) : rows;
  const last = data.at(-1);
  return { data, nextCursor: more && last ? encodeCursor([last.score, last.id]) : null };
}

/** Marks a pair "not a duplicate"; the scan keeps the row, so the pair is never offered again. */
export async function dismissDuplicatePair(tx: Db, actor: Actor, pairId: string, now: Date): Promise<void> {
  const rows = rowsOf<{ id: string; entity: string; a: string; b: string; dismissedAt: Date | null }>(await tx.execute(sql`
    SELECT id, entity, record_a_id AS a, record_b_id AS b, dismissed_at AS "dismissedAt" FROM duplicate_pair
     WHERE workspace_id = ${actor.workspaceId} AND id = ${pairId} FOR UPDATE`));
  const pair = rows[0];
  if (!pair) throw notFound('duplicatePair');
  if (pair.dismissedAt) return;
  await tx.execute(sql`
    UPDATE duplicate_pair SET dismissed_at = ${now.toISOString()}::timestamptz, dismissed_by = ${actor.userId}
     WHERE workspace_id = ${actor.workspaceId} AND id = ${pairId}`);
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity: 'duplicatePair', entityId: pairId, action: 'dismiss',
    meta: { entity: pair.entity, recordIds: [pair.a, pair.b] },
  });
}

// ---------------------------------------------------------------------------------------------
// Merge and undo.

/**
 * Every column that points at a contact or a company, and so moves to the kept record on a merge.
 * test/duplicates.test.ts compares this list with the foreign keys the migrations create: a new
 * table pointing at contacts or companies fails that test until it is added here (or the merge is
 * taught otherwise what to do with it).
 */
export const mergeReferences: Record<DuplicateEntity, readonly { table: string; column: string }[]> = {
  contact: [
    { table: 'lead', column: 'contact_id' },
    { table: 'activity', column: 'contact_id' },
    { table: 'sale', column: 'contact_id' },
    { table: 'feedback', column: 'contact_id' },
    { table: 'follow_up', column: 'contact_id' },
    { table: 'complaint', column: 'contact_id' },
    { table: 'satisfaction_request', column: 'contact_id' },
    { table: 'form_submission', column: 'contact_id' },
  ],
  company: [
    { table: 'contact', column: 'company_id' },
    { table: 'lead', column: 'company_id' },
    { table: 'activity', column: 'company_id' },
    { table: 'sale', column: 'company_id' },
  ],
};
/**
 * Tables that reference a contact or company but hold figures derived from rows the merge moves:
 * their triggers recompute them for both records when those rows move, so the merge leaves them alone.
 */
export const derivedReferences: Record<DuplicateEntity, readonly { table: string; column: string }[]> = {
  contact: [{ table: 'contact_sale_stats', column: 'contact_id' }],
  company: [],
};
/** The audit trail is keyed by (entity, entity_id) without a foreign key; it moves too. */
const AUDIT_KEY = 'audit_event.entity_id';

const tableOf = { contact, company } as const;
type AnyRow = Record<string, unknown>;

export type MergeInput = { entity: DuplicateEntity; keepId: string; mergeId: string; fieldChoices?: Partial<Record<string, FieldChoice>> };
export type MergeSnapshot = { keep: AnyRow; merged: AnyRow; changes: AnyRow };

async function lockRecord(tx: Db, workspaceId: string, entity: DuplicateEntity, id: string, field: string): Promise<AnyRow> {
  const t = tableOf[entity];
  const rows = (await tx.select().from(t).where(and(eq(t.workspaceId, workspaceId), eq(t.id, id))).for('update')) as AnyRow[];
  const row = rows[0];
  if (!row) throw invalid([{ field, code: 'not_found', message: `No such ${entity} in this workspace (${id}).` }]);
  delete row['searchText'];
  for (const k of Object.keys(row)) if (k.endsWith('Sort')) delete row[k];
  return row;
}

const jsonEq = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
/** Values read back from the snapshot (JSON) in the column's type. */
const fromJson = (field: string, v: unknown) => (field === 'lastActivityAt' && typeof v === 'string' ? new Date(v) : v);

/**
 * Merges `mergeId` into `keepId` in the caller's transaction: every row pointing at the merged record
 * (and its audit trail) now points at the kept one; the kept record takes the chosen values; the
 * merged record is cancelled with reason `merged` (hidden, not deleted) and a snapshot of both is kept
 * for 30 days so `undoMerge` can restore them and move back exactly what moved. Audited on both
 * records. Answers the merge id.
 */
export async function mergeRecords(tx: Db, actor: Actor, input: MergeInput, now: Date): Promise<string> {
  const { entity, keepId, mergeId } = input;
  if (keepId === mergeId) throw fieldError('mergeId', 'same_record', 'A record cannot be merged with itself.');
  for (const field of Object.keys(input.fieldChoices ?? {})) {
    if (!mergeableFields[entity].includes(field)) throw fieldError(`fieldChoices.${field}`, 'unknown_field', `${field} is not a field a ${entity} merge can choose.`);
  }
  // Lock in id order so two merges of the same pair, in opposite directions, cannot deadlock.
  const [first, second] = orderedPair(keepId, mergeId);
  const locked = new Map<string, AnyRow>();
  locked.set(first, await lockRecord(tx, actor.workspaceId, entity, first, first === keepId ? 'keepId' : 'mergeId'));
  locked.set(second, await lockRecord(tx, actor.workspaceId, entity, second, second === keepId ? 'keepId' : 'mergeId'));
  const keep = locked.get(keepId)!;
  const merged = locked.get(mergeId)!;
  assertCanMerge(actor, keep['ownerId'] as string | null, merged['ownerId'] as string | null);
  for (const [field, row] of [['keepId', keep], ['mergeId', merged]] as const) {
    if (row['status'] !== 'active') throw fieldError(field, 'not_active', `The ${entity} is cancelled or already merged; restore it first.`);
  }

  const changes = mergeValues(entity, keep, merged, input.fieldChoices);
  if (entity === 'contact') {
    const k = keep['lastActivityAt'] as Date | null;
    const m = merged['lastActivityAt'] as Date | null;
    if (m && (!k || m.getTime() > k.getTime())) changes['lastActivityAt'] = m;
  }

  const moved: Record<string, string[]> = {};
  for (const ref of mergeReferences[entity]) {
    const ids = rowsOf<{ id: string }>(await tx.execute(sql`
      UPDATE ${sql.identifier(ref.table)} SET ${sql.identifier(ref.column)} = ${keepId}
       WHERE workspace_id = ${actor.workspaceId} AND ${sql.identifier(ref.column)} = ${mergeId} RETURNING id`)).map((r) => String(r.id));
    if (ids.length) moved[`${ref.table}.${ref.column}`] = ids;
  }
  // Before this merge's own audit events are written, so those stay on the record they describe.
  const audits = rowsOf<{ id: string }>(await tx.execute(sql`
    UPDATE audit_event SET entity_id = ${keepId}
     WHERE workspace_id = ${actor.workspaceId} AND entity = ${entity} AND entity_id = ${mergeId} RETURNING id::text AS id`)).map((r) => r.id);
  if (audits.length) moved[AUDIT_KEY] = audits;

  const t = tableOf[entity];
  const snapshot: MergeSnapshot = { keep, merged, changes };
  const [m] = await tx.insert(duplicateMerge).values({
    workspaceId: actor.workspaceId, entity, keepId, mergedId: mergeId, snapshot, moved, mergedBy: actor.userId, mergedAt: now,
  }).returning({ id: duplicateMerge.id });
  const mergeRecordId = m!.id;
  const [after] = (await tx.update(t).set({ ...changes, version: sql`${t.version} + 1`, updatedAt: now } as never)
    .where(and(eq(t.workspaceId, actor.workspaceId), eq(t.id, keepId))).returning()) as AnyRow[];
  await tx.update(t).set({ status: 'cancelled', cancelReason: 'merged', cancelledAt: now, version: sql`${t.version} + 1`, updatedAt: now } as never)
    .where(and(eq(t.workspaceId, actor.workspaceId), eq(t.id, mergeId)));
  const counts = Object.fromEntries(Object.entries(moved).map(([k, v]) => [k, v.length]));
  const pick = (row: AnyRow | undefined) => Object.fromEntries(Object.keys(changes).map((f) => [f, row?.[f] ?? null]));
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity, entityId: keepId, action: 'merge',
    before: pick(keep), after: pick(after), meta: { mergeId: mergeRecordId, mergedId: mergeId, moved: counts },
  });
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity, entityId: mergeId, action: 'merged_into',
    before: { status: 'active' }, after: { status: 'cancelled', cancelReason: 'merged' }, meta: { mergeId: mergeRecordId, keepId },
  });
  // The kept contact now has the merged one's sales and leads: its lifecycle follows (docs/profile.md).
  if (entity === 'contact') await refreshLifecycle(tx, actor, [keepId], now);
  return mergeRecordId;
}

type MergeRow = {
  id: string; entity: DuplicateEntity; keepId: string; mergedId: string; snapshot: MergeSnapshot; moved: Record<string, string[]>;
  mergedBy: string | null; mergedAt: Date; undoneAt: Date | null; purgedAt: Date | null;
};

async function lockMerge(tx: Db, workspaceId: string, id: string): Promise<MergeRow> {
  const rows = (await tx.select().from(duplicateMerge)
    .where(and(eq(duplicateMerge.workspaceId, workspaceId), eq(duplicateMerge.id, id))).for('update')) as unknown as MergeRow[];
  if (!rows[0]) throw notFound('duplicateMerge');
  return rows[0];
}

const knownMovedKeys = (entity: DuplicateEntity) => new Set([...mergeReferences[entity].map((r) => `${r.table}.${r.column}`), AUDIT_KEY]);

/**
 * Undoes a merge within 30 days: moves back exactly the rows that moved (those still pointing at
 * the kept record), restores the kept record's fields the merge changed (unless edited since) and
 * brings the merged record back. Audited on both records.
 */
export async function undoMerge(tx: Db, actor: Actor, id: string, now: Date): Promise<MergeRow> {
  const m = await lockMerge(tx, actor.workspaceId, id);
  if (!canUndoMerge(m, now)) {
    const why = m.undoneAt ? 'already undone' : `past the ${MERGE_UNDO_DAYS}-day undo period`;
    throw new AppError('conflict', `This merge can no longer be undone (${why}).`, [
      { field: 'id', code: m.undoneAt ? 'already_undone' : 'undo_expired', message: `The merge is ${why}.` },
    ]);
  }
  const entity = m.entity;
  const keep = await lockRecord(tx, actor.workspaceId, entity, m.keepId, 'keepId');
  const merged = await lockRecord(tx, actor.workspaceId, entity, m.mergedId, 'mergedId');
  assertCanMerge(actor, keep['ownerId'] as string | null, merged['ownerId'] as string | null);

  const allowed = knownMovedKeys(entity);
  for (const [key, ids] of Object.entries(m.moved)) {
    if (!allowed.has(key) || ids.length === 0) continue;
    if (key === AUDIT_KEY) {
      await tx.execute(sql`
        UPDATE audit_event SET entity_id = ${m.mergedId}
         WHERE workspace_id = ${actor.workspaceId} AND entity_id = ${m.keepId} AND id = ANY(${`{${ids.join(',')}}`}::bigint[])`);
      continue;
    }
    const [table, column] = key.split('.') as [string, string];
    await tx.execute(sql`
      UPDATE ${sql.identifier(table)} SET ${sql.identifier(column)} = ${m.mergedId}
       WHERE workspace_id = ${actor.workspaceId} AND ${sql.identifier(column)} = ${m.keepId} AND id = ANY(${uuidArray(ids)}::uuid[])`);
  }

  const restore: AnyRow = {};
  for (const [field, value] of Object.entries(m.snapshot.changes)) {
    if (jsonEq(keep[field], value)) restore[field] = fromJson(field, m.snapshot.keep[field]);
  }
  const t = tableOf[entity];
  const [after] = (await tx.update(t).set({ ...restore, version: sql`${t.version} + 1`, updatedAt: now } as never)
    .where(and(eq(t.workspaceId, actor.workspaceId), eq(t.id, m.keepId))).returning()) as AnyRow[];
  await tx.update(t).set({ status: 'active', cancelReason: null, cancelledAt: null, version: sql`${t.version} + 1`, updatedAt: now } as never)
    .where(and(eq(t.workspaceId, actor.workspaceId), eq(t.id, m.mergedId)));
  await tx.update(duplicateMerge).set({ undoneAt: now, undoneBy: actor.userId })
    .where(and(eq(duplicateMerge.workspaceId, actor.workspaceId), eq(duplicateMerge.id, id)));
  const pick = (row: AnyRow | undefined) => Object.fromEntries(Object.keys(restore).map((f) => [f, row?.[f] ?? null]));
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity, entityId: m.keepId, action: 'unmerge',
    before: pick(keep), after: pick(after), meta: { mergeId: id, mergedId: m.mergedId },
  });
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity, entityId: m.mergedId, action: 'unmerge',
    before: { status: 'cancelled' }, after: { status: 'active' }, meta: { mergeId: id, keepId: m.keepId },
  });
  if (entity === 'contact') await refreshLifecycle(tx, actor, [m.keepId, m.mergedId], now);
  return { ...m, undoneAt: now };
}

export type MergeView = {
  id: string; entity: DuplicateEntity; keepId: string; mergedId: string; keep: DuplicateSummary | null; merged: AnyRow;
  mergedBy: string | null; mergedByName: string | null; mergedAt: Date; undoneAt: Date | null; undoDeadline: Date; canUndo: boolean;
};

/** Recent merges of one kind, newest first, with what is needed to recognise them and whether undo is still possible. */
export async function listMerges(
  tx: Db, workspaceId: string, entity: DuplicateEntity, params: { cursor?: string | undefined; limit: number; id?: string }, now: Date,
): Promise<{ data: MergeView[]; nextCursor: string | null }> {
  let after = params.id ? sql`AND m.id = ${params.id}` : sql``;
  if (params.cursor) {
    const [at, id] = decodeCursor(params.cursor);
    if (typeof at !== 'string' || Number.isNaN(Date.parse(at)) || typeof id !== 'string' || !uuidRe.test(id)) {
      throw fieldError('cursor', 'invalid_cursor', 'The cursor is not one this API returned.');
    }
    after = sql`${after} AND (m.merged_at, m.id) < (${at}::timestamptz, ${id}::uuid)`;
  }
  const table = sql.identifier(entity);
  const rows = rowsOf<Omit<MergeView, 'undoDeadline' | 'canUndo'> & { purgedAt: Date | null; cursorAt: string }>(await tx.execute(sql`
    SELECT m.id, m.entity, m.keep_id AS "keepId", m.merged_id AS "mergedId", m.merged_by AS "mergedBy", u.name AS "mergedByName",
           m.merged_at AS "mergedAt", m.undone_at AS "undoneAt", m.purged_at AS "purgedAt",
           to_char(m.merged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "cursorAt",
           (SELECT ${summarySql[entity]('k')} FROM ${table} k WHERE k.workspace_id = m.workspace_id AND k.id = m.keep_id) AS keep,
           coalesce(m.snapshot -> 'merged', '{}') AS merged
      FROM duplicate_merge m
      LEFT JOIN app_user u ON u.workspace_id = m.workspace_id AND u.id = m.merged_by
     WHERE m.workspace_id = ${workspaceId} AND m.entity = ${entity} ${after}
     ORDER BY m.merged_at DESC, m.id DESC
     LIMIT ${params.limit + 1}`));
  const more = rows.length > params.limit;
  const page = more ? rows.slice(0, params.limit) : rows;
  const last = page.at(-1);
  const data = page.map(({ cursorAt: _c, purgedAt, ...r }) => {
    const mergedAt = new Date(r.mergedAt);
    const undoneAt = r.undoneAt ? new Date(r.undoneAt) : null;
    return { ...r, mergedAt, undoneAt, undoDeadline: mergeUndoDeadline(mergedAt), canUndo: canUndoMerge({ mergedAt, undoneAt, purgedAt }, now) };
  });
  return { data, nextCursor: more && last ? encodeCursor([last.cursorAt, last.id]) : null };
}

/**
 * After the undo period, deletes merged records for good (up to `limit` merges, in the caller's
 * transaction): anything linked to the merged record since the merge moves to the kept one first,
 * the snapshot is emptied of personal data, and the purge is audited. A merged record restored by
 * hand since (no longer cancelled as merged) is left alone.
 */
export async function purgeExpiredMerges(tx: Db, workspaceId: string, now: Date, limit: number): Promise<number> {
  const cutoff = new Date(now.getTime() - MERGE_UNDO_DAYS * 86_400_000);
  const due = rowsOf<{ id: string; entity: DuplicateEntity; keepId: string; mergedId: string }>(await tx.execute(sql`
    SELECT id, entity, keep_id AS "keepId", merged_id AS "mergedId" FROM duplicate_merge
     WHERE workspace_id = ${workspaceId} AND undone_at IS NULL AND purged_at IS NULL AND merged_at < ${cutoff.toISOString()}::timestamptz
     ORDER BY merged_at, id LIMIT ${limit} FOR UPDATE SKIP LOCKED`));
  for (const m of due) {
    const table = sql.identifier(m.entity);
    const stillMerged = rowsOf<{ id: string }>(await tx.execute(sql`
      SELECT id FROM ${table} WHERE workspace_id = ${workspaceId} AND id = ${m.mergedId} AND status = 'cancelled' AND cancel_reason = 'merged' FOR UPDATE`));
    if (stillMerged.length) {
      for (const ref of mergeReferences[m.entity]) {
        await tx.execute(sql`
          UPDATE ${sql.identifier(ref.table)} SET ${sql.identifier(ref.column)} = ${m.keepId}
           WHERE workspace_id = ${workspaceId} AND ${sql.identifier(ref.column)} = ${m.mergedId}`);
      }
      await tx.execute(sql`DELETE FROM ${table} WHERE workspace_id = ${workspaceId} AND id = ${m.mergedId}`);
      await tx.execute(sql`
        DELETE FROM duplicate_pair WHERE workspace_id = ${workspaceId} AND ${m.mergedId}::uuid IN (record_a_id, record_b_id)`);
      await recordAudit(tx, {
        workspaceId, userId: null, entity: m.entity, entityId: m.mergedId, action: 'purge',
        meta: { reason: 'merged', mergeId: m.id, keepId: m.keepId, purgedAt: now.toISOString() },
      });
    }
    await tx.execute(sql`
      UPDATE duplicate_merge SET purged_at = ${now.toISOString()}::timestamptz, snapshot = '{}', moved = '{}'
       WHERE workspace_id = ${workspaceId} AND id = ${m.id}`);
  }
  return due.length;
}

/**
 * For privacy erasure: empties the snapshots of every merge that involved the record, so no copy of
 * its personal data outlives it here (the merge can then no longer be undone). Answers how many.
 */
export async function forgetMergeSnapshots(tx: Db, workspaceId: string, entity: DuplicateEntity, id: string, now: Date): Promise<number> {
  const rows = rowsOf<{ id: string }>(await tx.execute(sql`
    UPDATE duplicate_merge SET snapshot = '{}', moved = '{}', purged_at = coalesce(purged_at, ${now.toISOString()}::timestamptz)
     WHERE workspace_id = ${workspaceId} AND entity = ${entity} AND ${id}::uuid IN (keep_id, merged_id) RETURNING id`));
  return rows.length;
}

/**
 * "Scan now" and the nightly scan are one job row per workspace (kind and id `duplicate_scan`): its
 * payload says what was asked and, as the job goes, when it started and the pairs found per kind;
 * the row's status, finished_at and last_error say the rest. One row, so the latest scan is a key
 * lookup however many other jobs the workspace has, and a second request finds the first.
 */
export const DUPLICATE_SCAN_KIND = 'duplicate_scan';
const SCAN_JOB_ID = DUPLICATE_SCAN_KIND;

export type DuplicateScanPayload = {
  /** New for every request: the scan's identity, and the fence of its progress writes. */
  scanId: string;
  /** Null: both kinds. */
  entity: DuplicateEntity | null;
  /** Null: the nightly run. */
  requestedBy: string | null;
  requestedAt: string;
  startedAt?: string | null;
  pairs?: Partial<Record<DuplicateEntity, number>>;
  /** The failure's message as the job saw it (the job row keeps the stack for the admins). */
  error?: string | null;
};

export type DuplicateScanStatus = 'queued' | 'running' | 'done' | 'failed';

export type DuplicateScanView = {
  id: string | null; status: DuplicateScanStatus | null; entity: DuplicateEntity | null;
  requestedAt: string | null; requestedBy: string | null; startedAt: string | null; finishedAt: string | null;
  pairs: Partial<Record<DuplicateEntity, number>> | null; error: string | null;
};

const NO_SCAN: DuplicateScanView = {
  id: null, status: null, entity: null, requestedAt: null, requestedBy: null, startedAt: null, finishedAt: null, pairs: null, error: null,
};

type ScanJobRow = { status: DuplicateScanStatus; payload: DuplicateScanPayload; finishedAt: Date | string | null; lastError: string | null };

const iso = (v: Date | string | null | undefined) => (v === null || v === undefined ? null : new Date(v).toISOString());

function scanView(row: ScanJobRow | undefined): DuplicateScanView {
  if (!row) return NO_SCAN;
  const p = row.payload;
  const failed = row.status === 'failed';
  return {
    id: p.scanId, status: row.status, entity: p.entity ?? null, requestedAt: p.requestedAt, requestedBy: p.requestedBy ?? null,
    startedAt: p.startedAt ?? null, finishedAt: failed || row.status === 'done' ? iso(row.finishedAt) : null,
    pairs: p.pairs ?? null,
    // Only the message: the stack in last_error is for the jobs view, not for a manager's page.
    error: failed ? (p.error ?? row.lastError?.split('\n')[0] ?? null) : null,
  };
}

const scanColumns = sql.raw(`status, payload, finished_at AS "finishedAt", last_error AS "lastError"`);

/** The workspace's latest duplicate scan, or every field null when none was ever asked for. */
export async function findDuplicateScan(d: Db, workspaceId: string): Promise<DuplicateScanView> {
  const rows = rowsOf<ScanJobRow>(await d.execute(sql`
    SELECT ${scanColumns} FROM job WHERE workspace_id = ${workspaceId} AND id = ${SCAN_JOB_ID}`));
  return scanView(rows[0]);
}

/**
 * Asks for a scan, in the caller's transaction: queues the workspace's scan row unless it is queued
 * or running, in which case that scan is the answer. The queueing is one statement: two requests at
 * once (from any instances) conflict on the row's key, the second waits for the first and then finds
 * it active. An active scan is answered from a plain read first, because that statement locks the
 * row even when it changes nothing, and a worker claiming meanwhile would skip the locked job.
 * A finished row is queued again with fresh attempts counted on from its old ones, so the attempt
 * number stays the worker's fencing token across runs.
 */
export async function requestDuplicateScan(
  tx: Db, workspaceId: string, ask: { entity: DuplicateEntity | null; requestedBy: string | null; now: Date; attempts: number },
): Promise<{ scan: DuplicateScanView; queued: boolean }> {
  const payload: DuplicateScanPayload = {
    scanId: randomUUID(), entity: ask.entity, requestedBy: ask.requestedBy, requestedAt: ask.now.toISOString(),
  };
  const current = await findDuplicateScan(tx, workspaceId);
  if (current.status === 'queued' || current.status === 'running') return { scan: current, queued: false };
  const at = ask.now.toISOString();
  const queued = rowsOf<ScanJobRow>(await tx.execute(sql`
    INSERT INTO job (workspace_id, id, kind, payload, run_at, max_attempts)
    VALUES (${workspaceId}, ${SCAN_JOB_ID}, ${DUPLICATE_SCAN_KIND}, ${JSON.stringify(payload)}::jsonb, ${at}::timestamptz, ${ask.attempts})
    ON CONFLICT (workspace_id, id) DO UPDATE
       SET payload = EXCLUDED.payload, run_at = EXCLUDED.run_at, status = 'queued', max_attempts = job.attempts + EXCLUDED.max_attempts,
           last_error = NULL, finished_at = NULL, locked_until = NULL, created_at = now()
     WHERE job.status IN ('done', 'failed')
    RETURNING ${scanColumns}`));
  if (queued[0]) return { scan: scanView(queued[0]), queued: true };
  return { scan: await findDuplicateScan(tx, workspaceId), queued: false };
}

/**
 * Records a running scan's progress in its row. Only while that very scan runs (same scanId): a
 * worker that lost its lease cannot write into the scan that replaced it.
 */
export async function recordDuplicateScanProgress(
  d: Db, workspaceId: string, scanId: string, progress: Pick<DuplicateScanPayload, 'startedAt' | 'pairs' | 'error'>,
): Promise<void> {
  await d.execute(sql`
    UPDATE job SET payload = payload || ${JSON.stringify(progress)}::jsonb
     WHERE workspace_id = ${workspaceId} AND id = ${SCAN_JOB_ID} AND status = 'running' AND payload->>'scanId' = ${scanId}`);
}
