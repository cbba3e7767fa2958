import type { Actor } from './access.js';
import { AppError, fieldError, forbidden, invalid, type FieldError } from './errors.js';

export const activityTypes = ['call', 'email', 'meeting', 'visit', 'message', 'note', 'task'] as const;
export type ActivityType = (typeof activityTypes)[number];

/** When an activity happened or is due, and whether it is done. */
export type ActivityTiming = { occurredAt: Date | null; dueAt: Date | null; doneAt: Date | null };

export type ActivityLinks = { leadId?: string | null; contactId?: string | null; companyId?: string | null };

/**
 * Grace for "not in the future": a call logged at 10:00 as having happened at 10:00 is not refused
 * because the client's clock is a little ahead of ours.
 */
const FUTURE_GRACE_MS = 5 * 60 * 1000;

/** Done means it happened (logged, or planned and then completed); planned means it is still ahead. */
export const isDone = (a: Pick<ActivityTiming, 'doneAt'>) => a.doneAt !== null;
export const isPlanned = (a: Pick<ActivityTiming, 'doneAt'>) => a.doneAt === null;

/**
 * A note is written about the client, not with them: it neither moves the lead's next action nor
 * counts as the last contact. Every other type is an interaction.
 */
export const countsAsInteraction = (type: ActivityType) => type !== 'note';

/** A done interaction is what the next-action invariant and "last activity" dates react to. */
export const isDoneInteraction = (a: { type: ActivityType } & Pick<ActivityTiming, 'doneAt'>) =>
  isDone(a) && countsAsInteraction(a.type);

/** The moment a timeline orders by: when it happened, or when it is due. Mirrors the SQL coalesce(occurred_at, due_at). */
export function timelineAt(a: Pick<ActivityTiming, 'occurredAt' | 'dueAt'>): Date {
  const at = a.occurredAt ?? a.dueAt;
  if (!at) throw new Error('An activity has occurredAt or dueAt.');
  return at;
}

/** Timeline order: newest first, ties broken by id (descending), exactly like the list query. */
export function compareTimeline(
  a: Pick<ActivityTiming, 'occurredAt' | 'dueAt'> & { id: string },
  b: Pick<ActivityTiming, 'occurredAt' | 'dueAt'> & { id: string },
): number {
  const d = timelineAt(b).getTime() - timelineAt(a).getTime();
  if (d !== 0) return d;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** An activity belongs to something: a lead, a contact or a company. */
export function checkActivityLinks(links: ActivityLinks): void {
  if (!links.leadId && !links.contactId && !links.companyId) {
    throw fieldError('contactId', 'required', 'An activity needs a lead, a contact or a company.');
  }
}

/**
 * The timing of a new activity: `occurredAt` logs an interaction (done when it happened; now if
 * neither is given), `dueAt` plans one. Both at once is ambiguous and refused; something cannot
 * have happened in the future.
 */
export function startActivity(input: { occurredAt?: Date | null; dueAt?: Date | null }, now: Date): ActivityTiming {
  const { occurredAt, dueAt } = input;
  if (occurredAt && dueAt) {
    throw fieldError('dueAt', 'not_with_occurred_at', 'Give occurredAt for a logged interaction or dueAt for a planned one, not both.');
  }
  if (dueAt) return { occurredAt: null, dueAt, doneAt: null };
  const at = occurredAt ?? now;
  if (at.getTime() > now.getTime() + FUTURE_GRACE_MS) {
    throw fieldError('occurredAt', 'in_the_future', 'A logged interaction cannot have happened in the future; plan it with dueAt.');
  }
  return { occurredAt: at, dueAt: null, doneAt: at };
}

/** Completing a planned activity: it happened now. Completing twice is a conflict, not a silent no-op. */
export function completeActivity(a: ActivityTiming, now: Date): Pick<ActivityTiming, 'occurredAt' | 'doneAt'> {
  if (isDone(a)) throw new AppError('conflict', 'The activity is already done.', [], { reason: 'already_done' });
  return { occurredAt: now, doneAt: now };
}

/**
 * Changing when an activity happened or is due. A planned activity becomes done only through
 * completion (which applies the next-action invariant), so its occurredAt cannot be set by an edit.
 */
export function reviseActivityTiming(
  before: ActivityTiming, patch: { occurredAt?: Date | null; dueAt?: Date | null }, now: Date,
): Partial<ActivityTiming> {
  const errors: FieldError[] = [];
  const out: Partial<ActivityTiming> = {};
  if (patch.occurredAt !== undefined) {
    if (isPlanned(before)) {
      errors.push({ field: 'occurredAt', code: 'not_done', message: 'Complete a planned activity instead of setting when it happened.' });
    } else if (patch.occurredAt === null) {
      errors.push({ field: 'occurredAt', code: 'required', message: 'A done activity keeps when it happened.' });
    } else if (patch.occurredAt.getTime() > now.getTime() + FUTURE_GRACE_MS) {
      errors.push({ field: 'occurredAt', code: 'in_the_future', message: 'A logged interaction cannot have happened in the future.' });
    } else {
      out.occurredAt = patch.occurredAt;
    }
  }
  if (patch.dueAt !== undefined) {
    if (patch.dueAt === null && isPlanned(before)) {
      errors.push({ field: 'dueAt', code: 'required', message: 'A planned activity needs its due date.' });
    } else {
      out.dueAt = patch.dueAt;
    }
  }
  if (errors.length) throw invalid(errors);
  return out;
}

/**
 * `nextAction` in a request only means something where the invariant applies: a done interaction
 * on a lead. Elsewhere it is refused rather than silently dropped.
 */
export function checkNextActionPlacement(a: { type: ActivityType; doneAt: Date | null; leadId: string | null }, hasNextAction: boolean): void {
  if (!hasNextAction) return;
  if (!a.leadId) throw fieldError('nextAction', 'not_applicable', 'A next action belongs to a lead; this activity has none.');
  if (!isDoneInteraction(a)) {
    throw fieldError('nextAction', 'not_applicable', 'A next action is scheduled when a done interaction is logged (not for notes or planned activities).');
  }
}

/**
 * Who may edit or delete an activity: its author, an admin, or a manager of the people concerned —
 * the lead's owner when it is on a lead, otherwise the author. Others may read it and comment.
 */
export function canEditActivity(
  actor: Actor, a: { userId: string | null; leadId: string | null }, leadOwnerId: string | null, managedUserIds: readonly string[],
): boolean {
  if (actor.role === 'admin') return true;
  if (a.userId !== null && a.userId === actor.userId) return true;
  if (actor.role !== 'manager') return false;
  const concerned = a.leadId ? leadOwnerId : a.userId;
  return concerned !== null && managedUserIds.includes(concerned);
}

export function assertCanEditActivity(...args: Parameters<typeof canEditActivity>): void {
  if (!canEditActivity(...args)) throw forbidden('Only the author, their manager or an admin can change this activity.');
}
