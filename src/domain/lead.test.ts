import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import {
  afterInteraction, cancelLead, checkNextAction, isOverdue, isWithoutNextAction, moveLead, restoreLead,
  scheduleNextAction, startLead, weightedAmount, type LeadState, type StageRef,
} from './lead.js';

const now = new Date('2026-11-23T09:00:00Z');
const later = new Date('2026-11-24T10:00:00Z');
const stages = {
  cold: { id: 'cold', pipelineId: 'p', kind: 'open', probability: 10 },
  hot: { id: 'hot', pipelineId: 'p', kind: 'open', probability: 60 },
  won: { id: 'won', pipelineId: 'p', kind: 'won', probability: 100 },
  lost: { id: 'lost', pipelineId: 'p', kind: 'lost', probability: 0 },
  other: { id: 'x', pipelineId: 'q', kind: 'open', probability: 20 },
} satisfies Record<string, StageRef>;

const openLead: LeadState = {
  stageId: 'cold', pipelineId: 'p', status: 'open', probability: 10,
  nextActionAt: later, nextActionType: 'call', closedAt: null, cancelledAt: null,
};

function codeOf(fn: () => unknown): { code: string; fields: string[] } {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return { code: e.code, fields: e.fields.map((f) => `${f.field}:${f.code}`) };
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('starting a lead', () => {
  it('takes the stage probability when none is given', () => {
    expect(startLead({ stage: stages.cold }, now)).toEqual({ status: 'open', probability: 10, closedAt: null });
  });
  it('keeps an explicit probability, even 0', () => {
    expect(startLead({ stage: stages.hot, probability: 0 }, now).probability).toBe(0);
  });
  it('is closed at once when created directly in the won stage', () => {
    expect(startLead({ stage: stages.won }, now)).toEqual({ status: 'won', probability: 100, closedAt: now });
  });
  it('refuses a next action without a type', () => {
    expect(codeOf(() => startLead({ stage: stages.cold, nextAction: { at: later, type: null } }, now)).fields).toEqual(['nextActionType:required']);
  });
});

describe('next action', () => {
  it('must be in the future, with a five-minute grace for typing', () => {
    expect(checkNextAction({ at: new Date(now.getTime() - 4 * 60_000), type: 'call' }, now)).toEqual([]);
    expect(checkNextAction({ at: new Date(now.getTime() - 6 * 60_000), type: 'call' }, now).map((e) => e.code)).toEqual(['in_the_past']);
  });
  it('names both missing parts', () => {
    expect(checkNextAction({ at: null, type: null }, now).map((e) => e.field)).toEqual(['nextActionAt', 'nextActionType']);
  });
  it('cannot be scheduled on a closed lead', () => {
    expect(codeOf(() => scheduleNextAction({ status: 'won' }, { at: later, type: 'call' }, now)).code).toBe('conflict');
  });
  it('is required after an interaction on an open lead, and not on a closed one', () => {
    expect(codeOf(() => afterInteraction({ status: 'open' }, null, now)).fields).toEqual(['nextAction:required']);
    expect(afterInteraction({ status: 'open' }, { at: later, type: 'visit', note: 'llevar catálogo' }, now))
      .toEqual({ nextActionAt: later, nextActionType: 'visit', nextActionNote: 'llevar catálogo' });
    expect(afterInteraction({ status: 'lost' }, null, now)).toEqual({ nextActionAt: null, nextActionType: null, nextActionNote: null });
  });
  it('flags open leads without one and overdue ones', () => {
    expect(isWithoutNextAction({ status: 'open', nextActionAt: null })).toBe(true);
    expect(isWithoutNextAction({ status: 'won', nextActionAt: null })).toBe(false);
    expect(isOverdue({ status: 'open', nextActionAt: new Date(now.getTime() - 1) }, now)).toBe(true);
    expect(isOverdue({ status: 'open', nextActionAt: later }, now)).toBe(false);
    expect(isOverdue({ status: 'lost', nextActionAt: new Date(0) }, now)).toBe(false);
  });
});

describe('moving a lead between stages', () => {
  it('sets the new stage probability and keeps the next action while open', () => {
    const r = moveLead(openLead, stages.hot, {}, now);
    expect(r).toMatchObject({ stageId: 'hot', status: 'open', probability: 60, nextActionAt: later, closedAt: null, lostReason: null });
  });
  it('closes a won lead and clears its next action', () => {
    expect(moveLead(openLead, stages.won, {}, now)).toMatchObject({ status: 'won', probability: 100, closedAt: now, nextActionAt: null, nextActionType: null });
  });
  it('needs a reason to lose a lead, trimmed', () => {
    expect(codeOf(() => moveLead(openLead, stages.lost, { lostReason: '   ' }, now)).fields).toEqual(['lostReason:required']);
    expect(moveLead(openLead, stages.lost, { lostReason: ' precio ' }, now)).toMatchObject({ status: 'lost', lostReason: 'precio' });
  });
  it('refuses a stage of another pipeline', () => {
    expect(codeOf(() => moveLead(openLead, stages.other, {}, now)).fields).toEqual(['stageId:not_in_pipeline']);
  });
  it('reopens a won lead moved back to an open stage', () => {
    const won = { ...openLead, status: 'won' as const, closedAt: now, nextActionAt: null, nextActionType: null };
    expect(moveLead(won, stages.hot, {}, later)).toMatchObject({ status: 'open', closedAt: null });
  });
  it('keeps the original close date when moved between two won stages', () => {
    const won = { ...openLead, status: 'won' as const, closedAt: now };
    expect(moveLead(won, stages.won, {}, later).closedAt).toEqual(now);
  });
  it('refuses to move a cancelled lead', () => {
    expect(codeOf(() => moveLead({ ...openLead, status: 'cancelled' }, stages.hot, {}, now)).code).toBe('conflict');
  });
});

describe('cancel and restore', () => {
  it('cancelling needs a reason and clears the next action', () => {
    expect(codeOf(() => cancelLead({ status: 'open' }, '', now)).fields).toEqual(['reason:required']);
    expect(cancelLead({ status: 'open' }, 'duplicado', now)).toEqual({ status: 'cancelled', cancelReason: 'duplicado', cancelledAt: now, nextActionAt: null, nextActionType: null });
  });
  it('cannot cancel twice nor restore what is not cancelled', () => {
    expect(codeOf(() => cancelLead({ status: 'cancelled' }, 'x', now)).code).toBe('conflict');
    expect(codeOf(() => restoreLead({ status: 'open' }, 'open')).code).toBe('conflict');
  });
  it('restores to the status its stage gives', () => {
    expect(restoreLead({ status: 'cancelled' }, 'won')).toEqual({ status: 'won', cancelReason: null, cancelledAt: null });
  });
});

describe('weighted amount', () => {
  it('is amount × probability, to the cent', () => {
    expect(weightedAmount(1234.56, 30)).toBeCloseTo(370.37, 2);
    expect(weightedAmount(1000, 0)).toBe(0);
  });
});
