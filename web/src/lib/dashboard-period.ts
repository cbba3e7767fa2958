import type { Query } from '../api/client.js';
import { zonedToIso } from './format.js';

/**
 * The dashboard's view — period, breakdown unit and filters — kept in the URL so a view can be
 * shared by copying the address. Days are local calendar days of the workspace (docs/metrics.md).
 */
export const periodPresets = ['week', 'month', 'quarter', 'year', 'last30', 'last90', 'custom'] as const;
export type PeriodPreset = (typeof periodPresets)[number];
export const periodUnits = ['week', 'month', 'quarter'] as const;
export type PeriodUnit = (typeof periodUnits)[number];

export type DashboardView = {
  preset: PeriodPreset;
  /** Only read for `custom`; other presets are computed from today. */
  from: string; to: string;
  unit: PeriodUnit;
  teamId: string; ownerId: string; sourceId: string;
  /** Only the records of this saved segment's contacts; empty: everyone. */
  segmentId: string;
  /** The pipeline of the stage funnel; empty: the default one. */
  pipelineId: string;
};

export const defaultDashboardView: DashboardView = { preset: 'month', from: '', to: '', unit: 'week', teamId: '', ownerId: '', sourceId: '', segmentId: '', pipelineId: '' };

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (s: string | null): s is string => !!s && DAY.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`));

const utc = (day: string) => new Date(`${day}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);
export const addDays = (day: string, n: number) => iso(new Date(utc(day).getTime() + n * 86_400_000));

/** Monday of the ISO week of a day. */
export const weekStart = (day: string) => addDays(day, -((utc(day).getUTCDay() + 6) % 7));

/** First day of the month / quarter / year of a day. */
function startOf(day: string, unit: 'month' | 'quarter' | 'year'): string {
  const d = utc(day);
  const month = unit === 'month' ? d.getUTCMonth() : unit === 'quarter' ? d.getUTCMonth() - (d.getUTCMonth() % 3) : 0;
  return iso(new Date(Date.UTC(d.getUTCFullYear(), month, 1)));
}

function addMonths(day: string, n: number): string {
  const d = utc(day);
  return iso(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, d.getUTCDate())));
}

/**
 * The days (both inclusive) a view covers, given today in the workspace's time zone. Calendar
 * periods are whole (this month runs to its last day, so the future part counts as empty); the
 * "last N days" end today. A custom range missing a bound falls back to this month.
 */
export function periodRange(view: Pick<DashboardView, 'preset' | 'from' | 'to'>, today: string): { from: string; to: string } {
  switch (view.preset) {
    case 'week': { const from = weekStart(today); return { from, to: addDays(from, 6) }; }
    case 'month': { const from = startOf(today, 'month'); return { from, to: addDays(addMonths(from, 1), -1) }; }
    case 'quarter': { const from = startOf(today, 'quarter'); return { from, to: addDays(addMonths(from, 3), -1) }; }
    case 'year': { const from = startOf(today, 'year'); return { from, to: addDays(addMonths(from, 12), -1) }; }
    case 'last30': return { from: addDays(today, -29), to: today };
    case 'last90': return { from: addDays(today, -89), to: today };
    case 'custom':
      if (isDay(view.from) && isDay(view.to)) return { from: view.from, to: view.to };
      return periodRange({ preset: 'month', from: '', to: '' }, today);
  }
}

const pick = <T extends string>(values: readonly T[], v: string | null, fallback: T): T => (values as readonly string[]).includes(v ?? '') ? (v as T) : fallback;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idOrEmpty = (v: string | null) => (v && UUID.test(v) ? v : '');

/** Reads a view from the address; anything unknown or malformed falls back to the default. */
export function parseDashboardView(params: URLSearchParams): DashboardView {
  const from = params.get('from');
  const to = params.get('to');
  const hasRange = isDay(from) && isDay(to);
  // A shared link with only from/to is a custom range.
  const preset = pick(periodPresets, params.get('period'), hasRange ? 'custom' : defaultDashboardView.preset);
  return {
    preset,
    from: preset === 'custom' && isDay(from) ? from : '',
    to: preset === 'custom' && isDay(to) ? to : '',
    unit: pick(periodUnits, params.get('unit'), defaultDashboardView.unit),
    teamId: idOrEmpty(params.get('teamId')),
    ownerId: idOrEmpty(params.get('ownerId')),
    sourceId: idOrEmpty(params.get('sourceId')),
    segmentId: idOrEmpty(params.get('segmentId')),
    pipelineId: idOrEmpty(params.get('pipelineId')),
  };
}

/** The address query of a view, leaving defaults out so short links stay short. */
export function dashboardSearch(view: DashboardView): string {
  const p = new URLSearchParams();
  if (view.preset !== defaultDashboardView.preset) p.set('period', view.preset);
  if (view.preset === 'custom') { if (view.from) p.set('from', view.from); if (view.to) p.set('to', view.to); }
  if (view.unit !== defaultDashboardView.unit) p.set('unit', view.unit);
  for (const k of ['teamId', 'ownerId', 'sourceId', 'segmentId', 'pipelineId'] as const) if (view[k]) p.set(k, view[k]);
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** The API query (GET /dashboard, /metrics/{name}) of a view. */
export function dashboardQuery(view: DashboardView, today: string): Query {
  const { from, to } = periodRange(view, today);
  return { from, to, unit: view.unit, teamId: view.teamId || undefined, ownerId: view.ownerId || undefined, sourceId: view.sourceId || undefined, segmentId: view.segmentId || undefined, pipelineId: view.pipelineId || undefined };
}

/** The instants bounding local days `from`..`to` (the end is the midnight after `to`, exclusive). */
export function periodInstants(from: string, to: string, timeZone: string): { from: string; to: string } {
  return { from: zonedToIso(from, '00:00', timeZone) ?? `${from}T00:00:00.000Z`, to: zonedToIso(addDays(to, 1), '00:00', timeZone) ?? `${addDays(to, 1)}T00:00:00.000Z` };
}

/**
 * The buckets (first day, last day) of `unit` that meet the period, clipped to it: the sub-periods
 * a per-bucket chart asks for. At most `max`, the latest kept, so a ten-year range stays bounded.
 */
export function periodBuckets(from: string, to: string, unit: PeriodUnit, max = 24): { key: string; from: string; to: string }[] {
  const out: { key: string; from: string; to: string }[] = [];
  let start = unit === 'week' ? weekStart(from) : startOf(from, unit);
  while (start <= to) {
    const next = unit === 'week' ? addDays(start, 7) : addMonths(start, unit === 'month' ? 1 : 3);
    out.push({ key: start, from: start < from ? from : start, to: addDays(next, -1) > to ? to : addDays(next, -1) });
    start = next;
  }
  return out.slice(-max);
}

/**
 * The unit a per-bucket chart uses: the one chosen, or the next coarser one while the period
 * would need more than `max` buckets (a year by weeks is drawn by months), so the whole period is
 * always shown with a bounded number of requests.
 */
export function chartUnit(from: string, to: string, unit: PeriodUnit, max = 13): PeriodUnit {
  let u = unit;
  while (u !== 'quarter' && periodBuckets(from, to, u, Number.MAX_SAFE_INTEGER).length > max) u = u === 'week' ? 'month' : 'quarter';
  return u;
}
