import type { Query } from '../api/client.js';
import { zonedToIso } from './format.js';

/** What the leads table shows: filters, sort and columns. A saved view is a named copy of it. */
export type LeadFilters = {
  q: string; stageId: string; ownerId: string; sourceId: string; campaignId: string; productId: string; status: string;
  withoutNextAction: boolean; withoutActivity: boolean;
  /** Lower bounds typed by the user (empty = no bound). */
  scoreMin: string; amountMin: string; probabilityMin: string;
  /** Day ranges (YYYY-MM-DD, both days included) in the workspace's time zone. */
  nextActionFrom: string; nextActionTo: string;
  lastActivityFrom: string; lastActivityTo: string;
  createdFrom: string; createdTo: string;
};
export const columnIds = ['contact', 'company', 'stage', 'score', 'probability', 'amount', 'source', 'owner', 'nextActionAt', 'lastActivityAt'] as const;
export type ColumnId = (typeof columnIds)[number];
/** Columns the API can sort by, with its sort name. */
export const sortableColumns: Record<ColumnId, string> = {
  contact: 'contactName', company: 'companyName', stage: 'stage', score: 'score', probability: 'probability', amount: 'amount',
  source: 'sourceName', owner: 'ownerName', nextActionAt: 'nextActionAt', lastActivityAt: 'lastActivityAt',
};
export type SortState = { column: ColumnId; descending: boolean };
export type LeadView = { filters: LeadFilters; sort: SortState; columns: ColumnId[] };
/** A view stored on the server: the author's own, or one a colleague shared. */
export type SavedView = LeadView & { id: string; name: string; shared: boolean; userId: string; version: number };

export const defaultView: LeadView = {
  filters: {
    q: '', stageId: '', ownerId: '', sourceId: '', campaignId: '', productId: '', status: 'open', withoutNextAction: false, withoutActivity: false,
    scoreMin: '', amountMin: '', probabilityMin: '', nextActionFrom: '', nextActionTo: '', lastActivityFrom: '', lastActivityTo: '', createdFrom: '', createdTo: '',
  },
  sort: { column: 'nextActionAt', descending: false },
  columns: [...columnIds],
};

const textFilters = ['q', 'stageId', 'ownerId', 'sourceId', 'campaignId', 'productId', 'status', 'scoreMin', 'amountMin', 'probabilityMin'] as const;
const dayFilters = [['nextActionFrom', 'nextActionTo'], ['lastActivityFrom', 'lastActivityTo'], ['createdFrom', 'createdTo']] as const;
const flagFilters = ['withoutNextAction', 'withoutActivity'] as const;
const isDay = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const numberOrUndefined = (s: string) => (s.trim() === '' || !Number.isFinite(Number(s.replace(',', '.'))) ? undefined : String(Number(s.replace(',', '.'))));

/**
 * The API query of a view (empty filters left out; the list builder takes comma lists). Day bounds
 * become the workspace's local midnights; the "to" day is included (the API bound is exclusive).
 */
export function viewToQuery(v: LeadView, timeZone = 'UTC'): Query {
  const f = v.filters;
  const q: Query = {
    q: f.q.trim() || undefined,
    stageId: f.stageId || undefined, ownerId: f.ownerId || undefined, sourceId: f.sourceId || undefined,
    campaignId: f.campaignId || undefined, productId: f.productId || undefined, status: f.status || undefined,
    scoreMin: numberOrUndefined(f.scoreMin), amountMin: numberOrUndefined(f.amountMin), probabilityMin: numberOrUndefined(f.probabilityMin),
    withoutNextAction: f.withoutNextAction ? 'true' : undefined,
    withoutActivity: f.withoutActivity ? 'true' : undefined,
    sort: `${v.sort.descending ? '-' : ''}${sortableColumns[v.sort.column]}`,
  };
  for (const [from, to] of dayFilters) {
    q[from] = f[from] ? zonedToIso(f[from], '00:00', timeZone) ?? undefined : undefined;
    q[to] = f[to] ? zonedToIso(dayAfter(f[to]), '00:00', timeZone) ?? undefined : undefined;
  }
  return q;
}

/** Clicking a header: a new column sorts ascending, the same column flips. */
export function toggleSort(current: SortState, column: ColumnId): SortState {
  return current.column === column ? { column, descending: !current.descending } : { column, descending: false };
}

const isColumn = (c: unknown): c is ColumnId => (columnIds as readonly unknown[]).includes(c);

/**
 * A view from the page's URL, so a link (a dashboard drill-down, a colleague's) opens the same list.
 * Unknown or malformed parameters are ignored; no parameter at all gives the default view.
 */
export function viewFromSearch(search: URLSearchParams): LeadView {
  const filters = { ...defaultView.filters };
  for (const k of textFilters) { const v = search.get(k); if (v !== null) filters[k] = v; }
  for (const pair of dayFilters) for (const k of pair) { const v = search.get(k); if (v && isDay(v)) filters[k] = v; }
  for (const k of flagFilters) if (search.get(k) === 'true') filters[k] = true;
  const sortRaw = search.get('sort') ?? '';
  const descending = sortRaw.startsWith('-');
  const column = sortRaw.replace(/^-/, '');
  const sort = isColumn(column) ? { column, descending } : defaultView.sort;
  const cols = search.get('columns')?.split(',').filter(isColumn);
  return { filters, sort, columns: cols?.length ? cols : defaultView.columns };
}

/** The URL parameters of a view: only what differs from the default, so links stay short. */
export function viewToSearch(v: LeadView): URLSearchParams {
  const out = new URLSearchParams();
  const d = defaultView.filters;
  for (const k of textFilters) if (v.filters[k] !== d[k]) out.set(k, v.filters[k]);
  for (const pair of dayFilters) for (const k of pair) if (v.filters[k]) out.set(k, v.filters[k]);
  for (const k of flagFilters) if (v.filters[k]) out.set(k, 'true');
  if (v.sort.column !== defaultView.sort.column || v.sort.descending !== defaultView.sort.descending) out.set('sort', `${v.sort.descending ? '-' : ''}${v.sort.column}`);
  if (v.columns.join(',') !== defaultView.columns.join(',')) out.set('columns', v.columns.join(','));
  return out;
}

/** Reads one stored view definition, dropping anything malformed (old versions, hand edits) instead of failing. */
export function parseViewDefinition(raw: unknown): LeadView {
  const x = (raw && typeof raw === 'object' ? raw : {}) as Partial<LeadView>;
  const columns = Array.isArray(x.columns) ? x.columns.filter(isColumn) : defaultView.columns;
  const sort = x.sort && isColumn(x.sort.column) ? { column: x.sort.column, descending: !!x.sort.descending } : defaultView.sort;
  const filters = { ...defaultView.filters };
  const given = (x.filters && typeof x.filters === 'object' ? x.filters : {}) as Record<string, unknown>;
  for (const k of Object.keys(filters) as (keyof LeadFilters)[]) {
    const v = given[k];
    if (typeof v === typeof filters[k]) (filters as Record<string, unknown>)[k] = v;
  }
  return { filters, sort, columns: columns.length ? columns : defaultView.columns };
}

/** Views kept in this browser by earlier versions, to move to the server once. */
export const LEGACY_STORAGE_KEY = 'seg.leadViews';
export function legacyViews(raw: string | null): (LeadView & { name: string })[] {
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    return list.flatMap((v) => (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string'
      ? [{ ...parseViewDefinition(v), name: (v as { name: string }).name }] : []));
  } catch {
    return [];
  }
}
