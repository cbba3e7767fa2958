import { fieldError, invalid, type FieldError } from '../errors.js';
import { ratio, round2 } from '../metrics/period.js';
import type { FunnelModel } from './model.js';
import { createRng, rangeOf, type Range, type Rng } from './random.js';

/** Ages of an open lead, in days since it was created: the measured chance of winning differs by age. */
export const ageBuckets = [0, 30, 90, 180] as const;
export const ageBucketOf = (days: number) => { let b = 0; for (let i = 0; i < ageBuckets.length; i++) if (days >= ageBuckets[i]!) b = i; return b; };

const MONTH_DAYS = 30.44;

/**
 * What the projection needs besides the measured model; aggregated in SQL (src/db/queries/funnel.ts).
 * `step` is the index of the journey's stage step a lead is at (the furthest it reached).
 */
export type ProjectionInputs = {
  model: FunnelModel;
  /** Open leads now by step and age bucket; `weighted` is Σ amount × the salesperson's probability. */
  openCells: readonly { step: number; ageBucket: number; leads: number; amount: number; weighted: number; meanAgeDays: number }[];
  /** The history's leads by the furthest step they reached and their age when closed (or now, if open); `lost` counts the lost and the still open. */
  closedCells: readonly { step: number; ageBucket: number; won: number; lost: number }[];
  /** Days from creation to close of the won leads of the history (any order). */
  cycleDays: readonly number[];
  /** New leads per month in the history, per source ("none" for no source), with its measured CPL. */
  inflow: readonly { sourceId: string; leadsPerMonth: number; cpl: number | null }[];
  /**
   * Leads created in each week of the history (all sources). Their variance beyond a Poisson's is
   * the inflow's over-dispersion (see inflowDispersion); absent or too short: Poisson.
   */
  weeklyInflow?: readonly number[];
  /** Won deals' amounts: variance ÷ mean² (squared coefficient of variation); absent or 0: every win is worth its cell's average. */
  dealCv2?: number;
  /**
   * The closed leads of each week's cohort of the history (same weeks as weeklyInflow): won and lost.
   * How much the won share swings between cohorts beyond chance is the rates' drift (see rateDrift).
   */
  weeklyOutcomes?: readonly { won: number; lost: number }[];
};

/** Cohorts pooled into blocks of this many weeks to measure the rates' drift: a week holds too few closed leads. */
const DRIFT_BLOCK_WEEKS = 4;

/**
 * Drift of the conversion rate between periods: the intra-class correlation ρ of a beta-binomial,
 * by the method of moments over 4-week cohorts of closed leads. A cohort of n closed leads has
 * Var(won) = n·p(1−p)·(1 + (n−1)·ρ): ρ = 0 when the cohorts' won shares differ by chance alone;
 * otherwise the rate of the coming months is itself uncertain, by a variance ρ·p(1−p), however
 * many leads measured the average — the seasons, campaigns and people that move the inflow move
 * the rates too. 0 with fewer than 4 cohorts; capped at 0.2.
 */
export function rateDrift(weekly: readonly { won: number; lost: number }[]): number {
  const blocks: { k: number; n: number }[] = [];
  for (let i = 0; i < weekly.length; i += DRIFT_BLOCK_WEEKS) {
    let k = 0, n = 0;
    for (const w of weekly.slice(i, i + DRIFT_BLOCK_WEEKS)) { k += w.won; n += w.won + w.lost; }
    if (n > 0) blocks.push({ k, n });
  }
  const j = blocks.length;
  if (j < 4) return 0;
  const total = blocks.reduce((a, b) => a + b.n, 0);
  const p = blocks.reduce((a, b) => a + b.k, 0) / total;
  if (!(p > 0 && p < 1)) return 0;
  // Pearson's statistic, scaled for the rate estimated from the same blocks (j − 1 degrees of freedom).
  const chi = blocks.reduce((a, b) => a + (b.k - b.n * p) ** 2, 0) / (p * (1 - p)) * (j / (j - 1));
  const pairs = blocks.reduce((a, b) => a + b.n * (b.n - 1), 0);
  if (!(pairs > 0)) return 0;
  return Math.min(0.2, Math.max(0, (chi - total) / pairs));
}

/**
 * A period's rate around a mean `p` with the drift ρ: Beta(p·(1/ρ − 1), (1 − p)·(1/ρ − 1)), whose
 * variance is ρ·p(1−p). `p` itself without drift.
 */
