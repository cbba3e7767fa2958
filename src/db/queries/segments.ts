import { and, eq, inArray, sql, type Table } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { AppError, invalid, type FieldError } from '../../domain/errors.js';
import {
  builtinSegments, effectiveDefinition, resolveSegmentField, segmentAccess,
  type CustomFieldsByEntity, type SegmentBuiltin, type SegmentCondition, type SegmentDefinition, type SegmentField,
  type SegmentNode, type SegmentReference,
} from '../../domain/segment.js';
import type { Database, Db } from '../client.js';
import { buildListQuery, runList, selectList } from '../list.js';
import { contactList, contactSelect } from './contacts.js';
import { appUser, segment, segmentBuiltins, source, stage } from '../schema.js';
import { customFieldDefs } from './custom-fields.js';

/**
 * Compiles segment definitions (src/domain/segment.ts) to SQL. Every value is a parameter (`p`);
 * only column names chosen from the tables below and fixed operators are written into the text.
 * Computed values are per-contact aggregates joined once each (not correlated per contact), and
 * only those the definition reads are joined, so a count over 100k contacts stays one scan each.
 */

type P = (v: unknown) => string;
type Join = 'company' | 'sales' | 'rScore' | 'fScore' | 'mScore' | 'openLeads' | 'leadSources' | 'nps' | 'complaints';

const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const scoreOf = (column: string, cuts: string) =>
  `(1 + (ss.${column} >= ${cuts}[1])::int + (ss.${column} >= ${cuts}[2])::int + (ss.${column} >= ${cuts}[3])::int + (ss.${column} >= ${cuts}[4])::int)`;
const daysSince = (e: string) => `floor(extract(epoch FROM now() - ${e}) / 86400)`;

/** SQL of each computed value, and which join it needs. Multi-valued ones are arrays (set semantics). */
const computed: Record<string, { expr: string; join?: Join; multi?: boolean }> = {
  'computed.recencyDays': { expr: daysSince('ss.last_at'), join: 'sales' },
  'computed.frequency': { expr: 'coalesce(ss.frequency, 0)', join: 'sales' },
  'computed.monetary': { expr: 'coalesce(ss.monetary, 0)', join: 'sales' },
  'computed.recencyScore': { expr: scoreOf('last_at', 'q.r'), join: 'rScore' },
  'computed.frequencyScore': { expr: `CASE WHEN ss.frequency > 0 THEN ${scoreOf('frequency', 'q.f')} END`, join: 'fScore' },
  'computed.monetaryScore': { expr: `CASE WHEN ss.frequency > 0 THEN ${scoreOf('monetary', 'q.m')} END`, join: 'mScore' },
  'computed.purchases': { expr: 'coalesce(ss.purchases, 0)', join: 'sales' },
  'computed.totalRevenue': { expr: 'coalesce(ss.revenue, 0)', join: 'sales' },
  'computed.averageBasket': { expr: 'round(ss.revenue / nullif(ss.purchases, 0), 2)', join: 'sales' },
  'computed.purchaseIntervalDays': {
    expr: `CASE WHEN ss.purchases >= 2 THEN extract(epoch FROM ss.last_at - ss.first_at) / 86400 / (ss.purchases - 1) END`, join: 'sales',
  },
  // Overdue: more time since the last purchase than twice the average gap between purchases.
  'computed.purchaseOverdue': {
    expr: `coalesce(ss.purchases >= 2 AND ss.last_at > ss.first_at AND now() - ss.last_at > 2 * (ss.last_at - ss.first_at) / (ss.purchases - 1), false)`,
    join: 'sales',
  },
  'computed.lastInteractionDays': { expr: daysSince('c.last_activity_at') },
  'computed.lastNps': { expr: 'fb.nps', join: 'nps' },
  'computed.openComplaints': { expr: 'coalesce(cp.n, 0)', join: 'complaints' },
  'computed.leadScore': { expr: 'ol.max_score', join: 'openLeads' },
  'computed.openLeadStage': { expr: 'ol.stage_ids', join: 'openLeads', multi: true },
  'computed.openLeadTemperature': { expr: `(ARRAY['cold', 'warm', 'hot'])[ol.temp_rank]`, join: 'openLeads' },
  'computed.leadSource': { expr: 'lsrc.source_ids', join: 'leadSources', multi: true },
};

