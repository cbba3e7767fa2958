import { ratio, round2 } from '../metrics/period.js';
import { isRecordStep, type JourneyStep } from './journey.js';

/**
 * What the SQL aggregation hands the model (src/db/queries/funnel.ts), for the leads created in the
 * period (the cohort, like docs/metrics.md#conversion) and the period's hand-entered counts.
 */
export type FunnelFacts = {
  steps: readonly JourneyStep[];
  /** Cohort leads grouped by which record steps they reached: bit i ⇔ steps[i] reached. */
  reached: readonly { mask: number; leads: number }[];
  /** Median days from steps[i−1] to steps[i] over leads that reached both (index 0: null). */
  medianDays: readonly (number | null)[];
  /** Sum of the counts entered for each manual step in the period; absent or null when none. */
  manualCounts: Readonly<Record<string, number | null>>;
  /** Cohort leads won and the sum of their amounts (the average deal). */
  won: number;
  wonAmount: number;
  /** Campaign costs spread into the period (docs/metrics.md#cpl). */
  cost: number;
};

export type StepWarning = 'no_entrants' | 'no_count' | 'count_below_next';

export type StepModel = {
  stepId: string;
  name: string;
  kind: JourneyStep['kind'];
  /** Who reached the step in the cohort (record steps) or the counts entered (manual steps). */
  entrants: number | null;
  /** Share of the previous step's entrants that reached this one; null for the first step and "—". */
  rate: number | null;
  /** 95 % Wilson score interval of the rate. */
  low: number | null;
  high: number | null;
  trials: number;
  successes: number;
  medianDays: number | null;
  /** Campaign costs of the period ÷ entrants. */
  costPerEntrant: number | null;
  /** Expected revenue one entrant brings: its measured chance of a sale × the average deal. */
  valuePerEntrant: number | null;
  /** entrants × valuePerEntrant: the revenue the step carries. */
  revenueCarried: number | null;
  warning: StepWarning | null;
};

export type FunnelModel = {
  steps: StepModel[];
  leads: number;
  won: number;
  averageDeal: number | null;
  /** Of the won leads, the share whose client bought again (needs a repeat_sale step). */
  repeatRate: number | null;
  revenue: number;
  cost: number;
  /** Index of the sale step in `steps`, or null when the journey has none. */
  saleStep: number | null;
  /** Index of the first record step (where leads enter), or null. */
  leadStep: number | null;
  /** Of the leads at the first record step, how many reached the sale: the new leads' chance. */
  leadToSale: { trials: number; successes: number };
};

const Z95 = 1.959963984540054;

