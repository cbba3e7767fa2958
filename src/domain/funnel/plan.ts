import { poissonQuantile } from './random.js';

export type PlanCell = {
  stepId: string;
  /** Expected count this week, and the P10–P90 range a Poisson count with that mean falls in. */
  expected: number;
  p10: number;
  p90: number;
  actual: number;
  /** Reality left the projected range: fewer than P10 or more than P90. */
  flag: 'below' | 'above' | null;
};
export type PlanWeek = { week: string; steps: PlanCell[] };

/**
 * The weekly review (docs/funnel.md#plan-vs-actual): per week and step, the projected count (the
 * baseline's weekly mean times the scenario's factor) with its P10–P90 range, and what happened.
 * A step with no baseline expects 0 and is flagged only when something happened.
 */
export function planVsActual(
  weeks: readonly string[], steps: readonly { stepId: string; expectedPerWeek: number }[], actual: ReadonlyMap<string, number>,
): PlanWeek[] {
  return weeks.map((week) => ({
    week,
    steps: steps.map((s) => {
      const expected = Number.isFinite(s.expectedPerWeek) && s.expectedPerWeek > 0 ? s.expectedPerWeek : 0;
      const p10 = poissonQuantile(expected, 0.1);
      const p90 = poissonQuantile(expected, 0.9);
      const n = actual.get(`${week}|${s.stepId}`) ?? 0;
      return { stepId: s.stepId, expected: Math.round(expected * 100) / 100, p10, p90, actual: n, flag: n < p10 ? 'below' : n > p90 ? 'above' : null };
    }),
  }));
}

/** Monday-start weeks (YYYY-MM-DD) from the week holding `from` to the week holding `to`. */
export function weeksBetween(from: string, to: string): string[] {
  const day = (s: string) => Date.parse(`${s}T00:00:00Z`);
  const monday = (t: number) => t - ((new Date(t).getUTCDay() + 6) % 7) * 86_400_000;
  const out: string[] = [];
  for (let t = monday(day(from)); t <= day(to); t += 7 * 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}
