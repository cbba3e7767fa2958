import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  checkAnsweredAt, checkFeedbackAnswers, countNps, nps, npsCategory, npsFromCounts, parseFormAnswers, satisfactionLinkExpiry, satisfactionLinkState,
  summarizeFeedback,
} from './feedback.js';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.fields.map((f) => `${f.field}:${f.code}`);
    throw e;
  }
  return [];
}

describe('npsCategory', () => {
  it('puts 9 and 10 among promoters', () => {
    expect(npsCategory(9)).toBe('promoter');
    expect(npsCategory(10)).toBe('promoter');
  });
  it('puts 7 and 8 among passives', () => {
    expect(npsCategory(7)).toBe('passive');
    expect(npsCategory(8)).toBe('passive');
  });
  it('puts 0 to 6 among detractors', () => {
    for (const s of [0, 1, 2, 3, 4, 5, 6]) expect(npsCategory(s)).toBe('detractor');
  });
  it('refuses scores that are not integers from 0 to 10', () => {
    for (const s of [-1, 11, 7.5, Number.NaN]) expect(() => npsCategory(s)).toThrow(RangeError);
  });
});

describe('nps', () => {
  it('is the percentage of promoters minus the percentage of detractors', () => {
    // 2 promoters, 1 passive, 1 detractor: 50% − 25%
    expect(nps([10, 9, 8, 3])).toBe(25);
  });
  it('is 100 when everyone is a promoter and −100 when everyone is a detractor', () => {
    expect(nps([9, 10, 10])).toBe(100);
    expect(nps([0, 6])).toBe(-100);
  });
  it('is 0, not −0, when promoters and detractors balance out', () => {
    expect(Object.is(nps([10, 0]), 0)).toBe(true);
    expect(Object.is(nps([7, 8]), 0)).toBe(true);
  });
  it('is null when nobody answered, never NaN', () => {
    expect(nps([])).toBeNull();
    expect(nps([null, undefined])).toBeNull();
  });
  it('skips missing answers instead of counting them as detractors', () => {
    expect(nps([10, null, undefined])).toBe(100);
  });
  it('rounds to one decimal', () => {
    // 1 promoter of 3 answers: 33.333…
    expect(nps([10, 7, 8])).toBe(33.3);
    expect(nps([0, 7, 8])).toBe(-33.3);
  });
  it('agrees with the counts it is built from', () => {
    expect(countNps([10, 9, 8, 0, null])).toEqual({ promoters: 2, passives: 1, detractors: 1 });
    expect(npsFromCounts({ promoters: 0, passives: 0, detractors: 0 })).toBeNull();
  });
});

describe('checkFeedbackAnswers', () => {
  it('accepts an NPS alone, a satisfaction alone or a comment alone', () => {
    expect(() => checkFeedbackAnswers({ nps: 0 })).not.toThrow();
    expect(() => checkFeedbackAnswers({ satisfaction: 5 })).not.toThrow();
    expect(() => checkFeedbackAnswers({ comment: 'Todo bien' })).not.toThrow();
  });
  it('names each out-of-range field', () => {
    expect(fieldsOf(() => checkFeedbackAnswers({ nps: 11, satisfaction: 0 }))).toEqual(['nps:out_of_range', 'satisfaction:out_of_range']);
    expect(fieldsOf(() => checkFeedbackAnswers({ nps: 4.5 }))).toEqual(['nps:out_of_range']);
    expect(fieldsOf(() => checkFeedbackAnswers({ satisfaction: 6 }))).toEqual(['satisfaction:out_of_range']);
  });
  it('refuses an answer with nothing in it (a blank comment is nothing)', () => {
    expect(fieldsOf(() => checkFeedbackAnswers({ comment: '   ' }))).toEqual(['nps:required']);
  });
});

describe('summarizeFeedback', () => {
  it('summarises grouped counts into NPS and average satisfaction', () => {
    const s = summarizeFeedback(
      [{ score: 10, count: 3 }, { score: 8, count: 1 }, { score: 2, count: 1 }],
      [{ score: 5, count: 2 }, { score: 4, count: 1 }],
    );
    expect(s).toEqual({
      promoters: 3, passives: 1, detractors: 1, npsAnswers: 5, nps: 40, satisfactionAnswers: 3, averageSatisfaction: 4.67,
    });
  });
  it('gives nulls, not zeros or NaN, when there are no answers', () => {
    const s = summarizeFeedback([], []);
    expect(s.nps).toBeNull();
    expect(s.averageSatisfaction).toBeNull();
    expect(s.npsAnswers).toBe(0);
  });
});

describe('checkAnsweredAt', () => {
  const now = new Date('2026-11-23T09:00:00Z');
  it('accepts past answers and a small clock skew, refuses the future', () => {
    expect(() => checkAnsweredAt(new Date('2026-11-20T09:00:00Z'), now)).not.toThrow();
    expect(() => checkAnsweredAt(new Date('2026-11-23T09:04:00Z'), now)).not.toThrow();
    expect(fieldsOf(() => checkAnsweredAt(new Date('2026-11-23T10:00:00Z'), now))).toEqual(['answeredAt:in_the_future']);
  });
});

describe('satisfaction links', () => {
  const now = new Date('2026-11-23T09:00:00Z');
  it('are open for 30 days, then expired', () => {
    const expiresAt = satisfactionLinkExpiry(now);
    expect(expiresAt.toISOString()).toBe('2026-12-23T09:00:00.000Z');
    expect(satisfactionLinkState({ answeredAt: null, expiresAt }, now)).toBe('open');
    expect(satisfactionLinkState({ answeredAt: null, expiresAt }, expiresAt)).toBe('expired');
  });
  it('are answered once', () => {
    expect(satisfactionLinkState({ answeredAt: now, expiresAt: satisfactionLinkExpiry(now) }, now)).toBe('answered');
  });
  it('read form fields as whole numbers, blanks as no answer', () => {
    expect(parseFormAnswers({ nps: '9', satisfaction: '', comment: '  Bien ' })).toEqual({ nps: 9, satisfaction: null, comment: 'Bien' });
    expect(fieldsOf(() => parseFormAnswers({ nps: 'nueve', satisfaction: '4.5' }))).toEqual(['nps:invalid_type', 'satisfaction:invalid_type']);
  });
});