function driftedRate(rng: Rng, p: number, rho: number): number {
  if (!(rho > 0) || !(p > 0) || p >= 1) return p;
  const n = 1 / rho - 1;
  return rng.beta(p * n, (1 - p) * n);
}

/**
 * Over-dispersion of the inflow: the squared coefficient of variation of the weekly lead rate, beyond
 * what Poisson noise explains, (variance − mean) ÷ mean², from the history's weekly counts (method of
 * moments for a gamma-Poisson, i.e. negative binomial). Real inflow swings with seasons, campaigns and
 * holidays far more than a Poisson allows; drawing each month's rate from a gamma with this CV² is what
 * keeps the inflow's P10–P90 honest. 0 when the weeks are no more variable than Poisson, or fewer than 4.
 */
export function inflowDispersion(weekly: readonly number[]): number {
  const n = weekly.length;
  if (n < 4) return 0;
  const mean = weekly.reduce((a, b) => a + b, 0) / n;
  if (!(mean > 0)) return 0;
  const variance = weekly.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
  // Capped: one freak week (a list imported at once) should widen the range, not make it meaningless.
  return Math.min(4, Math.max(0, (variance - mean) / (mean * mean)));
}

/**
 * How uncertain the inflow's own mean is: the squared CV of the mean weekly count of `weekly`,
 * (1/m + φ) ÷ n for n weeks of mean m and over-dispersion φ (inflowDispersion) — the Poisson
 * noise of what was counted plus the swings beyond it, averaged over n weeks. A year of 13 leads a
 * month knows its level to ±8 % at best; the projection draws the level once per run from a gamma
 * with this CV², so every month of that run shares it. 0 without history.
 */
export function inflowLevelCv2(weekly: readonly number[]): number {
  const n = weekly.length;
  const mean = n ? weekly.reduce((a, b) => a + b, 0) / n : 0;
  if (!(mean > 0)) return 0;
  return (1 / mean + inflowDispersion(weekly)) / n;
}

export type Lever =
  | { kind: 'inflow'; sourceId: string | null; factor: number }
  | { kind: 'rate'; stepId: string; rate: number }
  | { kind: 'averageDeal'; amount: number }
  | { kind: 'cycleTime'; factor: number }
  | { kind: 'spend'; sourceId: string; amountPerMonth: number };
export const leverKinds = ['inflow', 'rate', 'averageDeal', 'cycleTime', 'spend'] as const;

/** Past these a lever is a typo, not a plan. */
const MAX_FACTOR = 100;
const MAX_AMOUNT = 1_000_000_000;

/**
 * Checks levers against the model: a rate is a share 0…1 of a step that has a measured rate, an
 * inflow factor or spend is not negative, an average deal is positive, a cycle factor is in (0, 10].
 * Every bad lever is reported at once, naming `levers.<i>.<field>`. Without inputs (saving a
 * scenario) only the values are checked; the steps and sources they name are checked when it runs.
 */
