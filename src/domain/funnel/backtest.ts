import type { Projection } from './projection.js';

export type BacktestMonth = {
  index: number;
  sales: { p10: number; p50: number; p90: number; actual: number; inside: boolean };
  revenue: { p10: number; p50: number; p90: number; actual: number; inside: boolean };
};
export type Backtest = {
  months: BacktestMonth[];
  /** Share of the month × {sales, revenue} figures that fell inside P10–P90 (80 % if calibrated). */
  coverage: number;
  /** Over the whole horizon: (P50 − actual) ÷ actual, null when nothing happened. */
  salesError: number | null;
  revenueError: number | null;
  /** Mean of |P50 − actual| per month. */
  salesMeanAbsoluteError: number;
};

/** Compares a projection made at a cut-off with what happened after it (docs/funnel.md#backtest). */
export function compareBacktest(p: Projection, actual: { sales: readonly number[]; revenue: readonly number[] }): Backtest {
  const months = p.months.map((m, i): BacktestMonth => {
    const s = actual.sales[i] ?? 0;
    const r = actual.revenue[i] ?? 0;
    return {
      index: m.index,
      sales: { p10: m.sales.p10, p50: m.sales.p50, p90: m.sales.p90, actual: s, inside: s >= m.sales.p10 && s <= m.sales.p90 },
      revenue: { p10: m.revenue.p10, p50: m.revenue.p50, p90: m.revenue.p90, actual: r, inside: r >= m.revenue.p10 && r <= m.revenue.p90 },
    };
  });
  const checks = months.flatMap((m) => [m.sales.inside, m.revenue.inside]);
  const totalSales = months.reduce((a, m) => a + m.sales.actual, 0);
  const totalRevenue = months.reduce((a, m) => a + m.revenue.actual, 0);
  const rel = (projected: number, real: number) => (real > 0 ? (projected - real) / real : null);
  return {
    months,
    coverage: checks.length ? checks.filter(Boolean).length / checks.length : 0,
    salesError: rel(p.total.sales.p50, totalSales),
    revenueError: rel(p.total.revenue.p50, totalRevenue),
    salesMeanAbsoluteError: months.length ? months.reduce((a, m) => a + Math.abs(m.sales.p50 - m.sales.actual), 0) / months.length : 0,
  };
}
