import { describe, expect, it } from 'vitest';
import {
  activityByWeek, activityWeekLink, drillLink, forecastMonthLink, formatDay, formatMonth, objectiveBar, exportHref, forecastData, latestFrequency, leadCohortLink, newLeadsBySource, orDash, ratioText, recordsHref, recordsQuery, weeklyTable, withParam,
} from './dashboard-data.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

describe('dashboard numbers', () => {
  it('shows a zero denominator as a dash, never NaN or Infinity', () => {
    const pct = (n: number) => `${Math.round(n)} %`;
    expect(ratioText(pct, null)).toBe('—');
    expect(ratioText(pct, 0.25)).toBe('25 %');
    expect(ratioText(pct, 0)).toBe('0 %');
    expect(orDash(Number.NaN, String)).toBe('—');
    expect(orDash(Number.POSITIVE_INFINITY, String)).toBe('—');
    expect(orDash(undefined, String)).toBe('—');
    expect(orDash(12.5, (x) => x.toFixed(1))).toBe('12.5');
  });

  it('orders the forecast by close month with undated leads last', () => {
    const rows = [{ key: 'none', count: 1, amount: 5, weighted: 1 }, { key: '2026-12', count: 1, amount: 5, weighted: 1 }, { key: '2026-11', count: 2, amount: 5, weighted: 1 }];
    expect(forecastData(rows).map((r) => r.key)).toEqual(['2026-11', '2026-12', 'none']);
  });

  it('takes the latest bucket with orders as the headline frequency', () => {
    const row = (bucket: string, orders: number) => ({ bucket, orders, clients: orders ? 1 : 0, amount: orders * 10, frequency: orders || null, intensity: orders ? orders * 10 : null });
    expect(latestFrequency([row('2026-11-01', 2), row('2026-12-01', 0), row('2026-10-01', 5)])?.bucket).toBe('2026-11-01');
    expect(latestFrequency([])).toBeNull();
  });
});

describe('dashboard charts', () => {
  it('adds activity types up per salesperson and week, zero where someone did nothing', () => {
    const p = activityByWeek([
      { userId: A, type: 'call', week: '2026-11-16', count: 3 },
      { userId: A, type: 'email', week: '2026-11-16', count: 2 },
      { userId: B, type: 'call', week: '2026-11-23', count: 1 },
    ]);
    expect(p.rows).toEqual(['2026-11-16', '2026-11-23']);
    expect(p.series).toEqual([A, B]);
    expect(p.data).toEqual([{ key: '2026-11-16', [A]: 5, [B]: 0 }, { key: '2026-11-23', [A]: 0, [B]: 1 }]);
    expect(p.totals).toEqual({ [A]: 5, [B]: 1 });
  });

  it('draws weekly new leads per week and source, a missing source as its own series', () => {
    const p = newLeadsBySource({ byWeek: [{ week: '2026-11-16', sourceId: 'none', count: 4 }, { week: '2026-11-16', sourceId: A, count: 3 }, { week: '2026-11-23', sourceId: A, count: 1 }] });
    expect(p.rows).toEqual(['2026-11-16', '2026-11-23']);
    expect(p.data).toEqual([{ key: '2026-11-16', none: 4, [A]: 3 }, { key: '2026-11-23', none: 0, [A]: 1 }]);
  });

  it('sorts the weekly table by week, then busiest rows first', () => {
    const row = (week: string, count: number, sourceId = A) => ({ week, sourceId, productId: 'none', neighbourhood: 'none', city: 'none', count });
    expect(weeklyTable([row('2026-11-23', 1), row('2026-11-16', 1), row('2026-11-16', 5, B)]).map((r) => [r.week, r.count]))
      .toEqual([['2026-11-16', 5], ['2026-11-16', 1], ['2026-11-23', 1]]);
  });
});

