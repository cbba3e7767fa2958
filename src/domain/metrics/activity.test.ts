import { describe, expect, it } from 'vitest';
import { cadenceMisses, interactions, overdueNextActions, type ActivityFact } from './activity.js';
import { leadFact } from './fixtures.js';
import { parsePeriod } from './period.js';

const tz = 'Europe/Madrid';
const p = parsePeriod('2026-11-01', '2026-11-30', tz);
const d = (s: string) => new Date(s);
const act = (x: Partial<ActivityFact>): ActivityFact => ({ type: 'call', userId: 'u1', occurredAt: null, dueAt: null, doneAt: null, ...x });

describe('interactions', () => {
  it('counts done activities other than notes per user, type and local week', () => {
    const r = interactions([
      act({ occurredAt: d('2026-11-02T09:00:00Z'), doneAt: d('2026-11-02T09:00:00Z') }),
      act({ occurredAt: d('2026-11-08T23:30:00Z'), doneAt: d('2026-11-08T23:30:00Z') }), // Monday 9th in Madrid
      act({ dueAt: d('2026-11-03T09:00:00Z'), doneAt: d('2026-11-04T09:00:00Z') }), // completed planned call: counts when done
      act({ type: 'note', occurredAt: d('2026-11-02T09:00:00Z'), doneAt: d('2026-11-02T09:00:00Z') }),
      act({ dueAt: d('2026-11-03T09:00:00Z') }), // planned, not done
      act({ type: 'visit', userId: 'u2', occurredAt: d('2026-11-03T09:00:00Z'), doneAt: d('2026-11-03T09:00:00Z') }),
    ], p);
    expect(r).toEqual([
      { userId: 'u1', type: 'call', week: '2026-11-02', count: 2 },
      { userId: 'u1', type: 'call', week: '2026-11-09', count: 1 },
      { userId: 'u2', type: 'visit', week: '2026-11-02', count: 1 },
    ]);
  });
});

describe('overdueNextActions', () => {
  it('counts open leads whose next action is past at now, per owner', () => {
    const now = d('2026-11-23T10:00:00Z');
    const r = overdueNextActions([
      leadFact({ nextActionAt: d('2026-11-22T10:00:00Z') }), leadFact({ nextActionAt: d('2026-11-24T10:00:00Z') }),
      leadFact({ nextActionAt: d('2026-11-01T10:00:00Z'), status: 'won' }), leadFact({ nextActionAt: d('2026-11-01T10:00:00Z'), ownerId: null }),
    ], now);
    expect(r).toEqual({ total: 2, byOwner: [{ userId: 'none', count: 1 }, { userId: 'u1', count: 1 }] });
  });
});

describe('cadenceMisses', () => {
  it('counts planned activities due and not done by the end of their local due day', () => {
    const now = d('2026-11-20T12:00:00Z');
    const r = cadenceMisses([
      act({ dueAt: d('2026-11-10T09:00:00Z') }), // never done
      act({ dueAt: d('2026-11-10T09:00:00Z'), doneAt: d('2026-11-10T18:00:00Z') }), // done the same day: kept
      act({ dueAt: d('2026-11-10T09:00:00Z'), doneAt: d('2026-11-12T09:00:00Z'), userId: 'u2' }), // done late
      act({ dueAt: d('2026-11-25T09:00:00Z') }), // not due yet
      act({ dueAt: d('2026-10-10T09:00:00Z') }), // before the period
    ], p, now);
    expect(r).toEqual({ total: 2, byUser: [{ userId: 'u1', count: 1 }, { userId: 'u2', count: 1 }] });
  });
});
