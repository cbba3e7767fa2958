import { createHash } from 'node:crypto';
import { getTableColumns, getTableName, type Table } from 'drizzle-orm';
import { AppError, fieldError } from '../domain/errors.js';
import type { Actor } from '../domain/access.js';
import type { Database, Row } from './client.js';
import { derivedColumns } from './schema.js';

/**
 * Declarative list queries: filters, sorts, text search and keyset (cursor) pagination, compiled
 * to one parameterised SQL statement. Every sort expression must be NOT NULL (use coalesce) and
 * should match an index that starts with workspace_id, so a page costs the same on page 1 and
 * page 10 000.
 */
export type FilterDef =
  | { kind: 'in'; column: string; type: 'uuid' | 'text' }
  | { kind: 'enum'; column: string; values: readonly string[] }
  | { kind: 'gte' | 'lt'; column: string; type: 'timestamp' | 'date' | 'number' }
  | { kind: 'bool'; column: string }
  | { kind: 'isNull'; column: string }
  | { kind: 'arrayContains'; column: string }
  /** Accepted as a parameter but applied by the caller through `where` (it needs a read first, e.g. segmentId). */
  | { kind: 'external'; description: string };

export type SortDef = { expr: string; type: 'text' | 'number' | 'timestamp' | 'date' };

export type ListSpec = {
  table: Table;
  filters: Record<string, FilterDef>;
  sorts: Record<string, SortDef>;
  defaultSort: string;
  /** Column with f_search_text(...) content and a trigram index. */
  searchColumn?: string;
  /** Extra search: SQL with $q placeholder replaced (e.g. an EXISTS over contacts). */
  searchExtra?: string;
  /**
   * 'owned' applies the actor's record scope on owner_id / shared_with; 'personal' shows the
   * actor's own rows (user_id) and those marked shared.
   */
  scope: 'workspace' | 'owned' | 'personal';
  /** Rows hidden unless includeCancelled=true. */
  hideCancelled?: boolean;
};

export type ListParams = Record<string, string | undefined> & {
  q?: string; sort?: string; cursor?: string; limit?: string; includeCancelled?: string;
};

export type Page<T> = { data: T[]; nextCursor: string | null };

const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** `"snake" AS "camel"` for every column of the table except the derived ones. */
export function selectList(table: Table, alias?: string): string {
  const cols = Object.values(getTableColumns(table)).filter((c) => !derivedColumns.has(c.name));
  return cols.map((c) => `${alias ? `${alias}.` : ''}"${c.name}" AS "${camel(c.name)}"`).join(', ');
}

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The actor's visibility over owned records, as SQL. $1 is the workspace, `p` adds params. */
export function scopeSql(actor: Actor, p: (v: unknown) => string, alias = ''): string | null {
  const a = alias ? `${alias}.` : '';
  if (actor.role === 'admin') return null;
  const u = p(actor.userId);
  const mine = `${a}owner_id IS NULL OR ${a}owner_id = ${u} OR ${u} = ANY(${a}shared_with)`;
  if (actor.role === 'sales') return `(${mine})`;
  return `(${mine} OR ${a}owner_id IN (SELECT m.id FROM app_user m JOIN team t ON t.workspace_id = m.workspace_id AND t.id = m.team_id
            WHERE m.workspace_id = $1 AND t.manager_id = ${u}))`;
}

function encodeCursor(v: unknown[]): string {
  return Buffer.from(JSON.stringify(v)).toString('base64url');
}

function decodeCursor(c: string): [unknown, string] {
  try {
    const v = JSON.parse(Buffer.from(c, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 2 && typeof v[1] === 'string' && uuidRe.test(v[1])) return [v[0], v[1]];
  } catch { /* fall through */ }
  throw fieldError('cursor', 'invalid_cursor', 'The cursor is not one this API returned.');
}

function parseValue(field: string, raw: string, type: string): unknown {
  switch (type) {
    case 'uuid':
      if (!uuidRe.test(raw)) throw fieldError(field, 'invalid_uuid', `${field} must be a UUID.`);
      return raw;
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n)) throw fieldError(field, 'invalid_number', `${field} must be a number.`);
      return n;
    }
    case 'timestamp': case 'date': {
      const d = new Date(raw);
      if (Number.isNaN(d.getTime())) throw fieldError(field, 'invalid_date', `${field} must be an ISO 8601 date.`);
      return type === 'date' ? raw.slice(0, 10) : d.toISOString();
    }
    default: return raw;
  }
}

export type BuiltQuery = { text: string; params: unknown[]; sortKey: string; sortExpr: SortDef };

export type ListOptions = {
  select?: string;
  from?: string;
  /** An extra condition built with the query's own parameters (e.g. a segment, see 'external' filters). */
  where?: (p: (v: unknown) => string) => string;
};

