import { groupBy, inPeriod, median, ratio, type MetricPeriod } from './period.js';

export type FeedbackFact = { nps: number | null; satisfaction: number | null; answeredAt: Date };

export type Nps = {
  answers: number; promoters: number; passives: number; detractors: number;
  /** % promoters (9–10) − % detractors (0–6) of the NPS answers, −100…100; null without answers. */
  nps: number | null;
  satisfactionAnswers: number;
  /** Mean of the 1–5 satisfaction answers; null without answers. */
  averageSatisfaction: number | null;
};

export function npsFromCounts(promoters: number, passives: number, detractors: number, satisfactionAnswers: number, satisfactionSum: number): Nps {
  const answers = promoters + passives + detractors;
  const score = ratio((promoters - detractors) * 100, answers);
  return {
    answers, promoters, passives, detractors,
    nps: score === null ? null : Math.round(score * 10) / 10,
    satisfactionAnswers,
    averageSatisfaction: satisfactionAnswers ? Math.round((satisfactionSum / satisfactionAnswers) * 100) / 100 : null,
  };
}

/** NPS and average satisfaction over the answers given in the period. */
export function nps(feedback: readonly FeedbackFact[], period: MetricPeriod): Nps {
  const xs = feedback.filter((f) => inPeriod(f.answeredAt, period));
  const scores = xs.map((f) => f.nps).filter((n): n is number => n !== null);
  const sat = xs.map((f) => f.satisfaction).filter((n): n is number => n !== null);
  return npsFromCounts(
    scores.filter((n) => n >= 9).length, scores.filter((n) => n === 7 || n === 8).length, scores.filter((n) => n <= 6).length,
    sat.length, sat.reduce((a, b) => a + b, 0),
  );
}

export type ComplaintFact = { category: string; status: 'open' | 'in_progress' | 'resolved'; createdAt: Date; resolvedAt: Date | null };
export type ComplaintCategoryRow = { category: string; total: number; open: number; resolved: number };
export type Complaints = { total: number; open: number; resolved: number; medianHoursToResolve: number | null; byCategory: ComplaintCategoryRow[] };

/**
 * Complaints received in the period: by category, still open (open or in progress) vs resolved, and
 * the median time from reception to resolution over those resolved, in hours.
 */
export function complaints(rows: readonly ComplaintFact[], period: MetricPeriod): Complaints {
  const xs = rows.filter((c) => inPeriod(c.createdAt, period));
  const isResolved = (c: ComplaintFact) => c.status === 'resolved';
  const byCategory = [...groupBy(xs, (c) => c.category)]
    .map(([category, cs]) => ({ category, total: cs.length, open: cs.filter((c) => !isResolved(c)).length, resolved: cs.filter(isResolved).length }))
    .sort((a, b) => a.category.localeCompare(b.category));
  const hours = xs.filter((c) => isResolved(c) && c.resolvedAt).map((c) => (c.resolvedAt!.getTime() - c.createdAt.getTime()) / 3_600_000);
  const m = median(hours);
  return {
    total: xs.length, open: xs.filter((c) => !isResolved(c)).length, resolved: xs.filter(isResolved).length,
    medianHoursToResolve: m === null ? null : Math.round(m * 100) / 100, byCategory,
  };
}
