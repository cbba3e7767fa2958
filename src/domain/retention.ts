/**
 * How long cancelled records are kept before they are deleted for good. Cancelling is reversible;
 * purging is not, so the cutoff errs on the side of keeping: a record is purged only once strictly
 * more than `retentionDays` whole days (of 24 h, independent of time zone and DST) have passed.
 */

export const DEFAULT_RETENTION_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;
/** Ten years: beyond it a value is almost certainly a typo (e.g. 36500), and `Date` arithmetic stays exact. */
export const MAX_RETENTION_DAYS = 3650;

/**
 * The workspace's retention from `settings.retentionDays`. Absent or invalid values (not a whole
 * number from 1 to MAX_RETENTION_DAYS) fall back to the default rather than to something shorter,
 * because a bad setting must never delete data earlier than intended.
 */
export function retentionDaysOf(settings: Record<string, unknown> | null | undefined): number {
  const v = settings?.['retentionDays'];
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_RETENTION_DAYS) return v;
  return DEFAULT_RETENTION_DAYS;
}

/** Records cancelled strictly before this instant are past retention. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new RangeError(`retentionDays must be a positive whole number, got ${retentionDays}`);
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Whether a record cancelled at `cancelledAt` may be purged at `now`. Never purges what is not cancelled. */
export function isPastRetention(cancelledAt: Date | null, now: Date, retentionDays: number): boolean {
  if (!cancelledAt) return false;
  return cancelledAt.getTime() < retentionCutoff(now, retentionDays).getTime();
}
