/**
 * Day boundaries in a workspace's time zone. "Today" for a sales rep in Madrid is the span between
 * two local midnights, which is 23, 24 or 25 hours long depending on daylight saving changes, so it
 * is computed from the zone's rules (Intl) rather than by adding 24 hours.
 */

export type DayRange = { start: Date; end: Date; date: string };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows the IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

type Parts = { year: number; month: number; day: number; hour: number; minute: number; second: number };

function localParts(at: Date, timeZone: string): Parts {
  const p: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(at)) if (part.type !== 'literal') p[part.type] = Number(part.value);
  return { year: p['year']!, month: p['month']!, day: p['day']!, hour: p['hour']!, minute: p['minute']!, second: p['second']! };
}

/** Offset of the zone from UTC at an instant, in milliseconds (Madrid in winter: +3 600 000). */
export function zoneOffsetMs(at: Date, timeZone: string): number {
  const p = localParts(at, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * The instant at which the local wall clock in the zone shows the given date at 00:00. Midnight
 * never falls in a DST gap in the zones we serve, but if it did, the first existing local instant
 * after it is returned.
 */
export function startOfLocalDay(year: number, month: number, day: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day);
  // wall - offset is right when the offset is read at the answer itself; around a DST change the
  // offset at the naive instant differs, so both candidates are tried and checked on the wall clock.
  const first = wall - zoneOffsetMs(new Date(wall), timeZone);
  const second = wall - zoneOffsetMs(new Date(first), timeZone);
  const candidates = [...new Set([first, second])].sort((a, b) => a - b);
  const sameDay = candidates.filter((c) => {
    const p = localParts(new Date(c), timeZone);
    return p.year === year && p.month === month && p.day === day;
  });
  const exact = sameDay.find((c) => localParts(new Date(c), timeZone).hour === 0 && localParts(new Date(c), timeZone).minute === 0);
  return new Date(exact ?? sameDay[0] ?? second);
}

/** The local calendar day containing `now` in the zone: [start, end) and its ISO date. */
export function dayRange(now: Date, timeZone: string): DayRange {
  const p = localParts(now, timeZone);
  const start = startOfLocalDay(p.year, p.month, p.day, timeZone);
  const next = new Date(Date.UTC(p.year, p.month - 1, p.day + 1));
  const end = startOfLocalDay(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone);
  const date = `${String(p.year).padStart(4, '0')}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  return { start, end, date };
}

/** Default follow-up cadence: a client not contacted within a week shows up as stale. */
export const DEFAULT_CADENCE_DAYS = 7;

/** The workspace's cadence from its settings, falling back to the default when absent or invalid. */
export function cadenceDaysOf(settings: Record<string, unknown> | null | undefined): number {
  const v = settings?.['cadenceDays'];
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 365 ? v : DEFAULT_CADENCE_DAYS;
}

/** A contact whose last activity is before this instant (or who has none) is stale. */
export const staleBefore = (now: Date, cadenceDays: number) => new Date(now.getTime() - cadenceDays * 24 * 60 * 60 * 1000);
