import type { SearchQuery } from '../../domain/search.js';
import { phoneCandidates, phoneNeedle } from '../../domain/search.js';
import type { Database } from '../client.js';

export type SearchHit = {
  kind: 'contact' | 'company';
  id: string;
  name: string;
  companyName: string | null;
  email: string | null;
  phone: string | null;
  ownerName: string | null;
  lastActivityAt: Date | null;
  /** Open leads of theirs whose next action falls today (any owner: whoever answers must know). */
  today: { leadId: string; title: string; at: string; type: string | null; ownerName: string | null }[];
  /** Their last interactions, newest first, by anyone in the team. */
  recent: { id: string; type: string; subject: string | null; at: string; userName: string | null }[];
};

// How many rows the index may hand over before ranking: a common surname can match thousands of
// people; ranking a bounded set keeps the answer instant, and typing one more letter narrows it.
const CANDIDATES = 200;
const RESULTS = 8;

type Built = { where: string; rank: string; params: unknown[] };

/** The match condition and ranking for one table, as SQL over alias `x` with parameters from $4. */
function matchSql(q: SearchQuery, table: 'contact' | 'company', callingCode: string | null): Built {
  const params: unknown[] = [];
  const p = (v: unknown) => { params.push(v); return `$${params.length + 3}`; };
  if (q.kind === 'phone') {
    const needle = phoneNeedle(q.digits);
    // Compact stored phones (E.164) are found through the trigram index of search_text (contacts)
    // or the digits index; phones stored with spaces through the digits index on equality.
    const inText = table === 'contact' ? `x.search_text LIKE '%' || ${p(needle)} || '%' OR ` : '';
    const exact = `(x.phone IS NOT NULL AND regexp_replace(x.phone, '\\D', '', 'g') = ANY(${p(phoneCandidates(q.digits, callingCode))}::text[]))`;
    return { where: `(${inText}${exact})`, rank: '0', params };
  }
  if (q.kind === 'email') {
    // A whole address is found by equality on the (workspace_id, lower(email)) index: the trigrams
    // of "contacto@correo.example.es" are common to thousands of addresses. Part of one (contacts
    // only) goes through the trigram index.
    const whole = /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(q.text);
    const cond = whole || table === 'company' ? `lower(x.email) = ${p(q.text)}` : `x.search_text LIKE '%' || f_search_text(${p(q.text)}) || '%'`;
    return { where: cond, rank: '0', params };
  }
  // Every word must appear (in any order); a name that starts with the first word ranks first.
  const words = q.text.split(' ').slice(0, 4);
  const conds = words.map((w) => `x.search_text LIKE '%' || f_search_text(${p(w)}) || '%'`);
  const head = p(words[0]);
  const name = table === 'contact' ? `f_search_text(concat_ws(' ', x.first_name, x.last_name, x.second_last_name))` : 'x.search_text';
  const surname = table === 'contact' ? `f_search_text(coalesce(x.last_name, ''))` : 'x.search_text';
  return {
    where: conds.join(' AND '),
    rank: `(CASE WHEN ${name} LIKE f_search_text(${head}) || '%' OR ${surname} LIKE f_search_text(${head}) || '%' THEN 0 ELSE 1 END)`,
    params,
  };
}

/**
 * Contacts and companies matching the query, each with today's appointments and last interactions:
 * one statement per table, the match through the trigram / digits indexes, the extras through
 * (workspace_id, contact_id|company_id, …) indexes for the few rows returned.
 */
export async function instantSearch(
  database: Database, workspaceId: string, q: SearchQuery, day: { start: Date; end: Date }, callingCode: string | null,
): Promise<SearchHit[]> {
  const run = async (table: 'contact' | 'company') => {
    const m = matchSql(q, table, callingCode);
    const fk = table === 'contact' ? 'contact_id' : 'company_id';
    const nameSql = table === 'contact' ? `concat_ws(' ', x.first_name, x.last_name, x.second_last_name)` : 'x.name';
    const companySql = table === 'contact'
      ? `(SELECT co.name FROM company co WHERE co.workspace_id = x.workspace_id AND co.id = x.company_id)` : 'NULL::text';
    const lastAt = table === 'contact' ? 'x.last_activity_at' : `(SELECT coalesce(a.occurred_at, a.due_at) FROM activity a
        WHERE a.workspace_id = x.workspace_id AND a.company_id = x.id AND a.done_at IS NOT NULL ORDER BY coalesce(a.occurred_at, a.due_at) DESC, a.id LIMIT 1)`;
    const text = `
      WITH candidates AS (
        SELECT x.*, ${m.rank} AS rank, ${lastAt} AS last_at FROM ${table} x
         WHERE x.workspace_id = $1 AND x.status = 'active' AND ${m.where}
         LIMIT ${CANDIDATES}
      )
      SELECT '${table}' AS kind, x.id, ${nameSql} AS name, ${companySql} AS "companyName", x.email, x.phone,
             (SELECT u.name FROM app_user u WHERE u.workspace_id = x.workspace_id AND u.id = x.owner_id) AS "ownerName",
             x.last_at AS "lastActivityAt",
             coalesce((SELECT json_agg(t ORDER BY t.at) FROM (
                SELECT l.id AS "leadId", l.title, l.next_action_at AS at, l.next_action_type AS type,
                       (SELECT u.name FROM app_user u WHERE u.workspace_id = l.workspace_id AND u.id = l.owner_id) AS "ownerName"
                  FROM lead l WHERE l.workspace_id = x.workspace_id AND l.${fk} = x.id AND l.status = 'open'
                   AND l.next_action_at >= $2 AND l.next_action_at < $3) t), '[]') AS today,
             coalesce((SELECT json_agg(r) FROM (
                SELECT a.id, a.type, a.subject, coalesce(a.occurred_at, a.due_at) AS at,
                       (SELECT u.name FROM app_user u WHERE u.workspace_id = a.workspace_id AND u.id = a.user_id) AS "userName"
                  FROM activity a WHERE a.workspace_id = x.workspace_id AND a.${fk} = x.id AND a.done_at IS NOT NULL
                 ORDER BY coalesce(a.occurred_at, a.due_at) DESC, a.id LIMIT 3) r), '[]') AS recent
        FROM candidates x
       ORDER BY x.rank, x.last_at DESC NULLS LAST, x.id
       LIMIT ${RESULTS}`;
    return database.query<SearchHit>(text, [workspaceId, day.start, day.end, ...m.params]);
  };
  // Two statements, run side by side on PostgreSQL's pool (PGlite queues them on its one connection).
  const [contacts, companies] = await Promise.all([run('contact'), run('company')]);
  return [...contacts, ...companies];
}

/** What the search needs of the workspace: its time zone (for "today") and country (for phones). */
export async function searchContext(database: Database, workspaceId: string): Promise<{ timeZone: string; defaultCountry: string }> {
  const rows = await database.query<{ timeZone: string; defaultCountry: string }>(
    'SELECT time_zone AS "timeZone", default_country AS "defaultCountry" FROM workspace WHERE id = $1', [workspaceId], 'search_context');
  return rows[0] ?? { timeZone: 'UTC', defaultCountry: 'ES' };
}
