import { describe, expect, it } from 'vitest';
import {
  composeDigest, DIGEST_MAX_ITEMS, digestCounts, digestJobId, digestLocale, digestPlan, isDigestTimely, localHourInstant,
  type DigestItem,
} from './digest.js';

const item = (id: string, at: string, extra: Partial<DigestItem> = {}): DigestItem => ({
  id, kind: 'nextAction', type: 'call', at: new Date(at), leadId: id, leadTitle: `Lead ${id}`, contactName: null, note: null, ...extra,
});

describe('digest content', () => {
  it('is null when the user has nothing due, overdue or planned', () => {
    expect(composeDigest({ date: '2026-11-23', dueToday: [], overdue: [], tasksDue: [] })).toBeNull();
  });

  it('is sent for overdue actions alone', () => {
    const d = composeDigest({ date: '2026-11-23', dueToday: [], overdue: [item('a', '2026-11-20T09:00:00Z')], tasksDue: [] });
    expect(d?.overdue.items.map((i) => i.id)).toEqual(['a']);
  });

  it('lists today in time order and overdue oldest first', () => {
    const d = composeDigest({
      date: '2026-11-23',
      dueToday: [item('late', '2026-11-23T16:00:00Z'), item('early', '2026-11-23T08:00:00Z')],
      overdue: [item('recent', '2026-11-22T10:00:00Z'), item('oldest', '2026-11-01T10:00:00Z')],
      tasksDue: [item('t2', '2026-11-23T12:00:00Z', { kind: 'activity', type: 'task' }), item('t1', '2026-11-21T12:00:00Z', { kind: 'activity', type: 'task' })],
    })!;
    expect(d.dueToday.items.map((i) => i.id)).toEqual(['early', 'late']);
    expect(d.overdue.items.map((i) => i.id)).toEqual(['oldest', 'recent']);
    expect(d.tasksDue.items.map((i) => i.id)).toEqual(['t1', 't2']);
  });

  it('does not repeat as overdue an action already listed for today', () => {
    const early = item('early', '2026-11-23T05:30:00Z');
    const d = composeDigest({ date: '2026-11-23', dueToday: [early], overdue: [early, item('old', '2026-11-20T09:00:00Z')], tasksDue: [], totals: { dueToday: 1, overdue: 2 } })!;
    expect(d.overdue.items.map((i) => i.id)).toEqual(['old']);
    expect(d.overdue.more).toBe(0);
    expect(digestCounts(d)).toEqual({ dueToday: 1, overdue: 1, tasksDue: 0 });
  });

  it('caps each section and counts what is left out, including rows beyond the query limit', () => {
    const many = Array.from({ length: 30 }, (_, n) => item(`x${String(n).padStart(2, '0')}`, `2026-11-${String(1 + (n % 20)).padStart(2, '0')}T09:00:00Z`));
    const d = composeDigest({ date: '2026-11-23', dueToday: [], overdue: many, tasksDue: [], totals: { overdue: 140 } })!;
    expect(d.overdue.items).toHaveLength(DIGEST_MAX_ITEMS);
    expect(d.overdue.more).toBe(140 - DIGEST_MAX_ITEMS);
    expect(d.overdue.items[0]!.at.toISOString()).toBe('2026-11-01T09:00:00.000Z');
  });
});

describe('digest identity and language', () => {
  it('has one job id per local day and user, so a second enqueue is the same job', () => {
    expect(digestJobId('2026-11-23', 'u1')).toBe('digest:2026-11-23:u1');
    expect(digestJobId('2026-11-23', 'u1')).toBe(digestJobId('2026-11-23', 'u1'));
  });

  it('speaks the user language, else the workspace one, else Spanish', () => {
    expect(digestLocale('en', 'es')).toBe('en');
    expect(digestLocale(null, 'en')).toBe('en');
    expect(digestLocale(null, 'fr')).toBe('es');
  });
});

describe('digest timing in the workspace time zone', () => {
  it('sends at the digest hour of Madrid in winter (UTC+1) and summer (UTC+2)', () => {
    expect(localHourInstant('2026-11-23', 7, 'Europe/Madrid').toISOString()).toBe('2026-11-23T06:00:00.000Z');
    expect(localHourInstant('2026-07-01', 7, 'Europe/Madrid').toISOString()).toBe('2026-07-01T05:00:00.000Z');
  });

  it('keeps the local hour on the days daylight saving starts and ends', () => {
    expect(localHourInstant('2026-03-29', 7, 'Europe/Madrid').toISOString()).toBe('2026-03-29T05:00:00.000Z');
    expect(localHourInstant('2026-10-25', 7, 'Europe/Madrid').toISOString()).toBe('2026-10-25T06:00:00.000Z');
  });

  it('plans the local day the workspace is in, not the UTC day', () => {
    // 23:30 UTC on the 22nd is already the 23rd in Madrid, and still the 22nd in Mexico City.
    const now = new Date('2026-11-22T23:30:00Z');
    expect(digestPlan(now, 'Europe/Madrid', 7)).toEqual({
      date: '2026-11-23', planAt: new Date('2026-11-22T23:00:00Z'), sendAt: new Date('2026-11-23T06:00:00Z'),
    });
    expect(digestPlan(now, 'America/Mexico_City', 7).date).toBe('2026-11-22');
  });

  it('is timely from the digest hour for a few hours, never on another day', () => {
    const tz = 'Europe/Madrid';
    expect(isDigestTimely(new Date('2026-11-23T05:00:00Z'), '2026-11-23', tz, 7)).toBe(false);
    expect(isDigestTimely(new Date('2026-11-23T06:00:00Z'), '2026-11-23', tz, 7)).toBe(true);
    expect(isDigestTimely(new Date('2026-11-23T11:59:00Z'), '2026-11-23', tz, 7)).toBe(true);
    expect(isDigestTimely(new Date('2026-11-23T12:00:00Z'), '2026-11-23', tz, 7)).toBe(false);
    expect(isDigestTimely(new Date('2026-11-24T06:00:00Z'), '2026-11-23', tz, 7)).toBe(false);
  });
});
