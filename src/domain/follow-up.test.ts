import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  activityTypeForChannel, atLocalTime, checkFollowUpDate, completeFollowUp, defaultFollowUpDue, followUpRange,
  followUpWindowOf, isFollowUpOverdue, isFollowUpWindowOpen, parseFollowUpWindowSetting, reviseFollowUp, type FollowUpWindow,
} from './follow-up.js';

const madrid: FollowUpWindow = { minDays: 2, maxDays: 7, dueTime: '10:00', timeZone: 'Europe/Madrid' };
// Monday 23 November 2026, 17:00 in Madrid (UTC+1).
const soldAt = new Date('2026-11-23T16:00:00Z');

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('the follow-up window', () => {
  it('defaults to day 2 to day 7, due at 10:00', () => {
    expect(followUpWindowOf({}, 'Europe/Madrid')).toEqual(madrid);
    expect(followUpWindowOf(null, 'UTC')).toEqual({ ...madrid, timeZone: 'UTC' });
  });
  it('takes the workspace setting, completing missing parts with the defaults', () => {
    expect(followUpWindowOf({ followUpWindow: { minDays: 1, maxDays: 14 } }, 'Europe/Madrid')).toEqual({ ...madrid, minDays: 1, maxDays: 14 });
  });
  it('falls back to the default when the stored setting is invalid', () => {
    expect(followUpWindowOf({ followUpWindow: { minDays: 9, maxDays: 3 } }, 'Europe/Madrid')).toEqual(madrid);
  });
  it('validates a setting and names each bad part', () => {
    expect(errorOf(() => parseFollowUpWindowSetting({ minDays: -1, maxDays: 2.5, dueTime: '25:00' })).fields.map((f) => f.field))
      .toEqual(['followUpWindow.minDays', 'followUpWindow.maxDays', 'followUpWindow.dueTime']);
    expect(errorOf(() => parseFollowUpWindowSetting({ minDays: 5, maxDays: 3 })).fields.map((f) => `${f.field}:${f.code}`))
      .toEqual(['followUpWindow.maxDays:too_small']);
    expect(errorOf(() => parseFollowUpWindowSetting('7')).fields[0]?.code).toBe('invalid_type');
  });

  it('runs from the start of local day 2 to the end of local day 7', () => {
    const r = followUpRange(soldAt, madrid);
    expect(r.firstDay).toBe('2026-11-25');
    expect(r.lastDay).toBe('2026-11-30');
    expect(r.from.toISOString()).toBe('2026-11-24T23:00:00.000Z');
    expect(r.to.toISOString()).toBe('2026-11-30T23:00:00.000Z');
  });
  it('counts days in the workspace zone: a sale at 00:30 Madrid time belongs to that local day, not the UTC one', () => {
    const late = new Date('2026-11-22T23:30:00Z'); // 00:30 on the 23rd in Madrid
    expect(followUpRange(late, madrid).firstDay).toBe('2026-11-25');
    expect(followUpRange(late, { ...madrid, timeZone: 'UTC' }).firstDay).toBe('2026-11-24');
  });
  it('plans the default follow-up on day 2 at 10:00 local time', () => {
    expect(defaultFollowUpDue(soldAt, madrid).toISOString()).toBe('2026-11-25T09:00:00.000Z');
  });
  it('keeps 10:00 local across a daylight saving change', () => {
    // Sale on Friday 27 March 2026; day 2 is Sunday 29 March, when Madrid moves to UTC+2.
    expect(defaultFollowUpDue(new Date('2026-03-27T12:00:00Z'), madrid).toISOString()).toBe('2026-03-29T08:00:00.000Z');
  });
});

describe('isFollowUpWindowOpen', () => {
  it('is open until the end of the last day of the window', () => {
    expect(isFollowUpWindowOpen(soldAt, soldAt, madrid)).toBe(true);
    expect(isFollowUpWindowOpen(soldAt, new Date('2026-11-30T22:59:00Z'), madrid)).toBe(true);
    expect(isFollowUpWindowOpen(soldAt, new Date('2026-11-30T23:00:00Z'), madrid)).toBe(false);
  });
});