describe('drill-down and export links', () => {
  it('finds the link of a figure or of a breakdown row', () => {
    const drill = { won: '/api/v1/leads?status=won', bySource: { [A]: `/api/v1/leads?sourceId=${A}` } };
    expect(drillLink(drill, 'won')).toBe('/api/v1/leads?status=won');
    expect(drillLink(drill, 'bySource', A)).toBe(`/api/v1/leads?sourceId=${A}`);
    expect(drillLink(drill, 'bySource', B)).toBeNull();
    expect(drillLink(drill, 'lost')).toBeNull();
    expect(drillLink(undefined, 'won')).toBeNull();
  });

  it('turns an API list link into the records page and back, keeping every filter', () => {
    const api = `/api/v1/leads?createdFrom=2026-10-31T23%3A00%3A00.000Z&ownerId=${A}%2C${B}&status=won`;
    const href = recordsHref(api)!;
    expect(href.startsWith('/dashboard/records?list=leads&')).toBe(true);
    const back = recordsQuery(new URL(href, 'http://x').searchParams);
    expect(back).toEqual({ list: 'leads', query: { createdFrom: '2026-10-31T23:00:00.000Z', ownerId: `${A},${B}`, status: 'won' } });
    expect(recordsHref('/api/v1/secrets?x=1')).toBeNull();
    expect(recordsHref(null)).toBeNull();
    expect(recordsQuery(new URLSearchParams('list=users'))).toBeNull();
  });

  it('lists a weekly cell as the leads of that week, source and product, and nothing for nobody\'s numbers', () => {
    const range = { from: '2026-11-15T23:00:00.000Z', to: '2026-11-22T23:00:00.000Z' };
    const q = (link: string) => Object.fromEntries(new URL(link, 'http://x').searchParams);
    const link = leadCohortLink(range, null, { sourceId: A, productId: 'none' });
    expect(link.startsWith('/api/v1/leads?')).toBe(true);
    expect(q(link)).toEqual({ createdFrom: range.from, createdTo: range.to, sourceId: A });
    expect(q(leadCohortLink(range, null, { sourceId: 'none', productId: B }))).toEqual({ createdFrom: range.from, createdTo: range.to, productId: B });
    expect(q(leadCohortLink(range, [], {})).ownerId).toBe('00000000-0000-0000-0000-000000000000');
    expect(q(leadCohortLink(range, [A, B], {})).ownerId).toBe(`${A},${B}`);
  });

  it('lists one salesperson\'s interactions of a week (notes left out) and the open leads closing in one month', () => {
    const q = (link: string) => Object.fromEntries(new URL(link, 'http://x').searchParams);
    const week = { from: '2026-11-15T23:00:00.000Z', to: '2026-11-22T23:00:00.000Z' };
    expect(q(activityWeekLink(week, null, A))).toEqual({ occurredFrom: week.from, occurredTo: week.to, done: 'true', type: 'call,email,meeting,visit,message,task', userId: A });
    expect(q(activityWeekLink(week, [B], 'none')).userId).toBe(B);
    expect(q(forecastMonthLink('2026-12', null, A)!)).toEqual({ status: 'open', expectedCloseFrom: '2026-12-01', expectedCloseTo: '2027-01-01', sourceId: A });
    expect(q(forecastMonthLink('2026-03', [A], null)!)).toMatchObject({ expectedCloseTo: '2026-04-01', ownerId: A });
    expect(forecastMonthLink('none', null, null)).toBeNull();
  });

  it('narrows a card link to one breakdown row', () => {
    expect(withParam(`/api/v1/leads?status=open&ownerId=${A}%2C${B}`, 'ownerId', B)).toBe(`/api/v1/leads?status=open&ownerId=${B}`);
    expect(withParam('/api/v1/leads', 'ownerId', A)).toBe(`/api/v1/leads?ownerId=${A}`);
    expect(withParam(null, 'ownerId', A)).toBeNull();
  });

  it('exports a metric with the dashboard filters and the format', () => {
    expect(exportHref('weeklyNewLeads', { from: '2026-11-01', to: '2026-11-30', ownerId: undefined, sourceId: A }, 'xlsx'))
      .toBe(`/api/v1/metrics/weeklyNewLeads?from=2026-11-01&to=2026-11-30&sourceId=${A}&format=xlsx`);
  });
});

describe('objective bars', () => {
  it('fills up to the target and marks the expected pace for the elapsed part of the period', () => {
    expect(objectiveBar('sales_amount', { actual: 2500, target: 10_000, expected: 5000 })).toEqual({ fill: 25, pace: 50 });
    expect(objectiveBar('sales_count', { actual: 30, target: 20, expected: 20 })).toEqual({ fill: 100, pace: 100 });
    expect(objectiveBar('leads_won', { actual: null, target: 5, expected: 1 })).toEqual({ fill: 0, pace: 20 });
  });

  it('draws NPS on its −100…100 scale and survives a zero target', () => {
    expect(objectiveBar('nps', { actual: 0, target: 50, expected: 50 })).toEqual({ fill: 50, pace: 75 });
    expect(objectiveBar('nps', { actual: -100, target: 50, expected: 50 }).fill).toBe(0);
    expect(objectiveBar('activities', { actual: 0, target: 0, expected: 0 })).toEqual({ fill: 100, pace: 100 });
  });
});

describe('day labels', () => {
  it('shows a day key as that calendar day whatever the time zone, in the user\'s language', () => {
    expect(formatDay('es-ES', '2026-11-01')).toBe('1 nov 2026');
    expect(formatDay('en-GB', '2026-11-01', { day: 'numeric', month: 'short' })).toBe('1 Nov');
    expect(formatMonth('es-ES', '2026-03')).toMatch(/^mar.? 2026$/);
    expect(formatDay('es-ES', 'none')).toBe('none');
  });
});
