import { describe, expect, it } from 'vitest';
import type { AppError } from '../errors.js';
import { measureFunnel } from './model.js';
import type { JourneyStep } from './journey.js';
import { ageBucketOf, closeMonthShares, inflowDispersion, inflowLevelCv2, project, rateDrift, sensitivity, stepVolumeFactors, type ProjectionInputs } from './projection.js';
import { createRng } from './random.js';

const step = (id: string, kind: JourneyStep['kind'], position: number): JourneyStep => ({ id, name: id, kind, position, stageId: kind === 'stage' ? id : null, activityType: null });
const steps = [step('frio', 'stage', 1), step('templado', 'stage', 2), step('caliente', 'stage', 3), step('venta', 'sale', 4)];
// 1000 leads: 500 warm (50 %), 200 hot (40 %), 100 won (50 %).
const model = measureFunnel({
  steps, medianDays: [], manualCounts: {}, won: 100, wonAmount: 200_000, cost: 0,
  reached: [{ mask: 0b0001, leads: 500 }, { mask: 0b0011, leads: 300 }, { mask: 0b0111, leads: 100 }, { mask: 0b1111, leads: 100 }],
});
const inputs: ProjectionInputs = {
  model,
  // 100 hot leads, young; history says 30 % of hot leads still open at that age are won.
  openCells: [{ step: 2, ageBucket: 0, leads: 100, amount: 300_000, weighted: 150_000, meanAgeDays: 10 }],
  closedCells: [{ step: 2, ageBucket: 0, won: 3000, lost: 7000 }],
  cycleDays: [20, 25, 28, 29],
  inflow: [{ sourceId: 'web', leadsPerMonth: 100, cpl: 50 }, { sourceId: 'none', leadsPerMonth: 0, cpl: null }],
};
const opts = { months: 3, simulations: 2000, seed: 11 };
const fieldsOf = (f: () => unknown) => { try { f(); } catch (e) { return (e as AppError).fields.map((x) => `${x.field}:${x.code}`); } return null; };

