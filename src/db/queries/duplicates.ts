import { sql, type SQL } from 'drizzle-orm';
import {
  COMPANY_SIMILARITY_MIN, isLikelyDuplicate, normaliseEmail, phoneDigitVariants, scoreDuplicate,
  type DuplicateEntity, type DuplicateReason,
} from '../../domain/duplicates.js';
import type { Db } from '../client.js';

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
  const email = normaliseEmail(values.email);
  const phones = phoneDigitVariants(values.phone, country);
  const name = entity === 'contact'
    ? [(values as ContactValues).firstName, (values as ContactValues).lastName, (values as ContactValues).secondLastName]
      .map((s) => s?.trim()).filter(Boolean).join(' ')
    : ((values as CompanyValues).name ?? '').trim();
  if (!email && phones.length === 0 && !name) return [];
  const table = sql.identifier(entity);
  const n = nameExpr[entity]('t');
  const nameParam = name || null;
  const exclude = uuidArray(opts.excludeIds ?? []);
  const cv = values as ContactValues;
  const sameCompany = entity === 'contact'
    ? sql`(c.company_id = ${cv.companyId ?? null}::uuid OR (${cv.companyName?.trim() || null}::text IS NOT NULL AND EXISTS (
          SELECT 1 FROM company co WHERE co.workspace_id = c.workspace_id AND co.id = c.company_id
             AND similarity(f_search_text(co.name), f_search_text(${cv.companyName?.trim() || null}::text)) >= ${COMPANY_SIMILARITY_MIN})))`
    : sql`false`;
  const rows = rowsOf<SignalRow>(await tx.execute(sql`
    WITH cand AS (
      SELECT t.id FROM ${table} t WHERE t.workspace_id = ${workspaceId} AND lower(t.email) = ${email}::text
      UNION
      SELECT t.id FROM ${table} t WHERE t.workspace_id = ${workspaceId} AND t.phone IS NOT NULL
         AND ${phoneDigits('t')} = ANY(${textArray(phones)}::text[])
      UNION
      (SELECT t.id FROM ${table} t WHERE t.workspace_id = ${workspaceId} AND ${n} % f_search_text(${nameParam}::text)
        ORDER BY similarity(${n}, f_search_text(${nameParam}::text)) DESC LIMIT ${NAME_CANDIDATES})
    )
    SELECT c.id,
           lower(c.email) = ${email}::text AS "sameEmail",
           ${phoneDigits('c')} = ANY(${textArray(phones)}::text[]) AS "samePhone",
           similarity(${nameExpr[entity]('c')}, f_search_text(${nameParam}::text)) AS "nameSimilarity",
           ${sameCompany} AS "sameCompany",
           ${summarySql[entity]('c')} AS record
      FROM cand JOIN ${table} c ON c.workspace_id = ${workspaceId} AND c.id = cand.id
     WHERE c.status = 'active' AND NOT (c.id = ANY(${exclude}::uuid[]))`));
  return rows
    .map((r) => ({ id: r.id, record: r.record, ...scoreDuplicate(entity, signalsOf(r)) }))
    .filter(isLikelyDuplicate)
    .sort((a, b) => b.score - a.score || a.id.localeCompare(b.id))
    .slice(0, opts.limit ?? 10);
}

const signalsOf = (r: Omit<SignalRow, 'id' | 'record'>) => ({
  sameEmail: r.sameEmail === true,
  samePhone: r.samePhone === true,
  nameSimilarity: Number(r.nameSimilarity ?? 0),
  sameCompany: r.sameCompany === true,
});

