import { describe, expect, it } from 'vitest';
import { compareBacktest } from './backtest.js';
import type { Projection } from './projection.js';

const range = (p10: number, p50: number, p90: number) => ({ p10, p50, p90, mean: p50 });
const projection = {
  months: [
    { index: 1, sales: range(8, 10, 12), revenue: range(8000, 10_000, 12_000), cumulativeSales: range(8, 10, 12), cumulativeRevenue: range(8000, 10_000, 12_000) },
    { index: 2, sales: range(8, 10, 12), revenue: range(8000, 10_000, 12_000), cumulativeSales: range(17, 20, 23), cumulativeRevenue: range(17_000, 20_000, 23_000) },
  ],
  total: { sales: range(17, 20, 23), revenue: range(17_000, 20_000, 23_000) },
} as unknown as Projection;

describe('backtest', () => {
  it('reports how often reality fell inside P10–P90 and the error of the median', () => {
    const b = compareBacktest(projection, { sales: [11, 16], revenue: [11_000, 16_000] });
    expect(b.months.map((m) => [m.sales.inside, m.revenue.inside])).toEqual([[true, true], [false, false]]);
    expect(b.coverage).toBe(0.5);
    expect(b.salesError).toBeCloseTo(20 / 27 - 1, 10);
    expect(b.salesMeanAbsoluteError).toBe(3.5);
  });

  it('gives no relative error, not NaN, when nothing was sold after the cut-off', () => {
    const b = compareBacktest(projection, { sales: [], revenue: [] });
    expect(b.salesError).toBeNull();
    expect(b.revenueError).toBeNull();
    expect(b.coverage).toBe(0);
  });
});
