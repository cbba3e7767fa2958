import { dayRange, zoneOffsetMs } from '../domain/today.js';

const MINUTE = 60_000;
/** The longest wait between two attempts; a job failing for a day is better reported than retried forever. */
export const MAX_RETRY_DELAY_MS = 6 * 60 * MINUTE;

/** Wait before the next attempt after `attempts` failed ones: 1, 2, 4, 8… minutes, capped. */
export function retryDelayMs(attempts: number): number {
  const n = Math.max(1, Math.floor(attempts));
  return Math.min(MINUTE * 2 ** Math.min(n - 1, 30), MAX_RETRY_DELAY_MS);
}

/**
 * The instant at which the wall clock in `timeZone` shows `hour:minute` on the local day containing
 * `now`. On a daylight-saving change day the offset at that time of day (not at midnight) is used, so
 * 03:00 in Madrid on the spring change day is 03:00 CEST.
 */
export function localTimeOn(now: Date, timeZone: string, hour: number, minute = 0): { date: string; at: Date } {
  const day = dayRange(now, timeZone);
  const naive = day.start.getTime() + (hour * 60 + minute) * MINUTE;
  const at = new Date(naive + zoneOffsetMs(day.start, timeZone) - zoneOffsetMs(new Date(naive), timeZone));
  return { date: day.date, at };
}

/**
 * Today's run of a daily schedule at `hour:minute` workspace time, once that time has come; null
 * before it. Any tick later that day returns the same run (same local date, hence the same job id),
 * so an instance that was down at 03:00 still runs the 03:00 job when it comes back.
 */
export function dailyRun(now: Date, timeZone: string, hour: number, minute = 0): { date: string; runAt: Date } | null {
  const { date, at } = localTimeOn(now, timeZone, hour, minute);
  return now.getTime() >= at.getTime() ? { date, runAt: at } : null;
}