export function assertLevers(levers: readonly Lever[], inputs: Pick<ProjectionInputs, 'model' | 'inflow'> | null): void {
  const errors: FieldError[] = [];
  const bad = (i: number, field: string, code: string, message: string) => errors.push({ field: `levers.${i}.${field}`, code, message });
  const finite = (v: number) => typeof v === 'number' && Number.isFinite(v);
  levers.forEach((l, i) => {
    switch (l.kind) {
      case 'inflow':
        if (!finite(l.factor) || l.factor < 0) bad(i, 'factor', 'too_small', 'Inflow cannot fall below zero: use a factor of 0 or more (1 = as measured).');
        else if (l.factor > MAX_FACTOR) bad(i, 'factor', 'too_large', `An inflow factor above ${MAX_FACTOR}× is not a plan.`);
        if (inputs && l.sourceId !== null && !inputs.inflow.some((s) => s.sourceId === l.sourceId)) bad(i, 'sourceId', 'no_history', 'This source brought no leads in the baseline period, so there is no inflow to scale.');
        break;
      case 'rate': {
        if (!finite(l.rate) || l.rate < 0 || l.rate > 1) bad(i, 'rate', 'out_of_range', 'A rate is a share between 0 and 1 (0 %–100 %).');
        if (!inputs) break;
        const step = inputs.model.steps.find((s) => s.stepId === l.stepId);
        if (!step) bad(i, 'stepId', 'not_found', 'No such step in this journey.');
        else if (step.rate === null || step.rate === 0) bad(i, 'stepId', 'no_rate', `"${step.name}" has no measured rate to change ("—"): it needs entrants in the baseline period.`);
        break;
      }
      case 'averageDeal':
        if (!finite(l.amount) || l.amount <= 0) bad(i, 'amount', 'too_small', 'The average deal must be more than zero.');
        else if (l.amount > MAX_AMOUNT) bad(i, 'amount', 'too_large', 'The average deal is absurdly large.');
        break;
      case 'cycleTime':
        if (!finite(l.factor) || l.factor <= 0 || l.factor > 10) bad(i, 'factor', 'out_of_range', 'The cycle time factor is above 0 and at most 10 (0.8 = 20 % faster).');
        break;
      case 'spend': {
        if (!finite(l.amountPerMonth) || l.amountPerMonth < 0) bad(i, 'amountPerMonth', 'too_small', 'Extra spend cannot be negative.');
        else if (l.amountPerMonth > MAX_AMOUNT) bad(i, 'amountPerMonth', 'too_large', 'The spend is absurdly large.');
        if (!inputs) break;
        const src = inputs.inflow.find((s) => s.sourceId === l.sourceId);
        if (!src || src.cpl === null || src.cpl <= 0) bad(i, 'sourceId', 'no_cpl', 'This source has no measured cost per lead in the baseline period, so spend cannot be turned into leads.');
        break;
      }
    }
  });
  if (errors.length) throw invalid(errors, errors[0]!.message);
}

/** The levers reduced to what the simulation applies. */
type Applied = {
  leadsPerMonth: number;
  averageDeal: number | null;
  cycleFactor: number;
  /** Multiplier of the chance of a sale for a lead at each step index (rate levers downstream of it). */
  winFactor: number[];
};

function applyLevers(inputs: ProjectionInputs, levers: readonly Lever[]): Applied {
  const m = inputs.model;
  let leadsPerMonth = 0;
  const perSource = new Map(inputs.inflow.map((s) => [s.sourceId, s.leadsPerMonth]));
  for (const l of levers) {
    if (l.kind === 'inflow') {
      if (l.sourceId === null) for (const [k, v] of perSource) perSource.set(k, v * l.factor);
      else perSource.set(l.sourceId, (perSource.get(l.sourceId) ?? 0) * l.factor);
    }
  }
  for (const v of perSource.values()) leadsPerMonth += v;
  for (const l of levers) {
    if (l.kind === 'spend') {
      const cpl = inputs.inflow.find((s) => s.sourceId === l.sourceId)?.cpl;
      if (cpl) leadsPerMonth += l.amountPerMonth / cpl;
    }
  }
  const winFactor = m.steps.map(() => 1);
  const leadStep = m.leadStep ?? 0;
  for (const l of levers) {
    if (l.kind !== 'rate') continue;
    const n = m.steps.findIndex((s) => s.stepId === l.stepId);
    const measured = m.steps[n]?.rate;
    if (n < 0 || !measured) continue;
    const f = l.rate / measured;
    // A better rate before leads exist (visitors → enquiries) brings more leads; after, more of them buy.
    if (n <= leadStep) leadsPerMonth *= f;
    else for (let i = 0; i < n; i++) winFactor[i]! *= f;
  }
  const deal = levers.findLast((l) => l.kind === 'averageDeal');
  const cycle = levers.findLast((l) => l.kind === 'cycleTime');
  return {
    leadsPerMonth, winFactor,
    averageDeal: deal?.kind === 'averageDeal' ? deal.amount : m.averageDeal,
    cycleFactor: cycle?.kind === 'cycleTime' ? cycle.factor : 1,
  };
}

/**
 * Measured chance that an open lead at `step` and `ageBucket` is won: of the history's leads that
 * reached the step and were still open at that age, the share won (lost and still-open ones are not
 * wins). Counts for the Jeffreys posterior Beta(won + ½, lost + ½).
 */
export function cellOdds(closed: ProjectionInputs['closedCells'], step: number, ageBucket: number): { won: number; lost: number } {
  let won = 0, lost = 0;
  for (const c of closed) if (c.step >= step && c.ageBucket >= ageBucket) { won += c.won; lost += c.lost; }
  return { won, lost };
}

/**
 * When a win lands, as the share in each of the next `months` months (what is left is beyond the
 * horizon), for a lead `ageDays` old: the measured cycles longer than its age, minus its age. With
 * no longer cycle on record, the win is spread over the next three months.
 */
