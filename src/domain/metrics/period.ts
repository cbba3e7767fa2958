import { fieldError, invalid, type FieldError } from '../errors.js';

/**
 * The window a metric looks at: [from, to) as instants, plus the workspace's time zone, which decides
 * which local day, week, month or quarter an instant belongs to. Definitions: docs/metrics.md.
 */
export type MetricPeriod = { from: Date; to: Date; timeZone: string };

export const periodUnits = ['week', 'month', 'quarter'] as const;
export type PeriodUnit = (typeof periodUnits)[number];

/** Longest period the dashboard accepts: ten years keeps every aggregate bounded. */
const MAX_DAYS = 3660;
const dayRe = /^(\d{4})-(\d{2})-(\d{2})$/;

const fmtCache = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = fmtCache.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    fmtCache.set(timeZone, f);
  }
  return f;
}

function localParts(d: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(d)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The calendar day (YYYY-MM-DD) an instant falls on in the zone. */
export function localDay(d: Date, timeZone: string): string {
  const p = localParts(d, timeZone);
  return `${String(p['year']).padStart(4, '0')}-${String(p['month']).padStart(2, '0')}-${String(p['day']).padStart(2, '0')}`;
}

/** The instant the local day starts in the zone (DST-safe: the offset is re-read at the answer). */
export function zonedMidnight(day: string, timeZone: string): Date {
  const m = dayRe.exec(day);
  if (!m) throw new Error(`not a day: ${day}`);
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  const offsetAt = (t: number) => {
    const p = localParts(new Date(t), timeZone);
    return Date.UTC(p['year']!, p['month']! - 1, p['day']!, p['hour']!, p['minute']!, p['second']!) - t;
  };
  let t = utc - offsetAt(utc);
  t = utc - offsetAt(t);
  return new Date(t);
}

/** The local calendar day `YYYY-MM-DD` plus n days. */
export const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The first day of the week (Monday, ISO), month or quarter holding the local day; mirrors SQL date_trunc. */
export function bucketStart(day: string, unit: PeriodUnit): string {
  if (unit === 'week') {
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
    return addDays(day, -((dow + 6) % 7));
  }
  const y = day.slice(0, 4);
  const month = Number(day.slice(5, 7));
  const first = unit === 'month' ? month : Math.floor((month - 1) / 3) * 3 + 1;
  return `${y}-${String(first).padStart(2, '0')}-01`;
}

export const bucketOf = (d: Date, unit: PeriodUnit, timeZone: string) => bucketStart(localDay(d, timeZone), unit);

export const inPeriod = (d: Date | null | undefined, p: MetricPeriod) => d != null && d >= p.from && d < p.to;

/**
 * Parses `from` and `to` (local days, both inclusive) into a period. A missing bound, a malformed day,
 * `to` before `from` or a span over ten years is a validation error naming the field.
 */
export function parsePeriod(from: string | undefined, to: string | undefined, timeZone: string): MetricPeriod {
  const errors: FieldError[] = [];
  const valid = (name: string, v: string | undefined) => {
    if (!v) { errors.push({ field: name, code: 'required', message: `${name} is required (YYYY-MM-DD).` }); return false; }
    const m = dayRe.exec(v);
    const t = Date.parse(`${v}T00:00:00Z`);
    const ok = m !== null && !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === v;
    if (!ok) errors.push({ field: name, code: 'invalid_format', message: `${name} must be a calendar day, YYYY-MM-DD.` });
    return ok;
  };
  const fromOk = valid('from', from);
  const toOk = valid('to', to);
  if (errors.length) throw invalid(errors, 'The period is not valid.');
  if (fromOk && toOk && to! < from!) throw fieldError('to', 'before_from', '`to` must be the same day as `from` or later.');
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000 + 1;
  if (days > MAX_DAYS) throw fieldError('to', 'too_long', 'The period is at most ten years.');
  return { from: zonedMidnight(from!, timeZone), to: zonedMidnight(addDays(to!, 1), timeZone), timeZone };
}

/** a ÷ b, or null when b is zero (shown as "—"): never NaN or Infinity. */
export function ratio(a: number, b: number): number | null {
  if (!b) return null;
  const r = a / b;
  return Number.isFinite(r) ? r : null;
}

/** Rounded to cents, for amounts (sums of numeric columns are exact in SQL, not in binary floats). */
export const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;
export const roundOrNull = (n: number | null, digits = 4) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** The middle value, or the mean of the two middle values (like SQL percentile_cont(0.5)); null when empty. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Counts rows per key, in first-seen order. */
export function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = m.get(k);
    if (list) list.push(r); else m.set(k, [r]);
  }
  return m;
}

/** Stable key for a nullable id: "none" stands for "no source", "no owner"… */
export const keyOf = (v: string | null | undefined) => v ?? 'none';

/**
 * Splits local days [fromDay, toDayExclusive) into the whole ISO weeks inside them
 * (`weeks`: [first Monday, end Monday), or null when none) and the days before and after them, so
 * weekly rollups answer the middle and daily ones the ragged edges, exactly.
 */
export function weekSpans(fromDay: string, toDayExclusive: string): { weeks: [string, string] | null; edges: [string, string][] } {
  const monday = bucketStart(fromDay, 'week');
  const firstWeek = monday === fromDay ? fromDay : addDays(monday, 7);
  const endWeek = bucketStart(toDayExclusive, 'week');
  if (firstWeek >= endWeek) return { weeks: null, edges: fromDay < toDayExclusive ? [[fromDay, toDayExclusive]] : [] };
  const edges: [string, string][] = [];
  if (fromDay < firstWeek) edges.push([fromDay, firstWeek]);
  if (endWeek < toDayExclusive) edges.push([endWeek, toDayExclusive]);
  return { weeks: [firstWeek, endWeek], edges };
}
