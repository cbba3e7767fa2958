import { fieldError } from './errors.js';

export const objectiveMetrics = ['sales_amount', 'sales_count', 'leads_won', 'new_leads', 'activities', 'nps'] as const;
export type ObjectiveMetric = (typeof objectiveMetrics)[number];

/** NPS is a level to hold, not an amount that accumulates over the period. */
export const isCumulative = (m: ObjectiveMetric) => m !== 'nps';

export type Progress = {
  actual: number | null;
  target: number;
  /** actual ÷ target; null without an actual (e.g. no NPS answers) or with a zero target. */
  share: number | null;
  /** Part of the period's days elapsed by today (both ends inclusive), 0…1. */
  elapsedShare: number;
  /** Where a steady pace would be today: target × elapsedShare (NPS: the target itself). */
  expected: number;
  status: 'achieved' | 'on_pace' | 'behind';
};

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;

/**
 * Live progress of an objective over [start, end] (local days, inclusive) given today's local day
 * and the value measured so far with the same SQL as the dashboard.
 */
export function objectiveProgress(o: { metric: ObjectiveMetric; target: number; periodStart: string; periodEnd: string }, actual: number | null, today: string): Progress {
  const total = dayNumber(o.periodEnd) - dayNumber(o.periodStart) + 1;
  const elapsed = Math.min(total, Math.max(0, dayNumber(today) - dayNumber(o.periodStart) + 1));
  const elapsedShare = total > 0 ? elapsed / total : 0;
  const expected = isCumulative(o.metric) ? Math.round(o.target * elapsedShare * 100) / 100 : o.target;
  const share = actual === null || o.target === 0 ? null : actual / o.target;
  const status = actual !== null && actual >= o.target ? 'achieved' : actual !== null && actual >= expected ? 'on_pace' : 'behind';
  return { actual, target: o.target, share, elapsedShare, expected, status };
}

/** An objective's own invariants, checked on create and update. */
export function assertObjective(o: { userId?: string | null; teamId?: string | null; periodStart: string; periodEnd: string; metric: ObjectiveMetric; target: number }): void {
  if (!o.userId === !o.teamId) throw fieldError('userId', 'user_or_team', 'An objective is for one user or one team: give userId or teamId, not both.');
  if (o.periodEnd < o.periodStart) throw fieldError('periodEnd', 'before_start', 'periodEnd must be on or after periodStart.');
  if (o.metric === 'nps' && (o.target < -100 || o.target > 100)) throw fieldError('target', 'out_of_range', 'An NPS target is between −100 and 100.');
  if (o.metric !== 'nps' && o.target < 0) throw fieldError('target', 'too_small', 'The target cannot be negative.');
}