export function closeMonthShares(cycleDays: readonly number[], ageDays: number, months: number, factor = 1, startOffsetDays = 0): number[] {
  const shares = new Array<number>(months).fill(0);
  const rest = cycleDays.map((d) => d * factor).filter((d) => d >= ageDays).map((d) => d - ageDays + startOffsetDays);
  if (rest.length === 0) {
    for (let i = 0; i < Math.min(3, months); i++) shares[i] = 1 / 3;
    return shares;
  }
  for (const r of rest) {
    const m = Math.floor(r / MONTH_DAYS);
    if (m < months) shares[m]! += 1 / rest.length;
  }
  return shares;
}

export type PipelineValue = {
  step: number; ageBucket: number; leads: number; amount: number;
  /** Σ amount × the salesperson's probability. */
  weighted: number;
  /** Measured chance of a win for this step and age, and the amount it is worth. */
  measuredProbability: number | null;
  measuredValue: number | null;
};

export type ProjectionMonth = { index: number; sales: Range; revenue: Range; cumulativeSales: Range; cumulativeRevenue: Range };
export type Projection = {
  months: ProjectionMonth[];
  total: { sales: Range; revenue: Range };
  /** The same levers with every rate at its measured mean, no randomness: what the sensitivity compares. */
  expected: { sales: number; revenue: number };
  pipeline: PipelineValue[];
  leadsPerMonth: number;
  simulations: number;
  seed: number;
};

export const MAX_SIMULATIONS = 20_000;

/** A lead's value when it has no amount: the average deal. */
const cellDeal = (c: { leads: number; amount: number }, averageDeal: number | null) => (c.amount > 0 ? c.amount / c.leads : averageDeal ?? 0);

/**
 * Projects sales and revenue for the next `months` months (docs/funnel.md#projection): the open
 * pipeline, each cell valued by the rate measured for its step and age, plus new inflow converting
 * at the measured lead → sale share, timed by the measured cycle. `simulations` Monte Carlo runs
 * draw every rate from its posterior, then its drift for the coming period (rateDrift), the inflow
 * with its over-dispersion, every count from its binomial/Poisson: P10 / P50 / P90.
 * Same seed, same figures.
 */
