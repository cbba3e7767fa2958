/** Shapes of /api/v1/funnel/* (docs/funnel.md) and the few derivations the pages share. */
export type StepKind = 'stage' | 'activity' | 'sale' | 'repeat_sale' | 'promoter' | 'manual';
export type JourneyStep = { id: string; name: string; position: number; kind: StepKind; stageId: string | null; activityType: string | null; version: number };
export type StepModel = {
  stepId: string; name: string; kind: StepKind; entrants: number | null; rate: number | null; low: number | null; high: number | null;
  medianDays: number | null; costPerEntrant: number | null; valuePerEntrant: number | null; revenueCarried: number | null;
  warning: 'no_entrants' | 'no_count' | 'count_below_next' | null;
};
export type FunnelModel = { steps: StepModel[]; leads: number; won: number; averageDeal: number | null; repeatRate: number | null };
export type Range = { p10: number; p50: number; p90: number; mean: number };
export type ProjectionMonth = { index: number; month: string; sales: Range; revenue: Range; cumulativeSales: Range; cumulativeRevenue: Range };
export type Projection = {
  months: ProjectionMonth[]; total: { sales: Range; revenue: Range }; expected: { sales: number; revenue: number };
  pipeline: { step: number; stepId: string | null; ageBucket: number; leads: number; amount: number; weighted: number; measuredProbability: number | null; measuredValue: number | null }[];
  leadsPerMonth: number;
};
export type Sensitivity = { stepId: string; name: string; rate: number; revenueGain: number; salesGain: number }[];
export type Lever =
  | { kind: 'inflow'; sourceId: string | null; factor: number }
  | { kind: 'rate'; stepId: string; rate: number }
  | { kind: 'averageDeal'; amount: number }
  | { kind: 'cycleTime'; factor: number }
  | { kind: 'spend'; sourceId: string; amountPerMonth: number };
/**
 * `preparing`: the journey changed and the model is being rebuilt in the background; the figures are
 * null until it is done (docs/funnel.md#speed). Pages poll while preparing.
 */
export type ModelStatus = { status: 'ready' | 'preparing'; via: 'rollups' | 'raw' | null };
export type WhatIf = ModelStatus & { model: FunnelModel | null; baseline: Projection | null; scenario: Projection | null; sensitivity: Sensitivity };
export type Scenario = { id: string; name: string; pipelineId: string; levers: Lever[]; baselineFrom: string; baselineTo: string; months: number };
export type PlanWeek = { week: string; steps: { stepId: string; expected: number; p10: number; p90: number; actual: number; flag: 'below' | 'above' | null }[] };
export type Plan = ModelStatus & { steps: { stepId: string; name: string; kind: StepKind; expectedPerWeek: number }[]; weeks: PlanWeek[] };

export const leverKinds = ['inflow', 'rate', 'averageDeal', 'cycleTime', 'spend'] as const;

/** A fresh lever of a kind, at "no change" where that means something. */
export function blankLever(kind: Lever['kind'], firstStepId: string, firstSourceId: string): Lever {
  switch (kind) {
    case 'inflow': return { kind, sourceId: null, factor: 1.2 };
    case 'rate': return { kind, stepId: firstStepId, rate: 0.3 };
    case 'averageDeal': return { kind, amount: 1000 };
    case 'cycleTime': return { kind, factor: 0.9 };
    case 'spend': return { kind, sourceId: firstSourceId, amountPerMonth: 500 };
  }
}

/**
 * Rows for the baseline-vs-scenario chart: each month's cumulative P50 and the P10–P90 band as
 * [low, high] pairs (recharts draws a band from a two-value Area).
 */
export function chartRows(baseline: Projection, scenario: Projection) {
  return baseline.months.map((b, i) => {
    const s = scenario.months[i]!;
    return {
      month: b.month,
      baseline: b.cumulativeRevenue.p50, baselineBand: [b.cumulativeRevenue.p10, b.cumulativeRevenue.p90] as [number, number],
      scenario: s.cumulativeRevenue.p50, scenarioBand: [s.cumulativeRevenue.p10, s.cumulativeRevenue.p90] as [number, number],
    };
  });
}

/** 0–1 share → "22 %"; null → "—". */
export const shareText = (v: number | null | undefined, locale: string) =>
  v == null ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v);
