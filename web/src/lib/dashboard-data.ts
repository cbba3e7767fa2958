import { toQueryString, type Query } from '../api/client.js';

import type { components } from '../api/openapi.js';

// Shapes of GET /api/v1/dashboard and its cards, from the OpenAPI document (src/http/routes/metric-schemas.ts;
// definitions in docs/metrics.md). Every ratio may be null (a zero denominator).
type S = components['schemas'];
export type ConversionRow = S['ConversionRow'];
export type StageStep = S['StageStep'];
export type CplRow = S['CplRow'];
export type SalesByClientType = S['SalesByClientType'];
export type FrequencyRow = S['FrequencyRow'];
export type Nps = S['Nps'];
export type Complaints = S['Complaints'];
export type Portfolio = S['PortfolioValue'];
export type PipelineRow = S['PipelineRow'];
export type PipelineValue = S['PipelineValue'];
export type WinRate = S['WinRate'];
export type InteractionRow = S['InteractionRow'];
/** The dashboard's interactions card; the full per user × type × week table is GET /metrics/interactions. */
export type InteractionsSummary = S['InteractionsSummary'];
export type WeeklyRow = S['WeeklyRow'];
/** The dashboard's weekly card: new leads per week × source; the product × place table is GET /metrics/weeklyNewLeads. */
export type WeeklyBySource = S['WeeklyBySource'];
export type Dashboard = S['Dashboard'];
export type CardValues = { [K in keyof Dashboard['cards']]: Dashboard['cards'][K]['value'] };
export type MetricName = keyof CardValues;
/** A card's drill-down: API list links, one per figure, or per breakdown key. */
export type DrillDown = S['DrillDown'];
export type Card<K extends MetricName> = Dashboard['cards'][K];

/** The API link of one figure of a card (`won`) or of one breakdown row (`bySource`, key). */
export function drillLink(drill: DrillDown | undefined, figure: string, key?: string): string | null {
  const v = drill?.[figure];
  if (typeof v === 'string') return key === undefined ? v : null;
  if (v && key !== undefined) return v[key] ?? null;
  return null;
}

const lists = ['leads', 'sales', 'contacts', 'complaints', 'feedback', 'activities', 'campaigns'] as const;
export type RecordList = (typeof lists)[number];
export const isRecordList = (s: string | null): s is RecordList => (lists as readonly string[]).includes(s ?? '');

/**
 * The web address listing the records behind an API drill-down link
 * (`/api/v1/leads?status=won…` → `/dashboard/records?list=leads&status=won…`); null for a link
 * to a list the records page does not know.
 */
export function recordsHref(apiLink: string | null | undefined): string | null {
  if (!apiLink) return null;
  const m = /^\/api\/v1\/([a-z-]+)(?:\?(.*))?$/.exec(apiLink);
  if (!m || !isRecordList(m[1]!)) return null;
  const params = new URLSearchParams(m[2] ?? '');
  const out = new URLSearchParams({ list: m[1]! });
  for (const [k, v] of params) out.set(k, v);
  return `/dashboard/records?${out.toString()}`;
}

/** The API list and query a records page address asks for (everything but `list` is passed on). */
export function recordsQuery(params: URLSearchParams): { list: RecordList; query: Record<string, string> } | null {
  const list = params.get('list');
  if (!isRecordList(list)) return null;
  const query: Record<string, string> = {};
  for (const [k, v] of params) if (k !== 'list') query[k] = v;
  return { list, query };
}

// Nobody's numbers (an owner outside what the actor may see) must list nothing, not everything.
const NOBODY = '00000000-0000-0000-0000-000000000000';
const ownersParam = (ownerIds: string[] | null) => (ownerIds === null ? undefined : ownerIds.join(',') || NOBODY);

/**
 * The API link of the leads created between two instants behind one cell of the weekly statistics
 * (or of a per-week chart), narrowed like the dashboard (owners, source) plus the row's own keys.
 * Neighbourhood and city cannot be filtered on the leads list, so a row's link lists the leads of
 * its week, source and product.
 */
export function leadCohortLink(range: { from: string; to: string }, ownerIds: string[] | null, keys: { sourceId?: string | null; productId?: string | null }): string {
  const q: Query = {
    createdFrom: range.from, createdTo: range.to, ownerId: ownersParam(ownerIds),
    sourceId: keys.sourceId && keys.sourceId !== 'none' ? keys.sourceId : undefined,
    productId: keys.productId && keys.productId !== 'none' ? keys.productId : undefined,
  };
  return `/api/v1/leads${toQueryString(q)}`;
}

// Interactions leave notes out (docs/metrics.md#activity).
const interactionTypes = ['call', 'email', 'meeting', 'visit', 'message', 'task'];

/** The done interactions of one salesperson (or, with `none`, of everyone shown) in one week. */
export function activityWeekLink(range: { from: string; to: string }, ownerIds: string[] | null, userId: string): string {
  return `/api/v1/activities${toQueryString({
    occurredFrom: range.from, occurredTo: range.to, done: 'true', type: interactionTypes.join(','),
    userId: userId !== 'none' ? userId : ownersParam(ownerIds),
  })}`;
}

/** The open leads expected to close in one month (`YYYY-MM`); null for leads without a date (not a list filter). */
export function forecastMonthLink(month: string, ownerIds: string[] | null, sourceId: string | null): string | null {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return null;
  const next = Number(m[2]) === 12 ? `${Number(m[1]) + 1}-01` : `${m[1]}-${String(Number(m[2]) + 1).padStart(2, '0')}`;
  return `/api/v1/leads${toQueryString({ status: 'open', expectedCloseFrom: `${month}-01`, expectedCloseTo: `${next}-01`, ownerId: ownersParam(ownerIds), sourceId: sourceId || undefined })}`;
}