export function buildListQuery(spec: ListSpec, actor: Actor, params: ListParams, opts: ListOptions = {}): BuiltQuery & { limit: number } {
  const values: unknown[] = [actor.workspaceId];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const where: string[] = ['workspace_id = $1'];

  for (const [name, f] of Object.entries(spec.filters)) {
    const raw = params[name];
    if (raw === undefined || raw === '') continue;
    switch (f.kind) {
      case 'in': {
        const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
        list.forEach((v) => parseValue(name, v, f.type));
        where.push(list.length === 1 ? `${f.column} = ${p(list[0])}` : `${f.column} = ANY(${p(list)}::${f.type}[])`);
        break;
      }
      case 'enum': {
        const list = raw.split(',').map((s) => s.trim());
        const bad = list.find((v) => !f.values.includes(v));
        if (bad) throw fieldError(name, 'invalid_choice', `${name} must be among: ${f.values.join(', ')}.`);
        where.push(list.length === 1 ? `${f.column} = ${p(list[0])}` : `${f.column} = ANY(${p(list)}::text[])`);
        break;
      }
      case 'gte': where.push(`${f.column} >= ${p(parseValue(name, raw, f.type))}`); break;
      case 'lt': where.push(`${f.column} < ${p(parseValue(name, raw, f.type))}`); break;
      case 'bool':
        if (raw !== 'true' && raw !== 'false') throw fieldError(name, 'invalid_boolean', `${name} must be true or false.`);
        where.push(`${f.column} = ${raw}`);
        break;
      case 'isNull':
        if (raw !== 'true' && raw !== 'false') throw fieldError(name, 'invalid_boolean', `${name} must be true or false.`);
        where.push(`${f.column} IS ${raw === 'true' ? '' : 'NOT '}NULL`);
        break;
      case 'arrayContains':
        parseValue(name, raw, 'uuid');
        where.push(`${p(raw)}::uuid = ANY(${f.column})`);
        break;
      case 'external': break;
    }
  }
  if (opts.where) where.push(opts.where(p));
  if (spec.hideCancelled && params.includeCancelled !== 'true' && params['status'] === undefined) {
    where.push(`status <> 'cancelled'`);
  }
  const q = params.q?.trim();
  if (q && spec.searchColumn) {
    const qp = p(q);
    const own = `${spec.searchColumn} LIKE '%' || f_search_text(${qp}) || '%'`;
    where.push(spec.searchExtra ? `(${own} OR ${spec.searchExtra.replaceAll('$q', qp)})` : own);
  }
  if (spec.scope === 'owned') {
    const s = scopeSql(actor, p);
    if (s) where.push(s);
  }
  if (spec.scope === 'personal') where.push(`(user_id = ${p(actor.userId)} OR shared)`);

  const sortParam = params.sort ?? spec.defaultSort;
  const desc = sortParam.startsWith('-');
  const sortKey = desc ? sortParam.slice(1) : sortParam;
  const sort = spec.sorts[sortKey];
  if (!sort) throw fieldError('sort', 'invalid_choice', `sort must be one of: ${Object.keys(spec.sorts).map((k) => `${k}, -${k}`).join(', ')}.`);
  const limit = params.limit === undefined ? 50 : Number(params.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw fieldError('limit', 'out_of_range', 'limit must be an integer from 1 to 500.');
  if (params.cursor) {
    const [v, id] = decodeCursor(params.cursor);
    const cast = sort.type === 'number' ? 'numeric' : sort.type === 'text' ? 'text' : sort.type === 'date' ? 'date' : 'timestamptz';
    where.push(`(${sort.expr}, id) ${desc ? '<' : '>'} (${p(v)}::${cast}, ${p(id)}::uuid)`);
  }
  const dir = desc ? 'DESC' : 'ASC';
  const text = `SELECT ${opts.select ?? selectList(spec.table)}, (${sort.expr})::text AS "__sort"
    FROM ${opts.from ?? `"${getTableName(spec.table)}"`}
   WHERE ${where.join('\n     AND ')}
   ORDER BY ${sort.expr} ${dir}, id ${dir}
   LIMIT ${limit + 1}`;
  return { text, params: values, sortKey, sortExpr: sort, limit };
}

/**
 * A list statement is named by a hash of its text, so PostgreSQL parses and plans each filter/sort
 * combination once per connection instead of on every request (the text differs only by which
 * filters are present; values are always parameters).
 */
const statementName = (text: string) => `list_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;

export async function runList<T extends Row>(database: Database, built: BuiltQuery & { limit: number }): Promise<Page<T>> {
  const rows = await database.query<T & { __sort: unknown }>(built.text, built.params, statementName(built.text));
  const more = rows.length > built.limit;
  const page = more ? rows.slice(0, built.limit) : rows;
  const last = page.at(-1);
  const nextCursor = more && last ? encodeCursor([last.__sort, last["id"] as string]) : null;
  for (const r of page) delete (r as Partial<typeof r>).__sort;
  return { data: page, nextCursor };
}

export function assertKnownParams(allowed: string[], params: Record<string, string | undefined>) {
  const unknown = Object.keys(params).filter((k) => !allowed.includes(k));
  if (unknown.length) {
    throw new AppError('validation', 'Unknown query parameters.', unknown.map((k) => ({ field: k, code: 'unknown_field', message: `Unknown query parameter "${k}".` })));
  }
}
