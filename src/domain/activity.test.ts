import { describe, expect, it } from 'vitest';
import type { Actor } from './access.js';
import { AppError } from './errors.js';
import {
  canEditActivity, checkActivityLinks, checkNextActionPlacement, compareTimeline, completeActivity, countsAsInteraction,
  isDone, isDoneInteraction, isPlanned, reviseActivityTiming, startActivity, timelineAt,
} from './activity.js';

const now = new Date('2026-11-23T10:00:00Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

function fieldsOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, fields: e.fields.map((f) => `${f.field}/${f.code}`), extra: e.extra };
    throw e;
  }
  throw new Error('expected an AppError');
}

const actor = (role: Actor['role'], userId = 'me'): Actor => ({ workspaceId: 'ws', userId, role, teamId: null });

describe('startActivity', () => {
  it('logs an interaction as done now when no moment is given', () => {
    expect(startActivity({}, now)).toEqual({ occurredAt: now, dueAt: null, doneAt: now });
  });

  it('logs an interaction that happened earlier as done when it happened', () => {
    const at = minutes(-120);
    expect(startActivity({ occurredAt: at }, now)).toEqual({ occurredAt: at, dueAt: null, doneAt: at });
  });

  it('plans an activity with a due date and leaves it not done', () => {
    const t = startActivity({ dueAt: minutes(60) }, now);
    expect(t).toEqual({ occurredAt: null, dueAt: minutes(60), doneAt: null });
    expect(isPlanned(t)).toBe(true);
    expect(isDone(t)).toBe(false);
  });

  it('refuses an interaction that happened in the future, beyond a few minutes of clock skew', () => {
    expect(startActivity({ occurredAt: minutes(3) }, now).doneAt).toEqual(minutes(3));
    expect(fieldsOf(() => startActivity({ occurredAt: minutes(30) }, now)).fields).toEqual(['occurredAt/in_the_future']);
  });

  it('refuses occurredAt and dueAt together', () => {
    expect(fieldsOf(() => startActivity({ occurredAt: minutes(-1), dueAt: minutes(60) }, now)).fields).toEqual(['dueAt/not_with_occurred_at']);
  });
});

describe('what counts as an interaction', () => {
  it('treats every type but a note as an interaction', () => {
    expect(countsAsInteraction('call')).toBe(true);
    expect(countsAsInteraction('task')).toBe(true);
    expect(countsAsInteraction('note')).toBe(false);
  });

  it('needs the activity to be done to be a done interaction', () => {
    expect(isDoneInteraction({ type: 'call', doneAt: now })).toBe(true);
    expect(isDoneInteraction({ type: 'call', doneAt: null })).toBe(false);
    expect(isDoneInteraction({ type: 'note', doneAt: now })).toBe(false);
  });
});

describe('completeActivity', () => {
  it('marks a planned activity as having happened now', () => {
    expect(completeActivity({ occurredAt: null, dueAt: minutes(-30), doneAt: null }, now)).toEqual({ occurredAt: now, doneAt: now });
  });

  it('refuses to complete an activity twice', () => {
    const r = fieldsOf(() => completeActivity({ occurredAt: minutes(-5), dueAt: null, doneAt: minutes(-5) }, now));
    expect(r.code).toBe('conflict');
    expect(r.extra).toEqual({ reason: 'already_done' });
  });
});

describe('reviseActivityTiming', () => {
  const done = { occurredAt: minutes(-60), dueAt: null, doneAt: minutes(-60) };
  const planned = { occurredAt: null, dueAt: minutes(60), doneAt: null };

  it('moves when a done activity happened', () => {
    expect(reviseActivityTiming(done, { occurredAt: minutes(-90) }, now)).toEqual({ occurredAt: minutes(-90) });
  });

  it('refuses to set when a planned activity happened: it must be completed', () => {
    expect(fieldsOf(() => reviseActivityTiming(planned, { occurredAt: minutes(-1) }, now)).fields).toEqual(['occurredAt/not_done']);
  });

  it('refuses to clear the due date of a planned activity, or the moment of a done one', () => {
    expect(fieldsOf(() => reviseActivityTiming(planned, { dueAt: null }, now)).fields).toEqual(['dueAt/required']);
    expect(fieldsOf(() => reviseActivityTiming(done, { occurredAt: null }, now)).fields).toEqual(['occurredAt/required']);
  });

  it('reschedules a planned activity', () => {
    expect(reviseActivityTiming(planned, { dueAt: minutes(120) }, now)).toEqual({ dueAt: minutes(120) });
  });
});

