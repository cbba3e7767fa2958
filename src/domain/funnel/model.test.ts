import { describe, expect, it } from 'vitest';
import { bucketQuantile, measureFunnel, wilson, type FunnelFacts } from './model.js';
import type { JourneyStep } from './journey.js';
import { createRng } from './random.js';

const step = (id: string, kind: JourneyStep['kind'], position: number): JourneyStep => ({ id, name: id, kind, position, stageId: kind === 'stage' ? id : null, activityType: null });
const journey = [step('visitas', 'manual', 1), step('frio', 'stage', 2), step('templado', 'stage', 3), step('caliente', 'stage', 4), step('venta', 'sale', 5), step('recompra', 'repeat_sale', 6)];

/** Leads walking the record steps with known rates; returns the facts the SQL would aggregate. */
function synthetic(seed: number, leads: number, rates: number[], deal = 1000): FunnelFacts {
  const rng = createRng(seed);
  const masks = new Map<number, number>();
  let won = 0;
  for (let n = 0; n < leads; n++) {
    let mask = 1 << 1;
    for (let i = 2; i < journey.length; i++) {
      if (rng.next() >= rates[i - 2]!) break;
      mask |= 1 << i;
    }
    if (mask & (1 << 4)) won++;
    masks.set(mask, (masks.get(mask) ?? 0) + 1);
  }
  return {
    steps: journey, reached: [...masks].map(([mask, l]) => ({ mask, leads: l })), medianDays: [null, null, 12, 20, 15, null],
    manualCounts: { visitas: leads * 4 }, won, wonAmount: won * deal, cost: 5000,
  };
}

describe('measured funnel', () => {
  it('recovers known step rates within its intervals on synthetic data', () => {
    const truth = [0.55, 0.4, 0.6, 0.25];
    for (const seed of [1, 2, 3]) {
      const m = measureFunnel(synthetic(seed, 2000, truth));
      const rates = m.steps.slice(2).map((s) => [s.low!, s.high!]);
      rates.forEach(([low, high], i) => { expect(low).toBeLessThanOrEqual(truth[i]!); expect(high).toBeGreaterThanOrEqual(truth[i]!); });
      expect(m.steps[1]!.rate).toBe(0.25); // 2000 leads of 8000 visitors
      expect(m.repeatRate).toBeCloseTo(m.steps[5]!.rate!, 10);
    }
  });

  it('gives entrants, cost per entrant, average deal and the revenue each step carries', () => {
    const facts: FunnelFacts = {
      steps: journey.slice(1, 5),
      reached: [{ mask: 0b0001, leads: 6 }, { mask: 0b0011, leads: 2 }, { mask: 0b1111, leads: 2 }],
      medianDays: [null, 3, 4.5, 10], manualCounts: {}, won: 2, wonAmount: 3000, cost: 1000,
    };
    const m = measureFunnel(facts);
    expect(m.steps.map((s) => s.entrants)).toEqual([10, 4, 2, 2]);
    expect(m.steps.map((s) => s.rate)).toEqual([null, 0.4, 0.5, 1]);
    expect(m.steps.map((s) => s.costPerEntrant)).toEqual([100, 250, 500, 500]);
    expect(m.averageDeal).toBe(1500);
    // 2 of 10 leads at Frío were won: each entrant is worth 20 % of 1500.
    expect(m.steps.map((s) => s.valuePerEntrant)).toEqual([300, 750, 1500, 1500]);
    expect(m.steps.map((s) => s.revenueCarried)).toEqual([3000, 3000, 3000, 3000]);
    expect(m.steps[2]!.medianDays).toBe(4.5);
    expect(m.leadToSale).toEqual({ trials: 10, successes: 2 });
  });

  it('answers "—" (null) and a warning for a step nobody reached and a period with no history, never NaN', () => {
    const m = measureFunnel({ steps: journey, reached: [], medianDays: [], manualCounts: {}, won: 0, wonAmount: 0, cost: 0 });
    expect(m.steps[0]!.warning).toBe('no_count');
    expect(m.steps[1]!.warning).toBe('no_entrants');
    expect(m.steps.every((s) => s.rate === null && s.valuePerEntrant === null)).toBe(true);
    expect(m.averageDeal).toBeNull();
    expect(JSON.stringify(m)).not.toMatch(/NaN|Infinity/);
  });

  it('flags a hand-entered count smaller than the next step instead of a rate above 100 %', () => {
    const m = measureFunnel({ ...synthetic(5, 100, [0.5, 0.5, 0.5, 0.5]), manualCounts: { visitas: 60 } });
    expect(m.steps[0]!.warning).toBe('count_below_next');
    expect(m.steps[1]!.rate).toBeNull();
  });

  it('gives the Wilson interval: never outside 0–1, wide with three cases, none without trials', () => {
    const w = wilson(3, 3)!;
    expect(w.high).toBe(1);
    expect(w.low).toBeCloseTo(0.4385, 3);
    expect(wilson(0, 0)).toBeNull();
    const narrow = wilson(500, 1000)!;
    expect(narrow.high - narrow.low).toBeLessThan(0.07);
  });
});

describe('bucketed quantiles', () => {
  it('reads the median like percentile_cont when each bucket holds equal values, and null without values', () => {
    // 5 leads at 2 days, 4 at 5 days, 1 at 100 days (a 7-day bucket whose mean is 100).
    const b = [{ lo: 5, leads: 4, days: 20 }, { lo: 2, leads: 5, days: 10 }, { lo: 97, leads: 1, days: 100 }];
    expect(bucketQuantile(b, 0.5)).toBe(3.5); // between the 5th (2) and 6th (5) values
    expect(bucketQuantile(b, 0)).toBe(2);
    expect(bucketQuantile(b, 1)).toBe(100);
    expect(bucketQuantile([{ lo: 3, leads: 3, days: 9 }], 0.5)).toBe(3);
    expect(bucketQuantile([], 0.5)).toBeNull();
    expect(bucketQuantile([{ lo: 3, leads: 0, days: 0 }], 0.5)).toBeNull();
  });
});