// Purchase figures come from contact_sale_stats (kept by triggers on sale, see 0023_segments.sql).
const salesAggregate = (ws: string) => `SELECT st.contact_id, st.last_sold_at AS last_at, st.first_sold_at AS first_at, st.purchases,
         st.revenue, st.purchases_12m AS frequency, st.revenue_12m AS monetary
    FROM contact_sale_stats st WHERE st.workspace_id = ${ws}`;

// Scores by quintile: 1 + how many of the 20/40/60/80 % cut points (percentile_disc) the value
// reaches, so equal values share a score and 5 is the top fifth. Recency ranks every buyer by the
// date of their last sale; frequency and monetary rank those who bought in the last 12 months
// (others have none). Cut points are one ordered-set aggregate each: a sort of one column, not of rows.
const joinSql: Record<Exclude<Join, 'rScore' | 'fScore' | 'mScore'>, (ws: string) => string> = {
  company: () => `LEFT JOIN company co ON co.workspace_id = c.workspace_id AND co.id = c.company_id`,
  sales: (ws) => `LEFT JOIN (${salesAggregate(ws)}) ss ON ss.contact_id = c.id`,
  openLeads: (ws) => `LEFT JOIN (SELECT l.contact_id, max(l.score) AS max_score, array_agg(l.stage_id) AS stage_ids,
         max(CASE st.temperature WHEN 'cold' THEN 1 WHEN 'warm' THEN 2 WHEN 'hot' THEN 3 END) AS temp_rank
    FROM lead l LEFT JOIN stage st ON st.workspace_id = l.workspace_id AND st.id = l.stage_id
   WHERE l.workspace_id = ${ws} AND l.status = 'open' AND l.contact_id IS NOT NULL GROUP BY l.contact_id) ol ON ol.contact_id = c.id`,
  leadSources: (ws) => `LEFT JOIN (SELECT l.contact_id, array_agg(DISTINCT l.source_id) AS source_ids
    FROM lead l WHERE l.workspace_id = ${ws} AND l.contact_id IS NOT NULL AND l.source_id IS NOT NULL GROUP BY l.contact_id) lsrc ON lsrc.contact_id = c.id`,
  nps: (ws) => `LEFT JOIN (SELECT DISTINCT ON (f.contact_id) f.contact_id, f.nps
    FROM feedback f WHERE f.workspace_id = ${ws} AND f.contact_id IS NOT NULL AND f.nps IS NOT NULL
   ORDER BY f.contact_id, f.answered_at DESC, f.id DESC) fb ON fb.contact_id = c.id`,
  complaints: (ws) => `LEFT JOIN (SELECT k.contact_id, count(*) AS n FROM complaint k
   WHERE k.workspace_id = ${ws} AND k.status <> 'resolved' AND k.contact_id IS NOT NULL GROUP BY k.contact_id) cp ON cp.contact_id = c.id`,
};
const joinOrder = ['company', 'sales', 'openLeads', 'leadSources', 'nps', 'complaints'] as const;
const cuts = `ARRAY[0.2, 0.4, 0.6, 0.8]`;
const cutPoints: Record<'rScore' | 'fScore' | 'mScore', string> = {
  rScore: `percentile_disc(${cuts}) WITHIN GROUP (ORDER BY st.last_sold_at) AS r`,
  fScore: `percentile_disc(${cuts}) WITHIN GROUP (ORDER BY st.purchases_12m) FILTER (WHERE st.purchases_12m > 0) AS f`,
  mScore: `percentile_disc(${cuts}) WITHIN GROUP (ORDER BY st.revenue_12m) FILTER (WHERE st.purchases_12m > 0) AS m`,
};
/** The cut points of the scores a definition reads, as one row (q) computed once per statement. */
const cutPointsJoin = (ws: string, scores: ('rScore' | 'fScore' | 'mScore')[]) =>
  `CROSS JOIN (SELECT ${scores.map((k) => cutPoints[k]).join(', ')} FROM contact_sale_stats st WHERE st.workspace_id = ${ws}) q`;

type Compiled = { joins: Set<Join>; where: string };