/** A drill-down link with one filter replaced (a breakdown row of a card that links only its total). */
export function withParam(link: string | null, key: string, value: string): string | null {
  if (!link) return null;
  const [path, qs] = link.split('?') as [string, string | undefined];
  const p = new URLSearchParams(qs ?? '');
  p.set(key, value);
  return `${path}?${p.toString()}`;
}

/** The download link of one metric's table, with the dashboard's filters. */
export function exportHref(name: MetricName, query: Query, format: 'csv' | 'xlsx'): string {
  return `/api/v1/metrics/${name}${toQueryString({ ...query, format })}`;
}

/** A value or "—": a zero denominator is never shown as NaN, Infinity or 0. */
export function orDash<T>(v: T | null | undefined, show: (x: T) => string): string {
  if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '—';
  return show(v);
}

/** 0–1 ratio → "35 %" through the locale's percent formatter (which takes 0–100). */
export const ratioText = (percent: (n: number) => string, r: number | null | undefined) => orDash(r, (x) => percent(x * 100));

/** Funnel steps in position order, each with its count and its rate from the previous step. */
export function funnelData(steps: readonly StageStep[]): StageStep[] {
  return [...steps].sort((a, b) => a.position - b.position);
}

/** Forecast by expected close month: months in order, leads without a date ("none") last. */
export function forecastData(rows: readonly PipelineRow[]): PipelineRow[] {
  return [...rows].sort((a, b) => (a.key === 'none' ? 1 : b.key === 'none' ? -1 : a.key.localeCompare(b.key)));
}

/** The latest bucket with orders: the headline frequency and intensity ("per month" now). */
export function latestFrequency(rows: readonly FrequencyRow[]): FrequencyRow | null {
  const withOrders = [...rows].filter((r) => r.orders > 0).sort((a, b) => a.bucket.localeCompare(b.bucket));
  return withOrders.at(-1) ?? null;
}

export type Pivot = { rows: string[]; series: string[]; data: Record<string, number | string>[]; totals: Record<string, number> };

/**
 * Rows of (row key, series key, count) as a chart/table matrix: one object per row key (sorted)
 * with a number per series (0 where none), series ordered by their total, largest first.
 */
export function pivot<T>(items: readonly T[], rowOf: (x: T) => string, seriesOf: (x: T) => string, countOf: (x: T) => number): Pivot {
  const totals: Record<string, number> = {};
  const cells = new Map<string, Record<string, number>>();
  for (const x of items) {
    const r = rowOf(x);
    const s = seriesOf(x);
    const row = cells.get(r) ?? {};
    row[s] = (row[s] ?? 0) + countOf(x);
    cells.set(r, row);
    totals[s] = (totals[s] ?? 0) + countOf(x);
  }
  const rows = [...cells.keys()].sort();
  const series = Object.keys(totals).sort((a, b) => totals[b]! - totals[a]! || a.localeCompare(b));
  const data = rows.map((r) => ({ key: r, ...Object.fromEntries(series.map((s) => [s, cells.get(r)![s] ?? 0])) }));
  return { rows, series, data, totals };
}

/** Interactions per salesperson per week (all activity types added up). */
export const activityByWeek = <R extends { week: string; userId: string; count: number }>(rows: readonly R[]) => pivot(rows, (r) => r.week, (r) => r.userId, (r) => r.count);

/**
 * Weekly new leads by source, from the weekly statistics. Those count a lead once per product of
 * interest (docs/metrics.md), so a lead interested in two products counts twice here too; with
 * one product or none per lead (the usual case) the sums are exact. The page says so under the chart.
 */
export const newLeadsBySource = (card: WeeklyBySource) => pivot(card.byWeek, (r) => r.week, (r) => r.sourceId, (r) => r.count);

/** The weekly statistics table: weeks in order, then the busiest rows first. */
export function weeklyTable(rows: readonly WeeklyRow[]): WeeklyRow[] {
  return [...rows].sort((a, b) => a.week.localeCompare(b.week) || b.count - a.count || a.sourceId.localeCompare(b.sourceId) || a.productId.localeCompare(b.productId));
}

const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0);

/**
 * Where an objective's bar is filled to and where its expected-pace mark stands, as 0–100 % of the
 * bar. Amounts and counts run from 0 to the target; NPS, a level from −100 to 100, is drawn on
 * that whole scale. No measurement yet (null) draws an empty bar.
 */
export function objectiveBar(metric: string, p: { actual: number | null; target: number; expected: number }): { fill: number; pace: number } {
  if (metric === 'nps') {
    const at = (v: number) => clamp01((v + 100) / 200) * 100;
    return { fill: p.actual === null ? 0 : at(p.actual), pace: at(p.expected) };
  }
  if (p.target <= 0) return { fill: p.actual !== null && p.actual >= p.target ? 100 : 0, pace: 100 };
  return { fill: p.actual === null ? 0 : clamp01(p.actual / p.target) * 100, pace: clamp01(p.expected / p.target) * 100 };
}

/**
 * A calendar day key (`YYYY-MM-DD`, a local day of the workspace already) in the user's language.
 * Read as UTC so no time zone moves it to the day before.
 */
export function formatDay(locale: string, day: string, opts: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' }): string {
  const d = new Date(`${day.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? day : new Intl.DateTimeFormat(locale, { ...opts, timeZone: 'UTC' }).format(d);
}

/** A `YYYY-MM` month key as "nov 2026" / "Nov 2026". */
export const formatMonth = (locale: string, month: string) => formatDay(locale, `${month}-01`, { month: 'short', year: 'numeric' });