describe('timeline order', () => {
  it('orders by when it happened or is due, newest first, then by id', () => {
    const items = [
      { id: 'a', occurredAt: minutes(-60), dueAt: null },
      { id: 'b', occurredAt: null, dueAt: minutes(30) },
      { id: 'c', occurredAt: minutes(-10), dueAt: null },
      { id: 'd', occurredAt: minutes(-10), dueAt: null },
    ];
    expect([...items].sort(compareTimeline).map((i) => i.id)).toEqual(['b', 'd', 'c', 'a']);
  });

  it('uses occurredAt over dueAt once a planned activity is done', () => {
    expect(timelineAt({ occurredAt: minutes(5), dueAt: minutes(-60) })).toEqual(minutes(5));
  });
});

describe('checkActivityLinks', () => {
  it('needs a lead, a contact or a company', () => {
    expect(fieldsOf(() => checkActivityLinks({})).fields).toEqual(['contactId/required']);
    expect(() => checkActivityLinks({ companyId: 'c1' })).not.toThrow();
    expect(() => checkActivityLinks({ leadId: 'l1' })).not.toThrow();
  });
});

describe('checkNextActionPlacement', () => {
  it('accepts a next action with a done interaction on a lead', () => {
    expect(() => checkNextActionPlacement({ type: 'call', doneAt: now, leadId: 'l1' }, true)).not.toThrow();
  });

  it('refuses a next action without a lead, on a note or on a planned activity', () => {
    expect(fieldsOf(() => checkNextActionPlacement({ type: 'call', doneAt: now, leadId: null }, true)).fields).toEqual(['nextAction/not_applicable']);
    expect(fieldsOf(() => checkNextActionPlacement({ type: 'note', doneAt: now, leadId: 'l1' }, true)).fields).toEqual(['nextAction/not_applicable']);
    expect(fieldsOf(() => checkNextActionPlacement({ type: 'task', doneAt: null, leadId: 'l1' }, true)).fields).toEqual(['nextAction/not_applicable']);
  });

  it('has nothing to check when no next action is sent', () => {
    expect(() => checkNextActionPlacement({ type: 'note', doneAt: null, leadId: null }, false)).not.toThrow();
  });
});

describe('canEditActivity', () => {
  const onLead = { userId: 'author', leadId: 'l1' };
  const onContact = { userId: 'author', leadId: null };

  it('lets the author and any admin edit', () => {
    expect(canEditActivity(actor('sales', 'author'), onLead, 'owner', [])).toBe(true);
    expect(canEditActivity(actor('admin', 'someone'), onLead, 'owner', [])).toBe(true);
  });

  it('refuses another sales user, even the lead owner', () => {
    expect(canEditActivity(actor('sales', 'owner'), onLead, 'owner', [])).toBe(false);
  });

  it('lets the manager of the lead owner edit, not a manager of someone else', () => {
    expect(canEditActivity(actor('manager', 'boss'), onLead, 'owner', ['owner'])).toBe(true);
    expect(canEditActivity(actor('manager', 'boss'), onLead, 'owner', ['author'])).toBe(false);
  });

  it('lets the author\'s manager edit an activity that is not on a lead', () => {
    expect(canEditActivity(actor('manager', 'boss'), onContact, null, ['author'])).toBe(true);
    expect(canEditActivity(actor('manager', 'boss'), onContact, null, [])).toBe(false);
  });
});