export function project(inputs: ProjectionInputs, levers: readonly Lever[], opts: { months: number; simulations: number; seed: number }): Projection {
  const { months, simulations, seed } = opts;
  if (!Number.isInteger(months) || months < 1 || months > 12) throw fieldError('months', 'out_of_range', 'The projection covers 1 to 12 months.');
  if (!Number.isInteger(simulations) || simulations < 1 || simulations > MAX_SIMULATIONS) throw fieldError('simulations', 'out_of_range', `Between 1 and ${MAX_SIMULATIONS} simulations.`);
  assertLevers(levers, inputs);
  const a = applyLevers(inputs, levers);
  const m = inputs.model;
  const cells = inputs.openCells.filter((c) => c.leads > 0).map((c) => {
    const odds = cellOdds(inputs.closedCells, c.step, c.ageBucket);
    return { ...c, odds, deal: cellDeal(c, a.averageDeal), shares: closeMonthShares(inputs.cycleDays, c.meanAgeDays, months, a.cycleFactor), factor: a.winFactor[c.step] ?? 1 };
  });
  // A new lead is created, on average, mid-month; its win lands a cycle later.
  const newShares = Array.from({ length: months }, (_, created) => closeMonthShares(inputs.cycleDays, 0, months - created, a.cycleFactor, MONTH_DAYS / 2));
  const lead = m.leadToSale;
  const leadFactor = a.winFactor[m.leadStep ?? 0] ?? 1;
  const newDeal = a.averageDeal ?? 0;

  const sales = Array.from({ length: months }, () => new Float64Array(simulations));
  const revenue = Array.from({ length: months }, () => new Float64Array(simulations));
  const rng = createRng(seed);
  const phi = inflowDispersion(inputs.weeklyInflow ?? []);
  // Only new cohorts drift: the open pipeline's chances are measured per step and age, from leads like it.
  const rho = rateDrift(inputs.weeklyOutcomes ?? []);
  const levelCv2 = inflowLevelCv2(inputs.weeklyInflow ?? []);
  const cv2 = inputs.dealCv2 !== undefined && Number.isFinite(inputs.dealCv2) && inputs.dealCv2 > 0 ? Math.min(inputs.dealCv2, 25) : 0;
  // Per month of this simulation: the variance of its revenue from the deals' spread (see spread()).
  const dealVariance = new Float64Array(months);
  for (let s = 0; s < simulations; s++) {
    dealVariance.fill(0);
    for (const c of cells) {
      const p = Math.min(1, rng.beta(c.odds.won + 0.5, c.odds.lost + 0.5) * c.factor);
      spread(rng, rng.binomial(c.leads, p), c.shares, 0, s, c.deal, cv2, sales, revenue, dealVariance);
    }
    if (a.leadsPerMonth > 0 && lead.trials > 0) {
      const p = Math.min(1, rng.beta(lead.successes + 0.5, lead.trials - lead.successes + 0.5) * leadFactor);
      // The inflow's level, as uncertain as the history that measured it (its gamma posterior).
      const level = levelCv2 > 0 ? a.leadsPerMonth * rng.gamma(1 / levelCv2) * levelCv2 : a.leadsPerMonth;
      for (let created = 0; created < months; created++) {
        // Gamma-Poisson (negative binomial): this month's rate is the level times a gamma of mean 1 and CV² phi.
        const rate = phi > 0 ? level * rng.gamma(1 / phi) * phi : level;
        // Beta-binomial: this month's cohort converts at its own rate around the run's.
        spread(rng, rng.binomial(rng.poisson(rate), driftedRate(rng, p, rho)), newShares[created]!, created, s, newDeal, cv2, sales, revenue, dealVariance);
      }
    }
    // The month's revenue: a gamma with the mean and variance of its wins' deals (exact when the deals
    // are gamma-distributed with one mean; moments matched when cells of different deals mix).
    for (let i = 0; i < months; i++) {
      const mean = revenue[i]![s]!, v = dealVariance[i]!;
      if (mean > 0 && v > 0) revenue[i]![s] = rng.gamma((mean * mean) / v) * (v / mean);
    }
  }

  const cumSales = new Float64Array(simulations), cumRevenue = new Float64Array(simulations);
  const scratch = new Float64Array(simulations);
  const monthsOut: ProjectionMonth[] = [];
  for (let i = 0; i < months; i++) {
    for (let s = 0; s < simulations; s++) { cumSales[s]! += sales[i]![s]!; cumRevenue[s]! += revenue[i]![s]!; }
    monthsOut.push({
      index: i + 1, sales: rangeOf(sales[i]!, scratch), revenue: roundRange(rangeOf(revenue[i]!, scratch)),
      cumulativeSales: rangeOf(cumSales, scratch), cumulativeRevenue: roundRange(rangeOf(cumRevenue, scratch)),
    });
  }
  const last = monthsOut.at(-1)!;
  return {
    months: monthsOut,
    total: { sales: last.cumulativeSales, revenue: last.cumulativeRevenue },
    expected: expectedOutcome(inputs, a, months),
    pipeline: cells.map((c) => {
      const prob = ratio(c.odds.won + 0.5, c.odds.won + c.odds.lost + 1);
      const measured = c.odds.won + c.odds.lost > 0 && prob !== null ? Math.min(1, prob * c.factor) : null;
      return {
        step: c.step, ageBucket: c.ageBucket, leads: c.leads, amount: round2(c.amount), weighted: round2(c.weighted),
        measuredProbability: measured, measuredValue: measured === null ? null : round2(measured * c.deal * c.leads),
      };
    }),
    leadsPerMonth: Math.round(a.leadsPerMonth * 100) / 100,
    simulations, seed,
  };
}

const roundRange = (r: Range): Range => ({ p10: round2(r.p10), p50: round2(r.p50), p90: round2(r.p90), mean: round2(r.mean) });

/**
 * Splits `n` wins over the months from `first` on by their shares with sequential binomials (a
 * multinomial draw) into simulation `s`'s sales and expected revenue (k × deal), adding k × deal² ×
 * cv2 to the month's deal variance: a month of few big deals is as uncertain in revenue as in
 * reality. The hot loop: no closures.
 */
function spread(rng: Rng, n: number, shares: readonly number[], first: number, s: number, deal: number, cv2: number, sales: Float64Array[], revenue: Float64Array[], dealVariance: Float64Array): void {
  let left = n, mass = 1;
  for (let i = 0; i < shares.length && left > 0; i++) {
    const share = shares[i]!;
    if (share <= 0) continue;
    const k = share >= mass - 1e-12 ? left : rng.binomial(left, share / mass);
    if (k > 0) { sales[first + i]![s]! += k; revenue[first + i]![s]! += k * deal; dealVariance[first + i]! += k * deal * deal * cv2; }
    left -= k;
    mass -= share;
  }
}