function fieldExpr(field: SegmentField, p: P, joins: Set<Join>): { expr: string; multi: boolean } {
  const custom = /^(contact|company)\.customFields\.(.+)$/.exec(field.key);
  if (custom) {
    const alias = custom[1] === 'contact' ? 'c' : 'co';
    if (alias === 'co') joins.add('company');
    const key = p(custom[2]);
    const raw = `${alias}.custom_fields->>${key}`;
    // Values were checked against the field's type when written; the guards keep a read from failing
    // if a field's type was changed afterwards.
    if (field.type === 'number') return { expr: `(CASE WHEN jsonb_typeof(${alias}.custom_fields->${key}) = 'number' THEN (${raw})::numeric END)`, multi: false };
    if (field.type === 'date') return { expr: `(CASE WHEN (${raw}) ~ '^\\d{4}-\\d{2}-\\d{2}$' THEN (${raw})::date END)`, multi: false };
    return { expr: `(${raw})`, multi: false };
  }
  const c = computed[field.key];
  if (c) {
    if (c.join) joins.add(c.join);
    return { expr: c.expr, multi: !!c.multi };
  }
  const [group, name] = field.key.split('.') as ['contact' | 'company', string];
  if (group === 'company') joins.add('company');
  const col = `${group === 'contact' ? 'c' : 'co'}.${snake(name)}`;
  return { expr: name === 'createdAt' ? `(${col})::date` : col, multi: false };
}

const castOf: Record<SegmentField['type'], string> = { text: 'text', number: 'numeric', date: 'date', enum: 'text', boolean: 'boolean', reference: 'uuid' };
const likeEscape = (s: string) => s.replace(/[\\%_]/g, (ch) => `\\${ch}`);

function conditionSql(c: SegmentCondition, custom: CustomFieldsByEntity, p: P, joins: Set<Join>): string {
  const field = resolveSegmentField(c.field, custom);
  // A field deleted after the segment was saved matches nobody rather than failing the read.
  if (!field) return 'false';
  const { expr, multi } = fieldExpr(field, p, joins);
  const cast = castOf[field.type];
  const v = c.value;
  if (multi) {
    const overlaps = () => `coalesce(${expr} && ${p(Array.isArray(v) ? v : [v])}::uuid[], false)`;
    switch (c.operator) {
      case 'eq': case 'in': return overlaps();
      case 'neq': case 'notIn': return `NOT ${overlaps()}`;
      case 'isEmpty': return `coalesce(cardinality(${expr}), 0) = 0`;
      case 'isNotEmpty': return `coalesce(cardinality(${expr}), 0) > 0`;
      default: return 'false';
    }
  }
  if (field.type === 'text') {
    const folded = `f_search_text(${expr})`;
    switch (c.operator) {
      case 'eq': return `${folded} = f_search_text(${p(v)}::text)`;
      case 'neq': return `${folded} IS DISTINCT FROM f_search_text(${p(v)}::text)`;
      case 'in': return `${folded} IN (SELECT f_search_text(x) FROM unnest(${p(v)}::text[]) x)`;
      case 'notIn': return `NOT coalesce(${folded} IN (SELECT f_search_text(x) FROM unnest(${p(v)}::text[]) x), false)`;
      case 'contains': return `coalesce(${folded} LIKE '%' || f_search_text(${p(likeEscape(String(v)))}::text) || '%', false)`;
      case 'isEmpty': return `coalesce(btrim(${expr}), '') = ''`;
      case 'isNotEmpty': return `coalesce(btrim(${expr}), '') <> ''`;
      default: return 'false';
    }
  }
  const one = () => `${p(v)}::${cast}`;
  switch (c.operator) {
    case 'eq': return field.type === 'boolean' ? `coalesce(${expr}, false) = ${one()}` : `${expr} = ${one()}`;
    case 'neq': return `${expr} IS DISTINCT FROM ${one()}`;
    case 'in': return `coalesce(${expr} = ANY(${p(v)}::${cast}[]), false)`;
    case 'notIn': return `NOT coalesce(${expr} = ANY(${p(v)}::${cast}[]), false)`;
    case 'lt': return `${expr} < ${one()}`;
    case 'lte': return `${expr} <= ${one()}`;
    case 'gt': return `${expr} > ${one()}`;
    case 'gte': return `${expr} >= ${one()}`;
    case 'between': {
      const [a, b] = v as [unknown, unknown];
      return `${expr} BETWEEN ${p(a)}::${cast} AND ${p(b)}::${cast}`;
    }
    case 'isEmpty': return `${expr} IS NULL`;
    case 'isNotEmpty': return `${expr} IS NOT NULL`;
    default: return 'false';
  }
}

function nodeSql(node: SegmentNode, custom: CustomFieldsByEntity, p: P, joins: Set<Join>): string {
  if (node.type === 'condition') return `(${conditionSql(node, custom, p, joins)})`;
  if (!node.children.length) return node.combinator === 'and' ? 'true' : 'false';
  const parts = node.children.map((ch) => nodeSql(ch, custom, p, joins));
  return `(${parts.join(node.combinator === 'and' ? ' AND ' : ' OR ')})`;
}

