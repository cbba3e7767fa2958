import type { Query } from '../api/client.js';
import { zonedToIso } from './format.js';

/** What the leads table shows: filters, sort and columns. A saved view is a named copy of it. */
export type LeadFilters = {
  q: string; stageId: string; ownerId: string; sourceId: string; status: string; withoutNextAction: boolean;
  /** Lower bounds typed by the user (empty = no bound). */
  scoreMin: string; amountMin: string;
  /** Next action between these days (YYYY-MM-DD, both included) in the workspace's time zone. */
  nextActionFrom: string; nextActionTo: string;
};
export const columnIds = ['contact', 'company', 'stage', 'score', 'probability', 'amount', 'source', 'owner', 'nextActionAt', 'lastActivityAt'] as const;
export type ColumnId = (typeof columnIds)[number];
/** Columns the API can sort by, with its sort name. */
export const sortableColumns: Partial<Record<ColumnId, string>> = {
  score: 'score', probability: 'probability', amount: 'amount', nextActionAt: 'nextActionAt', lastActivityAt: 'lastActivityAt',
};
export type SortState = { column: ColumnId; descending: boolean };
export type LeadView = { filters: LeadFilters; sort: SortState; columns: ColumnId[] };
export type SavedView = LeadView & { name: string };

export const defaultView: LeadView = {
  filters: { q: '', stageId: '', ownerId: '', sourceId: '', status: 'open', withoutNextAction: false, scoreMin: '', amountMin: '', nextActionFrom: '', nextActionTo: '' },
  sort: { column: 'nextActionAt', descending: false },
  columns: [...columnIds],
};

const dayAfter = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
const numberOrUndefined = (s: string) => (s.trim() === '' || !Number.isFinite(Number(s.replace(',', '.'))) ? undefined : String(Number(s.replace(',', '.'))));

/**
 * The API query of a view (empty filters left out; the list builder takes comma lists). Day bounds
 * become the workspace's local midnights; the "to" day is included (the API bound is exclusive).
 */
export function viewToQuery(v: LeadView, timeZone = 'UTC'): Query {
  const sortName = sortableColumns[v.sort.column] ?? 'nextActionAt';
  const f = v.filters;
  return {
    scoreMin: numberOrUndefined(f.scoreMin ?? ''),
    amountMin: numberOrUndefined(f.amountMin ?? ''),
    nextActionFrom: f.nextActionFrom ? zonedToIso(f.nextActionFrom, '00:00', timeZone) ?? undefined : undefined,
    nextActionTo: f.nextActionTo ? zonedToIso(dayAfter(f.nextActionTo), '00:00', timeZone) ?? undefined : undefined,
    q: v.filters.q.trim() || undefined,
    stageId: v.filters.stageId || undefined,
    ownerId: v.filters.ownerId || undefined,
    sourceId: v.filters.sourceId || undefined,
    status: v.filters.status || undefined,
    withoutNextAction: v.filters.withoutNextAction ? 'true' : undefined,
    sort: `${v.sort.descending ? '-' : ''}${sortName}`,
  };
}

/** Clicking a header: a new column sorts ascending, the same column flips. Unsortable columns do nothing. */
export function toggleSort(current: SortState, column: ColumnId): SortState {
  if (!sortableColumns[column]) return current;
  return current.column === column ? { column, descending: !current.descending } : { column, descending: false };
}

const STORAGE_KEY = 'seg.leadViews';

/** Reads saved views, dropping anything malformed (old versions, hand edits) instead of failing. */
export function parseSavedViews(raw: string | null): SavedView[] {
  if (!raw) return [];
  try {
    const list = JSON.parse(raw) as unknown;
    if (!Array.isArray(list)) return [];
    return list.flatMap((v): SavedView[] => {
      if (!v || typeof v !== 'object' || typeof (v as SavedView).name !== 'string') return [];
      const x = v as Partial<SavedView>;
      const columns = Array.isArray(x.columns) ? x.columns.filter((c): c is ColumnId => (columnIds as readonly string[]).includes(c)) : defaultView.columns;
      const sort = x.sort && (columnIds as readonly string[]).includes(x.sort.column) ? { column: x.sort.column, descending: !!x.sort.descending } : defaultView.sort;
      return [{ name: x.name!, filters: { ...defaultView.filters, ...(x.filters ?? {}) }, sort, columns }];
    });
  } catch {
    return [];
  }
}

export function loadSavedViews(storage: Pick<Storage, 'getItem'> = localStorage): SavedView[] {
  return parseSavedViews(storage.getItem(STORAGE_KEY));
}

/** Saves (or replaces, by name) a view; returns the new list. */
export function saveView(views: SavedView[], view: SavedView, storage: Pick<Storage, 'setItem'> = localStorage): SavedView[] {
  const next = [...views.filter((v) => v.name !== view.name), view].sort((a, b) => a.name.localeCompare(b.name));
  storage.setItem(STORAGE_KEY, JSON.stringify(next));
  return next;
}

export function deleteView(views: SavedView[], name: string, storage: Pick<Storage, 'setItem'> = localStorage): SavedView[] {
  const next = views.filter((v) => v.name !== name);
  storage.setItem(STORAGE_KEY, JSON.stringify(next));
  return next;
}
