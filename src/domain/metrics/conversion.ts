import { bucketOf, groupBy, inPeriod, keyOf, ratio, type MetricPeriod, type PeriodUnit } from './period.js';

/** What the lead metrics read of a lead. Cancelled leads are left out by the caller (docs/metrics.md). */
export type LeadFact = {
  id: string;
  createdAt: Date;
  status: 'open' | 'won' | 'lost' | 'cancelled';
  closedAt: Date | null;
  ownerId: string | null;
  sourceId: string | null;
  campaignId: string | null;
  pipelineId: string;
  stageId: string;
  amount: number;
  probability: number;
  expectedCloseDate: string | null;
  nextActionAt: Date | null;
};

export type ConversionRow = { key: string; created: number; won: number; rate: number | null };
export type ConversionBy = 'total' | 'source' | 'owner' | 'period';

/**
 * Cohort conversion: of the leads created in the period, the share won (by now). Grouped by source,
 * owner or period unit (the unit the lead was created in); `total` gives one row keyed "all".
 */
export function conversion(leads: readonly LeadFact[], period: MetricPeriod, by: ConversionBy = 'total', unit: PeriodUnit = 'month'): ConversionRow[] {
  const cohort = leads.filter((l) => l.status !== 'cancelled' && inPeriod(l.createdAt, period));
  const key = (l: LeadFact): string => {
    switch (by) {
      case 'total': return 'all';
      case 'source': return keyOf(l.sourceId);
      case 'owner': return keyOf(l.ownerId);
      case 'period': return bucketOf(l.createdAt, unit, period.timeZone);
    }
  };
  const rows = [...groupBy(cohort, key)].map(([k, ls]) => conversionRow(k, ls.length, ls.filter((l) => l.status === 'won').length));
  if (by === 'total' && rows.length === 0) rows.push(conversionRow('all', 0, 0));
  return rows.sort((a, b) => a.key.localeCompare(b.key));
}

export const conversionRow = (key: string, created: number, won: number): ConversionRow => ({ key, created, won, rate: ratio(won, created) });

export type StageDef = { id: string; name: string; position: number; kind: 'open' | 'won' | 'lost' };
export type StageStep = { stageId: string; name: string; position: number; reached: number; rate: number | null };

/**
 * Stage-to-stage conversion for one pipeline. The funnel is the open and won stages in position
 * order (lost stages are exits, not steps). A lead reached stage n when its history (or current
 * stage) holds n or any later step: skipping a stage counts as having passed it. `rate` of step n is
 * reached(n) ÷ reached(n−1); the first step has none.
 *
 * `reachedStageIds` maps each cohort lead to every stage it has been in.
 */
export function stageConversion(stages: readonly StageDef[], reachedStageIds: ReadonlyMap<string, readonly string[]>): StageStep[] {
  const steps = stages.filter((s) => s.kind !== 'lost').sort((a, b) => a.position - b.position);
  const position = new Map(steps.map((s) => [s.id, s.position]));
  const furthest: number[] = [];
  for (const ids of reachedStageIds.values()) {
    let max = -Infinity;
    for (const id of ids) { const p = position.get(id); if (p !== undefined && p > max) max = p; }
    if (max > -Infinity) furthest.push(max);
  }
  return stageStepsFromCounts(steps, (s) => furthest.filter((p) => p >= s.position).length);
}

/** Shared by the SQL path: given how many leads reached each step, the step rates. */
export function stageStepsFromCounts(steps: readonly StageDef[], reachedOf: (s: StageDef) => number): StageStep[] {
  let previous: number | null = null;
  return steps.map((s) => {
    const reached = reachedOf(s);
    const step: StageStep = { stageId: s.id, name: s.name, position: s.position, reached, rate: previous === null ? null : ratio(reached, previous) };
    previous = reached;
    return step;
  });
}