export function compileDefinition(def: SegmentDefinition, custom: CustomFieldsByEntity, p: P): Compiled {
  const joins = new Set<Join>();
  const where = nodeSql(def, custom, p, joins);
  return { joins, where };
}

/** FROM … WHERE … over the workspace's active contacts (alias c) that meet the definition. */
export function segmentFromWhere(def: SegmentDefinition, custom: CustomFieldsByEntity, workspaceId: string, p: P): string {
  const ws = p(workspaceId);
  const { joins, where } = compileDefinition(def, custom, p);
  const scores = (['rScore', 'fScore', 'mScore'] as const).filter((k) => joins.has(k));
  if (scores.length) joins.add('sales');
  const joinText = [
    ...joinOrder.filter((j) => joins.has(j)).map((j) => joinSql[j](ws)),
    ...(scores.length ? [cutPointsJoin(ws, scores)] : []),
  ].join('\n  ');
  return `FROM contact c
  ${joinText}
 WHERE c.workspace_id = ${ws} AND c.status = 'active' AND ${where}`;
}

export async function segmentCustomFields(db: Db, workspaceId: string): Promise<CustomFieldsByEntity> {
  const [contact, company] = await Promise.all([customFieldDefs(db, workspaceId, 'contact'), customFieldDefs(db, workspaceId, 'company')]);
  return { contact, company };
}

const dbOf = (db: Database | Db): Db => ('engine' in db ? db.db : db);

export type SegmentRow = typeof segment.$inferSelect;

export const segmentNotFound = () => new AppError('not_found', 'segment not found.',
  [{ field: 'segmentId', code: 'not_found', message: 'There is no such segment in this workspace.' }], { entity: 'segment' });

/** The stored segment, or a 404 naming segmentId. */
export async function findSegment(db: Database | Db, workspaceId: string, segmentId: string): Promise<SegmentRow> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  if (!uuid.test(segmentId)) throw segmentNotFound();
  const rows = await dbOf(db).select().from(segment).where(and(eq(segment.workspaceId, workspaceId), eq(segment.id, segmentId)));
  if (!rows[0]) throw segmentNotFound();
  return rows[0];
}

/**
 * A segment loaded once and turned into a reusable SQL builder: `(p, contactIdExpr)` gives a boolean
 * expression true when the contact id is in the segment. For callers that build their statement
 * synchronously (list queries, exports read page by page).
 */
export async function loadSegmentFilter(db: Database | Db, workspaceId: string, segmentId: string, actor?: Actor): Promise<(p: P, contactIdExpr: string) => string> {
  const row = actor ? await findVisibleSegment(db, actor, segmentId) : await findSegment(db, workspaceId, segmentId);
  const custom = await segmentCustomFields(dbOf(db), workspaceId);
  const def = effectiveDefinition(row);
  return (p, contactIdExpr) => `${contactIdExpr} IN (SELECT c.id ${segmentFromWhere(def, custom, workspaceId, p)})`;
}

/**
 * SQL boolean, true when the contact id (`contactIdExpr`, e.g. `lead.contact_id`) is in the segment,
 * compiled from the stored definition; `p(v)` adds a positional parameter and returns `$n`.
 * Throws a 404 AppError (field segmentId) when the segment does not exist in the workspace.
 * A NULL contact id is in no segment.
 */
export async function segmentCondition(db: Database | Db, workspaceId: string, segmentId: string, p: (v: unknown) => string, contactIdExpr: string): Promise<string> {
  const filter = await loadSegmentFilter(db, workspaceId, segmentId);
  return filter(p, contactIdExpr);
}

/** Live number of contacts meeting a definition. */
export async function countDefinition(database: Database, workspaceId: string, def: SegmentDefinition, custom: CustomFieldsByEntity): Promise<number> {
  const values: unknown[] = [];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const text = `SELECT count(*)::int AS n ${segmentFromWhere(def, custom, workspaceId, p)}`;
  const rows = await database.query<{ n: number }>(text, values);
  return rows[0]?.n ?? 0;
}