/** Expected sales and revenue over the horizon with every rate at its posterior mean. */
function expectedOutcome(inputs: ProjectionInputs, a: Applied, months: number): { sales: number; revenue: number } {
  let sales = 0, revenue = 0;
  for (const c of inputs.openCells) {
    if (c.leads <= 0) continue;
    const o = cellOdds(inputs.closedCells, c.step, c.ageBucket);
    const p = Math.min(1, ((o.won + 0.5) / (o.won + o.lost + 1)) * (a.winFactor[c.step] ?? 1));
    const inHorizon = closeMonthShares(inputs.cycleDays, c.meanAgeDays, months, a.cycleFactor).reduce((x, y) => x + y, 0);
    sales += c.leads * p * inHorizon;
    revenue += c.leads * p * inHorizon * cellDeal(c, a.averageDeal);
  }
  const lead = inputs.model.leadToSale;
  if (lead.trials > 0) {
    const p = Math.min(1, ((lead.successes + 0.5) / (lead.trials + 1)) * (a.winFactor[inputs.model.leadStep ?? 0] ?? 1));
    for (let created = 0; created < months; created++) {
      const inHorizon = closeMonthShares(inputs.cycleDays, 0, months - created, a.cycleFactor, MONTH_DAYS / 2).reduce((x, y) => x + y, 0);
      sales += a.leadsPerMonth * p * inHorizon;
      revenue += a.leadsPerMonth * p * inHorizon * (a.averageDeal ?? 0);
    }
  }
  return { sales: Math.round(sales * 100) / 100, revenue: round2(revenue) };
}

export type Sensitivity = { stepId: string; name: string; rate: number; revenueGain: number; salesGain: number };

/**
 * What one more point of conversion (rate + 0.01) at each step is worth in expected revenue over the
 * horizon, on top of `levers`: the first row is the bottleneck. Steps with no measured rate and
 * steps after the sale (they do not change sales) are left out.
 */
export function sensitivity(inputs: ProjectionInputs, levers: readonly Lever[], months: number): Sensitivity[] {
  const base = expectedOutcome(inputs, applyLevers(inputs, levers), months);
  const m = inputs.model;
  const last = m.saleStep ?? m.steps.length - 1;
  const rows: Sensitivity[] = [];
  m.steps.forEach((s, i) => {
    if (i === 0 || i > last || s.rate === null || s.rate === 0) return;
    const already = levers.findLast((l) => l.kind === 'rate' && l.stepId === s.stepId);
    const current = already?.kind === 'rate' ? already.rate : s.rate;
    const better = Math.min(1, current + 0.01);
    const e = expectedOutcome(inputs, applyLevers(inputs, [...levers.filter((l) => l !== already), { kind: 'rate', stepId: s.stepId, rate: better }]), months);
    rows.push({ stepId: s.stepId, name: s.name, rate: current, revenueGain: round2(e.revenue - base.revenue), salesGain: Math.round((e.sales - base.sales) * 100) / 100 });
  });
  return rows.sort((x, y) => y.revenueGain - x.revenueGain || x.name.localeCompare(y.name));
}

/**
 * How much each step's weekly volume changes under the levers, relative to the baseline: the inflow
 * change for every step from the leads on, times the rate changes of the steps up to it.
 */
export function stepVolumeFactors(inputs: ProjectionInputs, levers: readonly Lever[]): number[] {
  const base = applyLevers(inputs, []).leadsPerMonth;
  const a = applyLevers(inputs, levers);
  const m = inputs.model;
  const leadStep = m.leadStep ?? 0;
  const inflow = base > 0 ? a.leadsPerMonth / base : 1;
  return m.steps.map((_, i) => {
    let f = i >= leadStep ? inflow : 1;
    for (const l of levers) {
      if (l.kind !== 'rate') continue;
      const n = m.steps.findIndex((s) => s.stepId === l.stepId);
      const measured = m.steps[n]?.rate;
      // From the leads on, rate changes before them are already in the inflow.
      if (measured && n <= i && (i < leadStep || n > leadStep)) f *= l.rate / measured;
    }
    return f;
  });
}