/**
 * Wilson score interval (95 %) of k successes in n trials. Chosen over the normal ("Wald")
 * interval because it stays inside 0…1 and keeps close to its nominal coverage with a handful of
 * cases (3 of 3 gives 44 %–100 %, not 100 % ± 0); it nearly coincides with the Jeffreys Beta
 * posterior the simulation draws rates from, in closed form. Null without trials.
 */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } | null {
  if (!(n > 0) || k < 0 || k > n) return null;
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

const hasBit = (mask: number, i: number) => (mask & (1 << i)) !== 0;

/** Leads whose mask has every listed bit. */
function countWith(reached: FunnelFacts['reached'], bits: readonly number[]): number {
  let n = 0;
  for (const r of reached) if (bits.every((b) => hasBit(r.mask, b))) n += r.leads;
  return n;
}

/**
 * The measured model (docs/funnel.md): entrants per step, step-to-step rate with its interval,
 * median time between steps, cost per entrant, average deal, repeat rate and the revenue each step
 * carries. Steps with no entrants, periods with no history, counts smaller than the next step give
 * null ("—") and a warning, never NaN.
 */
export function measureFunnel(f: FunnelFacts): FunnelModel {
  const steps = f.steps;
  const leads = f.reached.reduce((s, r) => s + r.leads, 0);
  const saleIdx = steps.findIndex((s) => s.kind === 'sale');
  const repeatIdx = steps.findIndex((s) => s.kind === 'repeat_sale');
  const averageDeal = ratio(f.wonAmount, f.won);
  const entrantsOf = (i: number): number | null => {
    const s = steps[i]!;
    if (isRecordStep(s)) return countWith(f.reached, [i]);
    const c = f.manualCounts[s.id];
    return c === undefined || c === null ? null : c;
  };
  const entrants = steps.map((_, i) => entrantsOf(i));

  // Chance of a sale from step i: measured directly on the leads that reached i (record steps).
  const saleShare = (i: number): number | null => {
    if (saleIdx < 0) return null;
    if (i >= saleIdx) return 1;
    return ratio(countWith(f.reached, [i, saleIdx]), countWith(f.reached, [i]));
  };

  const out: StepModel[] = steps.map((s, i) => {
    const e = entrants[i]!;
    let trials = 0, successes = 0;
    let rate: number | null = null;
    let warning: StepWarning | null = null;
    if (!isRecordStep(s) && e === null) warning = 'no_count';
    else if (e === 0) warning = 'no_entrants';
    if (i > 0) {
      const prev = steps[i - 1]!;
      const pe = entrants[i - 1]!;
      if (isRecordStep(prev) && isRecordStep(s)) { trials = pe ?? 0; successes = countWith(f.reached, [i - 1, i]); }
      else { trials = pe ?? 0; successes = e ?? 0; }
      if (pe !== null && e !== null) rate = ratio(successes, trials);
      if (rate !== null && rate > 1) { rate = null; trials = 0; successes = 0; }
    }
    const w = rate === null ? null : wilson(successes, trials);
    return {
      stepId: s.id, name: s.name, kind: s.kind, entrants: e, rate, low: w?.low ?? null, high: w?.high ?? null, trials, successes,
      medianDays: f.medianDays[i] ?? null, costPerEntrant: e === null ? null : ratio(round2(f.cost), e),
      valuePerEntrant: null, revenueCarried: null, warning,
    };
  });

  // A hand-entered count below the next step's entrants is bad input: its rate would exceed 100 %.
  for (let i = 0; i + 1 < steps.length; i++) {
    const e = entrants[i]!, next = entrants[i + 1]!;
    if (!isRecordStep(steps[i]!) && e !== null && next !== null && e < next) out[i]!.warning = 'count_below_next';
    if (!isRecordStep(steps[i + 1]!) && e !== null && next !== null && next > e) out[i + 1]!.warning = 'count_below_next';
  }

  // Value of an entrant: a record step's own measured sale share; a manual step passes on the next step's value through its rate.
  for (let i = steps.length - 1; i >= 0; i--) {
    const s = steps[i]!;
    let share: number | null;
    if (isRecordStep(s)) share = saleShare(i);
    else {
      const nextRate = out[i + 1]?.rate ?? null;
      const nextShare = i + 1 < steps.length && out[i + 1]!.valuePerEntrant !== null && averageDeal ? out[i + 1]!.valuePerEntrant! / averageDeal : null;
      share = saleIdx >= 0 && i > saleIdx ? 1 : nextRate !== null && nextShare !== null ? nextRate * nextShare : null;
    }
    const v = share === null || averageDeal === null ? null : share * averageDeal;
    out[i]!.valuePerEntrant = v === null ? null : round2(v);
    out[i]!.revenueCarried = v === null || entrants[i] === null ? null : round2(v * entrants[i]!);
  }

  const leadIdx = steps.findIndex(isRecordStep);
  const leadToSale = leadIdx >= 0 && saleIdx >= 0
    ? { trials: countWith(f.reached, [leadIdx]), successes: countWith(f.reached, [leadIdx, saleIdx]) } : { trials: 0, successes: 0 };
  const repeatRate = saleIdx >= 0 && repeatIdx >= 0 ? ratio(countWith(f.reached, [saleIdx, repeatIdx]), countWith(f.reached, [saleIdx])) : null;
  return {
    steps: out, leads, won: f.won, averageDeal: averageDeal === null ? null : round2(averageDeal), repeatRate,
    revenue: round2(f.wonAmount), cost: round2(f.cost), saleStep: saleIdx >= 0 ? saleIdx : null,
    leadStep: leadIdx >= 0 ? leadIdx : null, leadToSale,
  };
}

/**
 * Leads counted by how many days something took, in the rollups' day buckets (1-day buckets up to
 * 90 days, then 7-day ones up to 370, then 30-day; `lo` the bucket's first day) with their exact
 * days summed.
 */
export type DayBucket = { lo: number; leads: number; days: number };

/**
 * The q-quantile (0…1) of a bucketed distribution, placed like percentile_cont (between the
 * (N−1)·q-th and the next value in order), each value read as the mean of its bucket: exact when a
 * bucket's values are equal (whole days, as most are) and never off by more than the bucket's width.
 * Null with no values.
 */
export function bucketQuantile(buckets: readonly DayBucket[], q: number): number | null {
  const sorted = buckets.filter((b) => b.leads > 0).sort((a, b) => a.lo - b.lo);
  const n = sorted.reduce((s, b) => s + b.leads, 0);
  if (n === 0) return null;
  const valueAt = (k: number) => {
    let seen = 0;
    for (const b of sorted) { seen += b.leads; if (k < seen) return b.days / b.leads; }
    const last = sorted.at(-1)!;
    return last.days / last.leads;
  };
  const pos = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const a = valueAt(lo), b = valueAt(Math.min(n - 1, lo + 1));
  return a + (b - a) * (pos - lo);
}
