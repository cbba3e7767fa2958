import { checkNextAction } from '../../../src/domain/lead.js';
import type { NextActionType } from '../api/types.js';
import { zonedDate, zonedToIso } from './format.js';

/** The next-action part of a form, as typed: wall-clock date and time in the workspace zone. */
export type NextActionDraft = { date: string; time: string; type: NextActionType | ''; note: string };

export const emptyNextAction = (type: NextActionType = 'call'): NextActionDraft => ({ date: '', time: '10:00', type, note: '' });

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
