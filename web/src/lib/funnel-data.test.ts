import { describe, expect, it } from 'vitest';
import { blankLever, chartRows, shareText, type Projection } from './funnel-data.js';

const r = (p10: number, p50: number, p90: number) => ({ p10, p50, p90, mean: p50 });
const proj = (k: number): Projection => ({
  months: [{ index: 1, month: '2026-12', sales: r(1, 2, 3), revenue: r(1, 2, 3), cumulativeSales: r(1, 2, 3), cumulativeRevenue: r(10 * k, 20 * k, 30 * k) }],
  total: { sales: r(1, 2, 3), revenue: r(1, 2, 3) }, expected: { sales: 2, revenue: 2 }, pipeline: [], leadsPerMonth: 1,
});

describe('funnel data', () => {
  it('pairs each month\'s baseline and scenario medians with their P10–P90 bands', () => {
    expect(chartRows(proj(1), proj(2))).toEqual([{ month: '2026-12', baseline: 20, baselineBand: [10, 30], scenario: 40, scenarioBand: [20, 60] }]);
  });

  it('shows a missing share as a dash and starts levers at a sensible change', () => {
    expect(shareText(null, 'es-ES')).toBe('—');
    expect(shareText(0.225, 'en-GB')).toBe('22.5%');
    expect(blankLever('rate', 's1', 'src')).toEqual({ kind: 'rate', stepId: 's1', rate: 0.3 });
    expect(blankLever('spend', 's1', 'src')).toEqual({ kind: 'spend', sourceId: 'src', amountPerMonth: 500 });
  });
});
