import { describe, expect, it } from 'vitest';
import {
  chartUnit, dashboardQuery, dashboardSearch, defaultDashboardView, parseDashboardView, periodBuckets, periodInstants, periodRange, weekStart,
} from './dashboard-period.js';

const OWNER = '0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b';

describe('dashboard periods', () => {
  it('computes whole calendar periods around today and rolling ones ending today', () => {
    const today = '2026-11-23'; // a Monday
    const r = (preset: Parameters<typeof periodRange>[0]['preset']) => periodRange({ preset, from: '', to: '' }, today);
    expect(r('week')).toEqual({ from: '2026-11-23', to: '2026-11-29' });
    expect(r('month')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(r('quarter')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(r('year')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(r('last30')).toEqual({ from: '2026-10-25', to: '2026-11-23' });
    expect(r('last90')).toEqual({ from: '2026-08-26', to: '2026-11-23' });
  });

  it('handles February in a leap year and weeks that start in another month', () => {
    expect(periodRange({ preset: 'month', from: '', to: '' }, '2028-02-10')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(weekStart('2026-03-01')).toBe('2026-02-23');
    expect(periodRange({ preset: 'week', from: '', to: '' }, '2026-03-01')).toEqual({ from: '2026-02-23', to: '2026-03-01' });
  });

  it('uses a custom range as given and falls back to this month when it is incomplete', () => {
    expect(periodRange({ preset: 'custom', from: '2026-01-05', to: '2026-02-10' }, '2026-11-23')).toEqual({ from: '2026-01-05', to: '2026-02-10' });
    expect(periodRange({ preset: 'custom', from: '2026-01-05', to: '' }, '2026-11-23')).toEqual({ from: '2026-11-01', to: '2026-11-30' });
  });
});

describe('dashboard view in the URL', () => {
  it('round-trips a view through the address and leaves defaults out', () => {
    const view = { ...defaultDashboardView, preset: 'custom' as const, from: '2026-01-01', to: '2026-03-31', unit: 'month' as const, ownerId: OWNER };
    const search = dashboardSearch(view);
    expect(search).toBe(`?period=custom&from=2026-01-01&to=2026-03-31&unit=month&ownerId=${OWNER}`);
    expect(parseDashboardView(new URLSearchParams(search))).toEqual(view);
    expect(dashboardSearch(defaultDashboardView)).toBe('');
  });

  it('ignores malformed values instead of failing, and reads a bare from/to as a custom range', () => {
    const v = parseDashboardView(new URLSearchParams('period=decade&unit=day&ownerId=nope&from=2026-13-45&to=x'));
    expect(v).toEqual(defaultDashboardView);
    expect(parseDashboardView(new URLSearchParams('from=2026-01-01&to=2026-01-31'))).toMatchObject({ preset: 'custom', from: '2026-01-01', to: '2026-01-31' });
  });

  it('asks the API for the computed days and only the filters that are set', () => {
    expect(dashboardQuery({ ...defaultDashboardView, preset: 'year', sourceId: OWNER }, '2026-11-23'))
      .toEqual({ from: '2026-01-01', to: '2026-12-31', unit: 'week', teamId: undefined, ownerId: undefined, sourceId: OWNER, pipelineId: undefined });
  });
});

describe('period bounds and buckets', () => {
  it('bounds local days by local midnights, the day after the last one exclusive', () => {
    expect(periodInstants('2026-11-01', '2026-11-30', 'Europe/Madrid')).toEqual({ from: '2026-10-31T23:00:00.000Z', to: '2026-11-30T23:00:00.000Z' });
    // Across the spring change the end midnight is at +02:00.
    expect(periodInstants('2026-03-01', '2026-03-31', 'Europe/Madrid').to).toBe('2026-03-31T22:00:00.000Z');
  });

  it('splits a period into buckets clipped to it, keeping the latest when there are too many', () => {
    expect(periodBuckets('2026-01-15', '2026-03-10', 'month')).toEqual([
      { key: '2026-01-01', from: '2026-01-15', to: '2026-01-31' },
      { key: '2026-02-01', from: '2026-02-01', to: '2026-02-28' },
      { key: '2026-03-01', from: '2026-03-01', to: '2026-03-10' },
    ]);
    expect(periodBuckets('2026-11-25', '2026-12-02', 'week').map((b) => b.key)).toEqual(['2026-11-23', '2026-11-30']);
    expect(periodBuckets('2026-01-01', '2026-12-31', 'quarter')).toHaveLength(4);
    const many = periodBuckets('2020-01-01', '2026-12-31', 'month', 24);
    expect(many).toHaveLength(24);
    expect(many.at(-1)).toEqual({ key: '2026-12-01', from: '2026-12-01', to: '2026-12-31' });
  });
});

describe('chart buckets', () => {
  it('keeps the chosen unit while it fits and coarsens it for long periods', () => {
    expect(chartUnit('2026-11-01', '2026-11-30', 'week')).toBe('week');
    expect(chartUnit('2026-01-01', '2026-12-31', 'week')).toBe('month');
    expect(chartUnit('2026-01-01', '2026-12-31', 'month')).toBe('month');
    expect(chartUnit('2020-01-01', '2026-12-31', 'week')).toBe('quarter');
  });
});

describe('segment filter in the address', () => {
  it('keeps a segment through the address and sends it to the API, and leaves it out when none is chosen', () => {
    const id = '5f0c2b8e-1d2a-4c3b-9e8f-0a1b2c3d4e5f';
    const view = parseDashboardView(new URLSearchParams(`segmentId=${id}`));
    expect(view.segmentId).toBe(id);
    expect(dashboardSearch(view)).toBe(`?segmentId=${id}`);
    expect(dashboardQuery(view, '2026-11-23').segmentId).toBe(id);
    expect(dashboardQuery(defaultDashboardView, '2026-11-23').segmentId).toBeUndefined();
    expect(parseDashboardView(new URLSearchParams('segmentId=nope')).segmentId).toBe('');
  });
});