/** How many of the segment's contacts may be contacted (not marked doNotContact): a campaign's reach. */
export async function countReachable(database: Database, workspaceId: string, def: SegmentDefinition, custom: CustomFieldsByEntity): Promise<{ count: number; reachable: number }> {
  const values: unknown[] = [];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const text = `SELECT count(*)::int AS n, (count(*) FILTER (WHERE NOT c.do_not_contact))::int AS r ${segmentFromWhere(def, custom, workspaceId, p)}`;
  const rows = await database.query<{ n: number; r: number }>(text, values);
  return { count: rows[0]?.n ?? 0, reachable: rows[0]?.r ?? 0 };
}

/** Built-in segments exist in every workspace; created on first use (idempotent under concurrency). */
export async function ensureBuiltinSegments(database: Database, workspaceId: string): Promise<void> {
  const have = await database.query<{ n: number }>('SELECT count(*)::int AS n FROM segment WHERE workspace_id = $1 AND builtin IS NOT NULL', [workspaceId]);
  if ((have[0]?.n ?? 0) >= segmentBuiltins.length) return;
  for (const key of segmentBuiltins) {
    const b = builtinSegments[key as SegmentBuiltin];
    await database.db.insert(segment).values({
      workspaceId, name: b.name.es, definition: b.definition as unknown as Record<string, unknown>, shared: true, builtin: key,
    }).onConflictDoNothing({ target: [segment.workspaceId, segment.builtin], where: sql`builtin IS NOT NULL` });
  }
}

const referenceTables = { user: appUser, stage, source } as const;

/** Refuses a definition naming a user, stage or source that does not exist in the workspace. */
export async function assertSegmentReferences(db: Db, workspaceId: string, refs: SegmentReference[]): Promise<void> {
  const errors: FieldError[] = [];
  for (const kind of ['user', 'stage', 'source'] as const) {
    const list = refs.filter((r) => r.kind === kind);
    if (!list.length) continue;
    const t = referenceTables[kind];
    const found = await db.select({ id: t.id }).from(t as Table)
      .where(and(eq(t.workspaceId, workspaceId), inArray(t.id, [...new Set(list.map((r) => r.id))]))) as { id: string }[];
    const have = new Set(found.map((r) => r.id));
    for (const r of list) if (!have.has(r.id)) errors.push({ field: r.path, code: 'not_found', message: `No such ${kind} in this workspace (${r.id}).` });
  }
  if (errors.length) throw invalid(errors, 'The segment refers to records that do not exist.');
}

/** The segments an actor may see: built-ins first, then by name. */
export async function listVisibleSegments(database: Database, actor: Actor): Promise<SegmentRow[]> {
  await ensureBuiltinSegments(database, actor.workspaceId);
  return database.query<SegmentRow>(`SELECT ${selectList(segment)} FROM segment
    WHERE workspace_id = $1 AND (builtin IS NOT NULL OR shared OR owner_id = $2 OR $3::boolean)
    ORDER BY builtin IS NULL, lower(name), id`, [actor.workspaceId, actor.userId, actor.role === 'admin']);
}

/** A segment the actor may see (for using it as a filter, a target or an export), or a 404 naming `field`. */
export async function findVisibleSegment(db: Database | Db, actor: Actor, segmentId: string, field = 'segmentId'): Promise<SegmentRow> {
  let row: SegmentRow;
  try {
    row = await findSegment(db, actor.workspaceId, segmentId);
  } catch (e) {
    if (e instanceof AppError && field !== 'segmentId') throw new AppError('not_found', e.message, [{ field, code: 'not_found', message: 'There is no such segment in this workspace.' }], e.extra);
    throw e;
  }
  // Someone else's private segment is, for this actor, a segment that does not exist.
  if (!segmentAccess(actor, row).canSee) throw segmentNotFound();
  return row;
}

/** The contacts of a definition in the list's shape (first page), for the editor's live preview. */
export async function previewMembers(database: Database, actor: Actor, def: SegmentDefinition, custom: CustomFieldsByEntity, limit: number): Promise<Record<string, unknown>[]> {
  const built = buildListQuery(contactList, actor, { limit: String(limit) }, {
    select: contactSelect, where: (p) => `contact.id IN (SELECT c.id ${segmentFromWhere(def, custom, actor.workspaceId, p)})`,
  });
  return (await runList<Record<string, unknown>>(database, built)).data;
}

/**
 * Recomputes every contact's purchase figures in the workspace (the nightly job moves the 12-month
 * window this way; a bulk load that switched the sale triggers off calls it once at the end).
 */
export async function refreshContactSaleStats(database: Database, workspaceId: string): Promise<void> {
  await database.query('SELECT contact_sale_stats_refresh($1::uuid, NULL)', [workspaceId]);
}