describe('projection', () => {
  it('gives the same P10 / P50 / P90 for the same seed', () => {
    expect(project(inputs, [], opts)).toEqual(project(inputs, [], opts));
    expect(project(inputs, [], { ...opts, seed: 12 }).total).not.toEqual(project(inputs, [], opts).total);
  });

  it('contains the known outcome within P10–P90: pipeline wins land in month one, inflow converts at the measured 10 %', () => {
    const p = project(inputs, [], opts);
    // Month 1: 30 of the 100 hot leads (cycle 20–29 days, they are 10 days old → within the month); inflow won in ~25 days
    // from mid-month lands half in month 1, half in month 2.
    const m1 = p.months[0]!.sales;
    expect(m1.p10).toBeLessThanOrEqual(30 + 5);
    expect(m1.p90).toBeGreaterThanOrEqual(30 + 5);
    const total = p.total.sales; // 30 + 10 per month of inflow, less what lands after month 3
    expect(total.p10).toBeLessThanOrEqual(p.expected.sales);
    expect(total.p90).toBeGreaterThanOrEqual(p.expected.sales);
    expect(p.expected.sales).toBeGreaterThan(50);
    expect(p.expected.sales).toBeLessThan(61);
    expect(p.pipeline[0]).toMatchObject({ leads: 100, weighted: 150_000 });
    expect(p.pipeline[0]!.measuredProbability).toBeCloseTo(0.3, 2);
    expect(p.pipeline[0]!.measuredValue).toBeCloseTo(90_000, -3);
    expect(p.months[2]!.cumulativeRevenue.p50).toBeGreaterThan(p.months[0]!.cumulativeRevenue.p50);
  });

  it('moves the scenario with the levers: doubled inflow, better rates, a bigger deal, spend through the CPL', () => {
    const base = project(inputs, [], opts).expected;
    const doubled = project(inputs, [{ kind: 'inflow', sourceId: null, factor: 2 }], opts);
    expect(doubled.leadsPerMonth).toBe(200);
    expect(doubled.expected.sales).toBeGreaterThan(base.sales);
    // Hot → won from 50 % to 100 %: every lead before it is twice as likely to buy.
    const better = project(inputs, [{ kind: 'rate', stepId: 'venta', rate: 1 }], opts).expected;
    expect(better.sales).toBeCloseTo(base.sales * 2, 0);
    const spend = project(inputs, [{ kind: 'spend', sourceId: 'web', amountPerMonth: 5000 }], opts);
    expect(spend.leadsPerMonth).toBe(200); // 5000 € ÷ 50 € per lead
    const deal = project(inputs, [{ kind: 'averageDeal', amount: 4000 }], opts).expected;
    expect(deal.revenue).toBeGreaterThan(base.revenue);
    const slow = project(inputs, [{ kind: 'cycleTime', factor: 10 }], opts).expected;
    expect(slow.sales).toBeLessThan(base.sales);
  });

  it('refuses a rate above 100 %, inflow below zero, absurd values and levers it cannot apply, naming each', () => {
    expect(fieldsOf(() => project(inputs, [
      { kind: 'rate', stepId: 'templado', rate: 1.2 }, { kind: 'inflow', sourceId: null, factor: -1 },
      { kind: 'averageDeal', amount: 0 }, { kind: 'spend', sourceId: 'none', amountPerMonth: 100 },
      { kind: 'rate', stepId: 'frio', rate: 0.5 }, { kind: 'cycleTime', factor: 50 }, { kind: 'inflow', sourceId: 'nope', factor: 2 },
    ], opts))).toEqual([
      'levers.0.rate:out_of_range', 'levers.1.factor:too_small', 'levers.2.amount:too_small', 'levers.3.sourceId:no_cpl',
      'levers.4.stepId:no_rate', 'levers.5.factor:out_of_range', 'levers.6.sourceId:no_history',
    ]);
    expect(fieldsOf(() => project(inputs, [], { ...opts, months: 13 }))).toEqual(['months:out_of_range']);
    expect(fieldsOf(() => project(inputs, [], { ...opts, simulations: 0 }))).toEqual(['simulations:out_of_range']);
  });

  it('projects zeros, not NaN, with no history at all', () => {
    const empty = measureFunnel({ steps, reached: [], medianDays: [], manualCounts: {}, won: 0, wonAmount: 0, cost: 0 });
    const p = project({ model: empty, openCells: [], closedCells: [], cycleDays: [], inflow: [] }, [], opts);
    expect(p.total.sales).toEqual({ p10: 0, p50: 0, p90: 0, mean: 0 });
    expect(JSON.stringify(p)).not.toMatch(/NaN|Infinity|null/);
  });

  it('ranks as the bottleneck the step where one more point is worth most revenue', () => {
    const rows = sensitivity(inputs, [], 3);
    // Hot → won lifts both the open hot leads and the new ones; of the rest, the lowest rate (hot, 40 %) comes first.
    expect(rows.map((r) => r.stepId)).toEqual(['venta', 'caliente', 'templado']);
    expect(rows[0]!.revenueGain).toBeGreaterThan(rows[2]!.revenueGain);
    expect(rows.every((r) => r.revenueGain > 0)).toBe(true);
  });

  it('scales each step\'s weekly volume by the inflow and the rate changes up to it', () => {
    expect(stepVolumeFactors(inputs, [{ kind: 'inflow', sourceId: 'web', factor: 1.5 }, { kind: 'rate', stepId: 'caliente', rate: 0.8 }]))
      .toEqual([1.5, 1.5, 3, 3]);
  });

  it('times wins by the measured cycles longer than the lead\'s age', () => {
    expect(closeMonthShares([10, 40, 70, 100], 30, 2)).toEqual([1 / 3, 1 / 3]);
    expect(closeMonthShares([], 0, 4)).toEqual([1 / 3, 1 / 3, 1 / 3, 0]);
    expect([0, 29, 30, 120, 500].map(ageBucketOf)).toEqual([0, 0, 1, 2, 3]);
  });
});