describe('checkFollowUpDate', () => {
  it('accepts the first and the last minute of the window', () => {
    expect(() => checkFollowUpDate(soldAt, new Date('2026-11-24T23:00:00Z'), madrid)).not.toThrow();
    expect(() => checkFollowUpDate(soldAt, new Date('2026-11-30T22:59:00Z'), madrid)).not.toThrow();
  });
  it('refuses day 1 and day 8 on dueAt, naming the allowed range', () => {
    for (const d of ['2026-11-24T22:59:00Z', '2026-11-30T23:00:00Z']) {
      const e = errorOf(() => checkFollowUpDate(soldAt, new Date(d), madrid));
      expect(e.code).toBe('validation');
      expect(e.fields).toHaveLength(1);
      expect(e.fields[0]?.field).toBe('dueAt');
      expect(e.fields[0]?.code).toBe('outside_window');
      expect(e.fields[0]?.message).toContain('between 2026-11-25 and 2026-11-30');
      expect(e.extra).toMatchObject({ allowedFrom: '2026-11-24T23:00:00.000Z', allowedTo: '2026-11-30T23:00:00.000Z' });
    }
  });
  it('follows a widened window', () => {
    const wide = { ...madrid, maxDays: 14 };
    expect(() => checkFollowUpDate(soldAt, new Date('2026-12-05T10:00:00Z'), wide)).not.toThrow();
    expect(() => checkFollowUpDate(soldAt, new Date('2026-12-05T10:00:00Z'), madrid)).toThrow(AppError);
  });
});

describe('follow-up changes', () => {
  const planned = { status: 'planned' as const, dueAt: new Date('2026-11-25T09:00:00Z'), soldAt };
  const inWindow = new Date('2026-11-27T15:00:00Z');

  it('moves a planned follow-up inside the window', () => {
    expect(reviseFollowUp(planned, { dueAt: inWindow }, madrid)).toEqual({ dueAt: inWindow });
  });
  it('refuses to move it outside the window', () => {
    expect(errorOf(() => reviseFollowUp(planned, { dueAt: new Date('2026-12-10T09:00:00Z') }, madrid)).fields[0]?.code).toBe('outside_window');
  });
  it('cancels and plans again', () => {
    expect(reviseFollowUp(planned, { status: 'cancelled' }, madrid)).toEqual({ status: 'cancelled' });
    expect(reviseFollowUp({ ...planned, status: 'cancelled' }, { status: 'planned', dueAt: inWindow }, madrid)).toEqual({ status: 'planned', dueAt: inWindow });
  });
  it('does not move a cancelled follow-up without planning it again', () => {
    expect(errorOf(() => reviseFollowUp({ ...planned, status: 'cancelled' }, { dueAt: inWindow }, madrid)).fields[0]?.code).toBe('not_planned');
  });
  it('is done only through completion', () => {
    expect(errorOf(() => reviseFollowUp(planned, { status: 'done' }, madrid)).fields[0]?.code).toBe('use_complete');
  });
  it('does not change a done follow-up', () => {
    expect(errorOf(() => reviseFollowUp({ ...planned, status: 'done' }, { dueAt: inWindow }, madrid)).code).toBe('conflict');
    expect(errorOf(() => reviseFollowUp({ ...planned, status: 'done' }, { status: 'cancelled' }, madrid)).code).toBe('conflict');
  });
  it('leaves an unchanged due date alone even if the window has since narrowed', () => {
    expect(reviseFollowUp(planned, { dueAt: planned.dueAt }, { ...madrid, minDays: 3 })).toEqual({});
  });
  it('completes a planned follow-up once', () => {
    const now = new Date('2026-11-25T09:30:00Z');
    expect(completeFollowUp(planned, now)).toEqual({ status: 'done', doneAt: now });
    expect(errorOf(() => completeFollowUp({ status: 'done' }, now)).extra['reason']).toBe('already_done');
    expect(errorOf(() => completeFollowUp({ status: 'cancelled' }, now)).extra['reason']).toBe('cancelled');
  });
  it('is overdue only while planned and past due', () => {
    expect(isFollowUpOverdue(planned, new Date('2026-11-25T09:01:00Z'))).toBe(true);
    expect(isFollowUpOverdue(planned, new Date('2026-11-25T08:59:00Z'))).toBe(false);
    expect(isFollowUpOverdue({ ...planned, status: 'done' }, new Date('2026-12-25T00:00:00Z'))).toBe(false);
  });
});

describe('helpers', () => {
  it('finds a local wall-clock time, and the instant after a spring-forward gap', () => {
    expect(atLocalTime('2026-07-01', '10:00', 'Europe/Madrid').toISOString()).toBe('2026-07-01T08:00:00.000Z');
    expect(atLocalTime('2026-03-29', '02:30', 'Europe/Madrid').toISOString()).toBe('2026-03-29T01:30:00.000Z');
  });
  it('logs the follow-up on the timeline as the kind of contact it was', () => {
    expect(activityTypeForChannel('phone')).toBe('call');
    expect(activityTypeForChannel('whatsapp')).toBe('message');
    expect(activityTypeForChannel('web')).toBe('message');
    expect(activityTypeForChannel('visit')).toBe('visit');
    expect(activityTypeForChannel('email')).toBe('email');
  });
});
