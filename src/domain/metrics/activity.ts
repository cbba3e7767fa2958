import { bucketOf, groupBy, inPeriod, keyOf, localDay, type MetricPeriod } from './period.js';
import type { LeadFact } from './conversion.js';

export type ActivityFact = { type: string; userId: string | null; occurredAt: Date | null; dueAt: Date | null; doneAt: Date | null };
export type InteractionRow = { userId: string; type: string; week: string; count: number };

/** When a done activity happened: its occurredAt, else when it was marked done. */
const happenedAt = (a: ActivityFact) => a.occurredAt ?? a.doneAt;

/**
 * Interactions per salesperson × type × week (Monday of the local week): done activities other
 * than notes (a note is not a contact with the client), attributed to when they happened.
 */
export function interactions(activities: readonly ActivityFact[], period: MetricPeriod): InteractionRow[] {
  const xs = activities.filter((a) => a.doneAt !== null && a.type !== 'note' && inPeriod(happenedAt(a), period));
  return [...groupBy(xs, (a) => `${keyOf(a.userId)}|${a.type}|${bucketOf(happenedAt(a)!, 'week', period.timeZone)}`)]
    .map(([k, as]) => { const [userId, type, week] = k.split('|') as [string, string, string]; return { userId, type, week, count: as.length }; })
    .sort((a, b) => a.userId.localeCompare(b.userId) || a.type.localeCompare(b.type) || a.week.localeCompare(b.week));
}

export type CountByUser = { userId: string; count: number };
const countBy = <T>(xs: readonly T[], key: (x: T) => string | null): CountByUser[] =>
  [...groupBy(xs, (x) => keyOf(key(x)))].map(([userId, ys]) => ({ userId, count: ys.length })).sort((a, b) => a.userId.localeCompare(b.userId));

/** Open leads whose next action is already past at `now` (a snapshot, not tied to the period), per owner. */
export function overdueNextActions(leads: readonly LeadFact[], now: Date): { total: number; byOwner: CountByUser[] } {
  const xs = leads.filter((l) => l.status === 'open' && l.nextActionAt !== null && l.nextActionAt < now);
  return { total: xs.length, byOwner: countBy(xs, (l) => l.ownerId) };
}

/**
 * Cadence misses: planned activities due in the period (and already due at `now`) that were not done
 * by the end of their local due day — never done, or done on a later day.
 */
export function cadenceMisses(activities: readonly ActivityFact[], period: MetricPeriod, now: Date): { total: number; byUser: CountByUser[] } {
  const tz = period.timeZone;
  const xs = activities.filter((a) => a.dueAt !== null && inPeriod(a.dueAt, period) && a.dueAt < now
    && (a.doneAt === null || localDay(a.doneAt, tz) > localDay(a.dueAt, tz)));
  return { total: xs.length, byUser: countBy(xs, (a) => a.userId) };
}
