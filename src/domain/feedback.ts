import { invalid, type FieldError } from './errors.js';

/** How a satisfaction answer was collected. */
export const feedbackChannels = ['phone', 'email', 'whatsapp', 'visit', 'web'] as const;
export type FeedbackChannel = (typeof feedbackChannels)[number];

export const NPS_MIN = 0;
export const NPS_MAX = 10;
export const SATISFACTION_MIN = 1;
export const SATISFACTION_MAX = 5;

export type NpsCategory = 'promoter' | 'passive' | 'detractor';

const isNpsScore = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= NPS_MIN && n <= NPS_MAX;

/**
 * The Net Promoter category of one answer to "how likely are you to recommend us" (0–10):
 * promoters 9–10, passives 7–8, detractors 0–6 (Reichheld's definition, see docs/metrics.md).
 */
export function npsCategory(score: number): NpsCategory {
  if (!isNpsScore(score)) throw new RangeError(`An NPS score is an integer from 0 to 10, got ${String(score)}.`);
  if (score >= 9) return 'promoter';
  if (score >= 7) return 'passive';
  return 'detractor';
}

export type NpsCounts = { promoters: number; passives: number; detractors: number };

/**
 * NPS = % promoters − % detractors, from −100 to 100, rounded to one decimal. `null` when nobody
 * answered: "no NPS yet" is not the same as an NPS of 0 (and never NaN).
 */
export function npsFromCounts(c: NpsCounts): number | null {
  const answers = c.promoters + c.passives + c.detractors;
  if (answers === 0) return null;
  const value = ((c.promoters - c.detractors) * 100) / answers;
  // Rounding -0 would print as "-0" in some UIs.
  return Math.round(value * 10) / 10 + 0;
}

/** Counts answers by category; missing answers (null/undefined) are not answers and are skipped. */
export function countNps(scores: readonly (number | null | undefined)[]): NpsCounts {
  const counts: NpsCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const s of scores) {
    if (s === null || s === undefined) continue;
    const cat = npsCategory(s);
    if (cat === 'promoter') counts.promoters++;
    else if (cat === 'passive') counts.passives++;
    else counts.detractors++;
  }
  return counts;
}

/** NPS of a list of scores; see npsFromCounts. */
export const nps = (scores: readonly (number | null | undefined)[]): number | null => npsFromCounts(countNps(scores));

export type FeedbackAnswers = { nps?: number | null; satisfaction?: number | null; comment?: string | null };

/**
 * An answer needs at least one of NPS, satisfaction or comment, each in range. Every input path
 * (API, follow-up completion, the public satisfaction page) calls this one check.
 */
export function checkFeedbackAnswers(a: FeedbackAnswers): void {
  const errors: FieldError[] = [];
  if (a.nps !== null && a.nps !== undefined && !isNpsScore(a.nps)) {
    errors.push({ field: 'nps', code: 'out_of_range', message: 'nps must be an integer from 0 to 10.' });
  }
  const s = a.satisfaction;
  if (s !== null && s !== undefined && !(Number.isInteger(s) && s >= SATISFACTION_MIN && s <= SATISFACTION_MAX)) {
    errors.push({ field: 'satisfaction', code: 'out_of_range', message: 'satisfaction must be an integer from 1 to 5.' });
  }
  const hasAnswer = (a.nps ?? null) !== null || (a.satisfaction ?? null) !== null || !!a.comment?.trim();
  if (!hasAnswer && errors.length === 0) {
    errors.push({ field: 'nps', code: 'required', message: 'Give an NPS score, a satisfaction score or a comment.' });
  }
  if (errors.length) throw invalid(errors);
}

export type FeedbackSummary = NpsCounts & {
  npsAnswers: number;
  nps: number | null;
  satisfactionAnswers: number;
  /** Mean of the 1–5 answers, two decimals; null when none. */
  averageSatisfaction: number | null;
};

/**
 * Summary of many answers from grouped counts ({score, count} rows as a GROUP BY returns them),
 * so the categories are decided here and not repeated in SQL.
 */
export function summarizeFeedback(
  npsRows: readonly { score: number; count: number }[], satisfactionRows: readonly { score: number; count: number }[],
): FeedbackSummary {
  const counts: NpsCounts = { promoters: 0, passives: 0, detractors: 0 };
  for (const r of npsRows) {
    const cat = npsCategory(r.score);
    if (cat === 'promoter') counts.promoters += r.count;
    else if (cat === 'passive') counts.passives += r.count;
    else counts.detractors += r.count;
  }
  const satisfactionAnswers = satisfactionRows.reduce((n, r) => n + r.count, 0);
  const sum = satisfactionRows.reduce((n, r) => n + r.score * r.count, 0);
  return {
    ...counts,
    npsAnswers: counts.promoters + counts.passives + counts.detractors,
    nps: npsFromCounts(counts),
    satisfactionAnswers,
    averageSatisfaction: satisfactionAnswers === 0 ? null : Math.round((sum / satisfactionAnswers) * 100) / 100,
  };
}

/** An answer cannot be dated in the future (five minutes of grace for clocks that run ahead). */
export function checkAnsweredAt(answeredAt: Date, now: Date): void {
  if (answeredAt.getTime() > now.getTime() + 5 * 60_000) {
    throw invalid([{ field: 'answeredAt', code: 'in_the_future', message: 'An answer cannot have been given in the future.' }]);
  }
}

/** How long a satisfaction link sent to a client can be answered. */
export const SATISFACTION_LINK_DAYS = 30;

export const satisfactionLinkExpiry = (now: Date) => new Date(now.getTime() + SATISFACTION_LINK_DAYS * 24 * 3600_000);

export type SatisfactionLinkState = 'open' | 'answered' | 'expired';

/** A link answers once: after that, or after it expires, the page says so instead of the form. */
export function satisfactionLinkState(link: { answeredAt: Date | null; expiresAt: Date }, now: Date): SatisfactionLinkState {
  if (link.answeredAt) return 'answered';
  return now.getTime() >= link.expiresAt.getTime() ? 'expired' : 'open';
}

/**
 * Reads the public form's answers (strings, possibly blank) into numbers, naming any field that
 * is not a whole number; ranges are then checked by checkFeedbackAnswers like every other path.
 */
export function parseFormAnswers(form: { nps?: string; satisfaction?: string; comment?: string }): FeedbackAnswers {
  const errors: FieldError[] = [];
  const num = (field: 'nps' | 'satisfaction') => {
    const raw = form[field]?.trim();
    if (!raw) return null;
    if (!/^-?\d+$/.test(raw)) {
      errors.push({ field, code: 'invalid_type', message: `${field} must be a whole number.` });
      return null;
    }
    return Number(raw);
  };
  const out = { nps: num('nps'), satisfaction: num('satisfaction'), comment: form.comment?.trim() || null };
  if (errors.length) throw invalid(errors);
  return out;
}
