import type { ActivityType } from './activity.js';
import { AppError, fieldError, invalid, type FieldError } from './errors.js';
import type { FeedbackChannel } from './feedback.js';
import { addDays } from './metrics/period.js';
import { dayRange, startOfLocalDay, zoneOffsetMs } from './today.js';

/**
 * The post-sale follow-up: after every sale the seller calls (or writes to, or visits) the client
 * between day `minDays` and day `maxDays` after the sale, counted in calendar days of the workspace's
 * time zone. By default from day 2 to day 7, planned on day 2 at 10:00 local time.
 */
export const followUpStatuses = ['planned', 'done', 'cancelled'] as const;
export type FollowUpStatus = (typeof followUpStatuses)[number];

export type FollowUpWindowSetting = { minDays: number; maxDays: number; dueTime: string };
/** The window as applied: the workspace setting plus its time zone. */
export type FollowUpWindow = FollowUpWindowSetting & { timeZone: string };

export const DEFAULT_FOLLOW_UP_WINDOW: FollowUpWindowSetting = { minDays: 2, maxDays: 7, dueTime: '10:00' };
const MAX_WINDOW_DAYS = 365;
const timeRe = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Validates `settings.followUpWindow` as an admin sends it (missing parts take the defaults).
 * Field paths are relative to the settings object.
 */
export function parseFollowUpWindowSetting(value: unknown): FollowUpWindowSetting {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw fieldError('followUpWindow', 'invalid_type', 'followUpWindow must be an object {minDays, maxDays, dueTime}.');
  }
  const v = value as Record<string, unknown>;
  const out = { ...DEFAULT_FOLLOW_UP_WINDOW };
  const errors: FieldError[] = [];
  for (const k of ['minDays', 'maxDays'] as const) {
    if (v[k] === undefined) continue;
    const n = v[k];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_WINDOW_DAYS) {
      errors.push({ field: `followUpWindow.${k}`, code: 'out_of_range', message: `${k} must be a whole number of days from 0 to ${MAX_WINDOW_DAYS}.` });
    } else {
      out[k] = n;
    }
  }
  if (v['dueTime'] !== undefined) {
    if (typeof v['dueTime'] !== 'string' || !timeRe.test(v['dueTime'])) {
      errors.push({ field: 'followUpWindow.dueTime', code: 'invalid_format', message: 'dueTime must be a local time HH:MM, e.g. 10:00.' });
    } else {
      out.dueTime = v['dueTime'];
    }
  }
  if (!errors.length && out.minDays > out.maxDays) {
    errors.push({ field: 'followUpWindow.maxDays', code: 'too_small', message: 'maxDays must not be before minDays.' });
  }
  if (errors.length) throw invalid(errors);
  return out;
}

/** The window a workspace applies: its setting when valid, otherwise the default (never throws). */
export function followUpWindowOf(settings: Record<string, unknown> | null | undefined, timeZone: string): FollowUpWindow {
  const raw = settings?.['followUpWindow'];
  if (raw === undefined || raw === null) return { ...DEFAULT_FOLLOW_UP_WINDOW, timeZone };
  try {
    return { ...parseFollowUpWindowSetting(raw), timeZone };
  } catch {
    return { ...DEFAULT_FOLLOW_UP_WINDOW, timeZone };
  }
}

const ymd = (date: string) => date.split('-').map(Number) as [number, number, number];

/**
 * The instant the zone's wall clock shows `date` at `time` (HH:MM). A time that does not exist
 * (inside a spring-forward gap) gives the instant just after the gap.
 */
export function atLocalTime(date: string, time: string, timeZone: string): Date {
  const [y, m, d] = ymd(date);
  const [hh, mm] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(y, m - 1, d, hh, mm);
  const first = wall - zoneOffsetMs(new Date(wall), timeZone);
  const second = wall - zoneOffsetMs(new Date(first), timeZone);
  const exact = [first, second].find((c) => c + zoneOffsetMs(new Date(c), timeZone) === wall);
  return new Date(exact ?? Math.max(first, second));
}

export type FollowUpRange = {
  /** First local day allowed and last local day allowed, 'YYYY-MM-DD'. */
  firstDay: string;
  lastDay: string;
  /** [from, to): from the start of the first day to the end of the last. */
  from: Date;
  to: Date;
};

