import { checkNextAction } from '../../../src/domain/lead.js';
import type { NextActionType } from '../api/types.js';
import { toZonedInputs, zonedDate, zonedToIso } from './format.js';

/** The next-action part of a form, as typed: wall-clock date and time in the workspace zone. */
export type NextActionDraft = { date: string; time: string; type: NextActionType | ''; note: string };

export const emptyNextAction = (type: NextActionType = 'call'): NextActionDraft => ({ date: '', time: '10:00', type, note: '' });

/**
 * The draft for rescheduling a lead's next action: its type and note as they are, and its date and
 * time while it is still ahead (an overdue one needs a new date, so that box starts empty).
 */
export function draftOfNextAction(
  lead: { nextActionAt: string | null; nextActionType: NextActionType | null; nextActionNote: string | null },
  timeZone: string, now = new Date(),
): NextActionDraft {
  const draft = { ...emptyNextAction(lead.nextActionType ?? 'call'), note: lead.nextActionNote ?? '' };
  if (!lead.nextActionAt) return draft;
  const at = toZonedInputs(lead.nextActionAt, timeZone);
  return new Date(lead.nextActionAt) > now ? { ...draft, ...at } : { ...draft, time: at.time };
}

/** Quick picks for the date: tomorrow, in 3 days, in a week (in the workspace zone). */
export const quickDates = (timeZone: string, now = new Date()) => [
  { days: 1, date: zonedDate(timeZone, 1, now) },
  { days: 3, date: zonedDate(timeZone, 3, now) },
  { days: 7, date: zonedDate(timeZone, 7, now) },
];

/**
 * Checks a draft with the same domain rule the API applies (src/domain/lead.ts), so the form
 * says what is missing before the round trip. Returns field errors keyed `date` / `type`.
 */
export function validateNextAction(draft: NextActionDraft, timeZone: string, now = new Date()): { errors: Record<'date' | 'type', string | undefined>; at: string | null } {
  const at = draft.date ? zonedToIso(draft.date, draft.time || '09:00', timeZone) : null;
  const found = checkNextAction({ at: at ? new Date(at) : null, type: draft.type || null }, now);
  const errors: Record<'date' | 'type', string | undefined> = { date: undefined, type: undefined };
  for (const e of found) {
    if (e.field.endsWith('At')) errors.date ??= e.code;
    else errors.type ??= e.code;
  }
  return { errors, at };
}

/** Where an API field error about the next action belongs in the form. */
export function nextActionFieldOf(apiField: string): 'date' | 'type' | 'note' | null {
  const f = apiField.replace(/^nextAction\.?/i, '').toLowerCase();
  if (!apiField.toLowerCase().startsWith('nextaction')) return null;
  if (f === '' || f === 'at') return 'date';
  if (f === 'type') return 'type';
  if (f === 'note') return 'note';
  return 'date';
}
