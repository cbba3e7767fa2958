import { describe, expect, it } from 'vitest';
import { draftOfNextAction, nextActionFieldOf, quickDates, validateNextAction } from './next-action.js';

const now = new Date('2026-11-23T08:00:00Z');

describe('next action drafts', () => {
  it('requires a date and a type, as the API does', () => {
    const r = validateNextAction({ date: '', time: '10:00', type: '', note: '' }, 'Europe/Madrid', now);
    expect(r.errors).toEqual({ date: 'required', type: 'required' });
    expect(r.at).toBeNull();
  });

  it('refuses a moment already past and accepts a future one, in the workspace zone', () => {
    expect(validateNextAction({ date: '2026-11-22', time: '10:00', type: 'call', note: '' }, 'Europe/Madrid', now).errors.date).toBe('in_the_past');
    const ok = validateNextAction({ date: '2026-11-24', time: '10:00', type: 'call', note: '' }, 'Europe/Madrid', now);
    expect(ok.errors).toEqual({ date: undefined, type: undefined });
    expect(ok.at).toBe('2026-11-24T09:00:00.000Z');
  });

  it('offers tomorrow, three days and a week as quick dates', () => {
    expect(quickDates('Europe/Madrid', now).map((q) => q.date)).toEqual(['2026-11-24', '2026-11-26', '2026-11-30']);
  });

  it('places API errors about the next action on the right input', () => {
    expect(nextActionFieldOf('nextAction.at')).toBe('date');
    expect(nextActionFieldOf('nextActionAt')).toBe('date');
    expect(nextActionFieldOf('nextAction')).toBe('date');
    expect(nextActionFieldOf('nextAction.type')).toBe('type');
    expect(nextActionFieldOf('nextActionType')).toBe('type');
    expect(nextActionFieldOf('outcome')).toBeNull();
  });
});

describe('rescheduling a next action', () => {
  const now = new Date('2026-11-23T21:00:00Z');
  it('starts from the lead\'s action while it is ahead, in the workspace zone', () => {
    expect(draftOfNextAction({ nextActionAt: '2026-11-25T08:30:00Z', nextActionType: 'visit', nextActionNote: 'Llevar muestras' }, 'Europe/Madrid', now))
      .toEqual({ date: '2026-11-25', time: '09:30', type: 'visit', note: 'Llevar muestras' });
  });
  it('keeps type, note and time of an overdue one but asks for a new date', () => {
    expect(draftOfNextAction({ nextActionAt: '2026-11-20T16:00:00Z', nextActionType: 'email', nextActionNote: null }, 'Europe/Madrid', now))
      .toEqual({ date: '', time: '17:00', type: 'email', note: '' });
  });
  it('is the empty draft for a lead without one', () => {
    expect(draftOfNextAction({ nextActionAt: null, nextActionType: null, nextActionNote: null }, 'Europe/Madrid', now))
      .toEqual({ date: '', time: '10:00', type: 'call', note: '' });
  });
});