/** Where a sale's follow-up may fall. */
export function followUpRange(soldAt: Date, w: FollowUpWindow): FollowUpRange {
  const saleDay = dayRange(soldAt, w.timeZone).date;
  const firstDay = addDays(saleDay, w.minDays);
  const lastDay = addDays(saleDay, w.maxDays);
  const after = ymd(addDays(lastDay, 1));
  return {
    firstDay, lastDay,
    from: startOfLocalDay(...ymd(firstDay), w.timeZone),
    to: startOfLocalDay(...after, w.timeZone),
  };
}

/** The follow-up a new sale gets: the first day of the window at the workspace's due time. */
export function defaultFollowUpDue(soldAt: Date, w: FollowUpWindow): Date {
  return atLocalTime(followUpRange(soldAt, w).firstDay, w.dueTime, w.timeZone);
}

/**
 * Whether a sale recorded now still gets a follow-up: not when its whole window is already past
 * (a sale entered weeks late, or imported history), which would only fill Today with calls whose
 * moment is gone. A sale recorded inside its window is followed up, due at once if day 2 has passed.
 */
export const isFollowUpWindowOpen = (soldAt: Date, now: Date, w: FollowUpWindow) => now.getTime() < followUpRange(soldAt, w).to.getTime();

/** Refuses a due date outside the sale's window, naming the allowed days (422 on `dueAt`). */
export function checkFollowUpDate(soldAt: Date, dueAt: Date, w: FollowUpWindow): void {
  const r = followUpRange(soldAt, w);
  if (dueAt.getTime() >= r.from.getTime() && dueAt.getTime() < r.to.getTime()) return;
  const message = `A post-sale follow-up is due from day ${w.minDays} to day ${w.maxDays} after the sale: `
    + `between ${r.firstDay} and ${r.lastDay} (${w.timeZone}).`;
  throw new AppError('validation', message, [{ field: 'dueAt', code: 'outside_window', message }], {
    allowedFrom: r.from.toISOString(), allowedTo: r.to.toISOString(), allowedFirstDay: r.firstDay, allowedLastDay: r.lastDay,
  });
}

export type FollowUpState = { status: FollowUpStatus; dueAt: Date; soldAt: Date };
export type FollowUpPatch = { dueAt?: Date; status?: FollowUpStatus };

/**
 * Editing a follow-up: a planned one may be moved inside the window (the window as the workspace
 * sets it now, so an admin who widens it allows more) or cancelled; a cancelled one may be planned
 * again. It becomes done only by completing it, which records the client's answer.
 */
export function reviseFollowUp(before: FollowUpState, patch: FollowUpPatch, w: FollowUpWindow): { dueAt?: Date; status?: FollowUpStatus } {
  const out: { dueAt?: Date; status?: FollowUpStatus } = {};
  if (before.status === 'done' && (patch.dueAt !== undefined || (patch.status !== undefined && patch.status !== 'done'))) {
    throw new AppError('conflict', 'The follow-up is already done.', [], { reason: 'already_done' });
  }
  if (patch.status !== undefined && patch.status !== before.status) {
    if (patch.status === 'done') throw fieldError('status', 'use_complete', 'Complete the follow-up (POST …/complete) with the client\'s answer.');
    out.status = patch.status;
  }
  const status = out.status ?? before.status;
  if (patch.dueAt !== undefined && patch.dueAt.getTime() !== before.dueAt.getTime()) {
    if (status !== 'planned') throw fieldError('dueAt', 'not_planned', 'Only a planned follow-up can be moved.');
    checkFollowUpDate(before.soldAt, patch.dueAt, w);
    out.dueAt = patch.dueAt;
  }
  return out;
}

/** Completing: only a planned follow-up; twice is a conflict, not a silent no-op. */
export function completeFollowUp(before: Pick<FollowUpState, 'status'>, now: Date): { status: 'done'; doneAt: Date } {
  if (before.status === 'done') throw new AppError('conflict', 'The follow-up is already done.', [], { reason: 'already_done' });
  if (before.status === 'cancelled') throw new AppError('conflict', 'The follow-up was cancelled; plan it again first.', [], { reason: 'cancelled' });
  return { status: 'done', doneAt: now };
}

/** The activity a completed follow-up leaves on the contact's timeline, by how the client was reached. */
export function activityTypeForChannel(channel: FeedbackChannel): ActivityType {
  switch (channel) {
    case 'phone': return 'call';
    case 'visit': return 'visit';
    case 'email': return 'email';
    case 'whatsapp': case 'web': return 'message';
  }
}

/** A planned follow-up whose due time has passed. */
export const isFollowUpOverdue = (f: Pick<FollowUpState, 'status' | 'dueAt'>, now: Date) =>
  f.status === 'planned' && f.dueAt.getTime() < now.getTime();