describe('calibration', () => {
  // A business with known truth: inflow whose monthly level swings (gamma, CV² 0.1) around 25 leads a
  // week; new leads won at a rate that itself drifts from month to month around 20 % (beta, ρ 0.03:
  // ±6 points); 200 open leads of which 30 % will be won; deals of 1000 € with CV² 0.25; cycles of
  // 10–40 days. Each trial measures a year of history drawn from the truth, projects 3 months, and
  // draws what "really" happened next from the same truth. Calibrated ranges hold reality inside
  // P10–P90 about 80 % of the time.
  const cycleDays = [10, 20, 30, 40];
  const MONTH = 30.44;
  const DRIFT = 0.03;
  const landing = (r: ReturnType<typeof createRng>, startDays: number) => Math.floor((startDays + cycleDays[Math.floor(r.next() * 4)]!) / MONTH);
  /** full: everything the fit measures; noDrift: without the cohorts' outcomes; bare: without them, the weekly inflow and the deals' spread. */
  type Variant = 'full' | 'noDrift' | 'bare';

  function trial(seed: number, variant: Variant): boolean[] {
    const r = createRng(seed);
    const level = () => r.gamma(10) / 10;
    const rate = () => r.beta(0.2 * (1 / DRIFT - 1), 0.8 * (1 / DRIFT - 1));
    // History: 52 weeks, the level and the rate redrawn every 4 weeks.
    const weekly: number[] = [];
    const outcomes: { won: number; lost: number }[] = [];
    let g = 1, q = 0.2;
    for (let w = 0; w < 52; w++) {
      if (w % 4 === 0) { g = level(); q = rate(); }
      const n = r.poisson(25 * g);
      const k = r.binomial(n, q);
      weekly.push(n);
      outcomes.push({ won: k, lost: n - k });
    }
    const leads = weekly.reduce((a, b) => a + b, 0);
    const won = outcomes.reduce((a, o) => a + o.won, 0);
    const deals = Array.from({ length: won }, () => r.gamma(4) * 250);
    const dealMean = deals.reduce((a, b) => a + b, 0) / won;
    const dealCv2 = deals.reduce((a, b) => a + (b - dealMean) ** 2, 0) / won / dealMean ** 2;
    const pipelineWon = r.binomial(400, 0.3);
    const chain = [step('lead', 'stage', 1), step('venta', 'sale', 2)];
    const inputs: ProjectionInputs = {
      model: measureFunnel({ steps: chain, medianDays: [], manualCounts: {}, won, wonAmount: won * dealMean, cost: 0, reached: [{ mask: 0b01, leads: leads - won }, { mask: 0b11, leads: won }] }),
      openCells: [{ step: 0, ageBucket: 0, leads: 200, amount: 200 * 1000, weighted: 0, meanAgeDays: 0 }],
      closedCells: [{ step: 0, ageBucket: 0, won: pipelineWon, lost: 400 - pipelineWon }],
      cycleDays, inflow: [{ sourceId: 'web', leadsPerMonth: (leads / 52) * (MONTH / 7), cpl: null }],
      ...(variant !== 'bare' ? { weeklyInflow: weekly, dealCv2 } : {}),
      ...(variant === 'full' ? { weeklyOutcomes: outcomes } : {}),
    };
    const p = project(inputs, [], { months: 3, simulations: 400, seed });
    // What really happened.
    const sales = [0, 0, 0], revenue = [0, 0, 0];
    const win = (month: number) => { if (month < 3) { sales[month]! += 1; revenue[month]! += r.gamma(4) * 250; } };
    for (let i = 0; i < 200; i++) if (r.next() < 0.3) win(landing(r, 0));
    for (let m = 0; m < 3; m++) {
      const n = r.poisson(25 * (MONTH / 7) * level());
      const qm = rate();
      for (let i = 0; i < n; i++) if (r.next() < qm) win(m + landing(r, MONTH / 2));
    }
    return p.months.flatMap((m, i) => [
      sales[i]! >= m.sales.p10 && sales[i]! <= m.sales.p90,
      revenue[i]! >= m.revenue.p10 && revenue[i]! <= m.revenue.p90,
    ]);
  }
  const memo = new Map<Variant, number>();
  // 200 seeded backtests × 3 months × (sales, revenue): a coverage measured to about ±2 points.
  const coverage = (variant: Variant) => {
    if (!memo.has(variant)) {
      const inside = Array.from({ length: 200 }, (_, i) => trial(1000 + i, variant)).flat();
      memo.set(variant, inside.filter(Boolean).length / inside.length);
    }
    return memo.get(variant)!;
  };

  it('holds reality inside P10–P90 80 % of the time (±5 points) on a business with known rates, drifting rates, over-dispersed inflow and varied deals', () => {
    expect(Math.abs(coverage('full') - 0.8)).toBeLessThanOrEqual(0.05);
  });

  it('is too confident without the rates\' drift, and more so without the inflow\'s over-dispersion and the deals\' spread (what the backtests showed)', () => {
    expect(coverage('noDrift')).toBeLessThan(coverage('full') - 0.04);
    expect(coverage('bare')).toBeLessThan(coverage('noDrift') - 0.04);
  });

  it('measures the inflow\'s over-dispersion beyond Poisson, zero for steady or short histories', () => {
    expect(inflowDispersion([10, 10, 10, 10, 10])).toBe(0);
    expect(inflowDispersion([5, 15])).toBe(0);
    // Mean 10, sample variance 256 ÷ 5 = 51.2: (51.2 − 10) ÷ 10².
    expect(inflowDispersion([2, 18, 10, 10, 2, 18])).toBeCloseTo(0.412, 10);
    expect(inflowDispersion([0, 0, 0, 0])).toBe(0);
  });

  it('knows the inflow\'s level as well as its history allows: Poisson noise plus over-dispersion, over the weeks', () => {
    // 52 steady weeks of 10: only counting noise, 1/10 over 52 weeks.
    expect(inflowLevelCv2(new Array<number>(52).fill(10))).toBeCloseTo(0.1 / 52, 10);
    expect(inflowLevelCv2([2, 18, 10, 10, 2, 18])).toBeCloseTo((0.1 + 0.412) / 6, 10);
    expect(inflowLevelCv2([])).toBe(0);
  });

  it('measures the rates\' drift between 4-week cohorts beyond chance, zero when they differ by chance alone or are too few', () => {
    const weeks = (blocks: [number, number][]) => blocks.flatMap(([won, lost]) => [{ won, lost }, { won: 0, lost: 0 }, { won: 0, lost: 0 }, { won: 0, lost: 0 }]);
    // Shares exactly equal: no drift; three cohorts: too few to tell.
    expect(rateDrift(weeks([[10, 40], [10, 40], [10, 40], [10, 40]]))).toBe(0);
    expect(rateDrift(weeks([[0, 50], [50, 0], [25, 25]]))).toBe(0);
    // 10 % and 30 % alternating on 100 leads each: p = 0.2, Pearson 4 × 100 ÷ 0.16 = 2500, × 4/3 for the
    // estimated p; (3333.3 − 400) ÷ (4 × 100 × 99) = 0.0741.
    expect(rateDrift(weeks([[10, 90], [30, 70], [10, 90], [30, 70]]))).toBeCloseTo(0.0741, 4);
    // Capped: cohorts that convert all or nothing.
    expect(rateDrift(weeks([[50, 0], [0, 50], [50, 0], [0, 50]]))).toBe(0.2);
  });
});
