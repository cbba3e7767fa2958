import { AppError, fieldError, invalid, type FieldError } from './errors.js';
import type { StageKind } from './pipeline.js';

export type LeadStatus = 'open' | 'won' | 'lost' | 'cancelled';
export type NextActionType = 'call' | 'email' | 'meeting' | 'visit' | 'message' | 'task';

export type StageRef = { id: string; pipelineId: string; kind: StageKind; probability: number };

/** The part of a lead its life rules look at. */
export type LeadState = {
  stageId: string;
  pipelineId: string;
  status: LeadStatus;
  probability: number;
  nextActionAt: Date | null;
  nextActionType: NextActionType | null;
  closedAt: Date | null;
  cancelledAt: Date | null;
};

export type NextAction = { at: Date; type: NextActionType; note?: string | null };

/** A closed lead keeps its stage's outcome; cancelled is a separate, reversible state. */
export const statusOfStage = (kind: StageKind): Exclude<LeadStatus, 'cancelled'> => kind;

/**
 * Grace for "in the future": a next action typed at 10:00 for 10:00 is not refused because the
 * request arrived a few seconds later.
 */
const PAST_GRACE_MS = 5 * 60 * 1000;

/** A next action must have a type and a moment that has not already passed. */
export function checkNextAction(next: { at: Date | null; type: NextActionType | null }, now: Date, field = 'nextAction'): FieldError[] {
  const errors: FieldError[] = [];
  if (!next.at) errors.push({ field: `${field}At`, code: 'required', message: 'The next action needs a date and time.' });
  else if (next.at.getTime() < now.getTime() - PAST_GRACE_MS) {
    errors.push({ field: `${field}At`, code: 'in_the_past', message: 'The next action must be in the future.' });
  }
  if (!next.type) errors.push({ field: `${field}Type`, code: 'required', message: 'The next action needs a type.' });
  return errors;
}

/** An open lead without a next action is flagged on the board and in Today ("sin próxima acción"). */
export const isWithoutNextAction = (lead: Pick<LeadState, 'status' | 'nextActionAt'>) =>
  lead.status === 'open' && lead.nextActionAt === null;

export const isOverdue = (lead: Pick<LeadState, 'status' | 'nextActionAt'>, now: Date) =>
  lead.status === 'open' && lead.nextActionAt !== null && lead.nextActionAt.getTime() < now.getTime();

/** Weighted (expected) value of a lead, used by the forecast: amount × probability. */
export const weightedAmount = (amount: number, probability: number) => Math.round(amount * probability) / 100;

/** The initial state of a new lead in a stage. Probability defaults to the stage's. */
export function startLead(input: {
  stage: StageRef;
  probability?: number | null;
  nextAction?: { at: Date | null; type: NextActionType | null } | null;
}, now: Date): Pick<LeadState, 'status' | 'probability' | 'closedAt'> {
  const errors: FieldError[] = [];
  if (input.nextAction && (input.nextAction.at || input.nextAction.type)) {
    errors.push(...checkNextAction(input.nextAction, now));
  }
  if (errors.length) throw invalid(errors);
  const status = statusOfStage(input.stage.kind);
  return {
    status,
    probability: input.probability ?? input.stage.probability,
    closedAt: status === 'open' ? null : now,
  };
}

export type MoveInput = { lostReason?: string | null; probability?: number | null };

/**
 * Moves a lead to another stage of its pipeline. Moving sets the stage's default probability
 * (unless one is given), closes the lead when the stage is won or lost (a lost lead needs its
 * reason), clears the next action of a closed lead, and reopens a closed lead moved back to an open
 * stage. A cancelled lead must be restored before it moves.
 */
export function moveLead(lead: LeadState, to: StageRef, input: MoveInput, now: Date): Partial<LeadState> & { lostReason: string | null } {
  if (lead.status === 'cancelled') {
    throw new AppError('conflict', 'A cancelled lead must be restored before it changes stage.', [], { reason: 'lead_cancelled' });
  }
  if (to.pipelineId !== lead.pipelineId) {
    throw fieldError('stageId', 'not_in_pipeline', 'The stage does not belong to the lead\'s pipeline.');
  }
  const status = statusOfStage(to.kind);
  const lostReason = input.lostReason?.trim() || null;
  if (status === 'lost' && !lostReason) {
    throw fieldError('lostReason', 'required', 'A lost lead needs the reason it was lost.');
  }
  const closing = status !== 'open';
  return {
    stageId: to.id,
    status,
    probability: input.probability ?? to.probability,
    closedAt: closing ? (lead.status === status ? lead.closedAt : now) : null,
    nextActionAt: closing ? null : lead.nextActionAt,
    nextActionType: closing ? null : lead.nextActionType,
    lostReason: status === 'lost' ? lostReason : null,
  };
}

/** Cancelling hides a lead from working views and starts its retention clock; it needs a reason. */
export function cancelLead(lead: Pick<LeadState, 'status'>, reason: string | null | undefined, now: Date) {
  if (lead.status === 'cancelled') throw new AppError('conflict', 'The lead is already cancelled.', [], { reason: 'already_cancelled' });
  const r = reason?.trim();
  if (!r) throw fieldError('reason', 'required', 'Cancelling needs a reason.');
  return { status: 'cancelled' as const, cancelReason: r, cancelledAt: now, nextActionAt: null, nextActionType: null };
}

/** Restoring puts a cancelled lead back in the status its stage gives. */
export function restoreLead(lead: Pick<LeadState, 'status'>, stageKind: StageKind) {
  if (lead.status !== 'cancelled') throw new AppError('conflict', 'Only a cancelled lead can be restored.', [], { reason: 'not_cancelled' });
  return { status: statusOfStage(stageKind), cancelReason: null, cancelledAt: null };
}

/**
 * Setting or changing the next action directly (without logging an activity). On an open lead it
 * must be valid; a closed or cancelled lead has none.
 */
export function scheduleNextAction(lead: Pick<LeadState, 'status'>, next: NextAction, now: Date) {
  if (lead.status !== 'open') {
    throw new AppError('conflict', 'Only an open lead has a next action.', [], { reason: 'lead_not_open' });
  }
  const errors = checkNextAction({ at: next.at, type: next.type }, now);
  if (errors.length) throw invalid(errors);
  return { nextActionAt: next.at, nextActionType: next.type, nextActionNote: next.note ?? null };
}

/**
 * The next-action invariant when an interaction is logged or the planned action is done: an open
 * lead must get its next action in the same step.
 */
export function afterInteraction(lead: Pick<LeadState, 'status'>, next: NextAction | null | undefined, now: Date) {
  if (lead.status !== 'open') return { nextActionAt: null, nextActionType: null, nextActionNote: null };
  if (!next) throw fieldError('nextAction', 'required', 'An open lead needs its next action scheduled.');
  return scheduleNextAction(lead, next, now);
}
