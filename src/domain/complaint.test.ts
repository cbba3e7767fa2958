import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { canMoveComplaint, changeComplaintStatus, checkComplaintOrigin, isComplaintOverdue, openingEvent, type ComplaintState } from './complaint.js';

const now = new Date('2026-11-23T09:00:00Z');
const open: ComplaintState = { status: 'open', resolution: null, resolvedAt: null };
const resolved: ComplaintState = { status: 'resolved', resolution: 'repair', resolvedAt: new Date('2026-11-20T10:00:00Z') };

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.fields.map((f) => `${f.field}:${f.code}`);
    throw e;
  }
  return [];
}

describe('complaint status changes', () => {
  it('move an open complaint to in progress with a timeline event', () => {
    expect(changeComplaintStatus(open, { status: 'in_progress' }, now)).toEqual({
      values: { status: 'in_progress', resolution: null, resolvedAt: null },
      event: { fromStatus: 'open', toStatus: 'in_progress', resolution: null },
    });
  });
  it('resolve with a resolution and set resolvedAt', () => {
    const c = changeComplaintStatus({ ...open, status: 'in_progress' }, { status: 'resolved', resolution: 'replacement' }, now);
    expect(c.values).toEqual({ status: 'resolved', resolution: 'replacement', resolvedAt: now });
    expect(c.event).toEqual({ fromStatus: 'in_progress', toStatus: 'resolved', resolution: 'replacement' });
  });
  it('refuse to resolve without a resolution', () => {
    expect(fieldsOf(() => changeComplaintStatus(open, { status: 'resolved' }, now))).toEqual(['resolution:required']);
    expect(fieldsOf(() => changeComplaintStatus(open, { status: 'resolved', resolution: null }, now))).toEqual(['resolution:required']);
  });
  it('refuse a resolution on a complaint that is not being resolved', () => {
    expect(fieldsOf(() => changeComplaintStatus(open, { status: 'in_progress', resolution: 'repair' }, now))).toEqual(['resolution:only_when_resolved']);
    expect(fieldsOf(() => changeComplaintStatus(open, { resolution: 'repair' }, now))).toEqual(['resolution:only_when_resolved']);
  });
  it('reopen a resolved complaint, clearing resolvedAt and the resolution', () => {
    const c = changeComplaintStatus(resolved, { status: 'open' }, now);
    expect(c.values).toEqual({ status: 'open', resolution: null, resolvedAt: null });
    expect(c.event).toEqual({ fromStatus: 'resolved', toStatus: 'open', resolution: null });
  });
  it('allow reopening straight back to in progress', () => {
    expect(changeComplaintStatus(resolved, { status: 'in_progress' }, now).values.resolvedAt).toBeNull();
  });
  it('write no event when the status does not change', () => {
    expect(changeComplaintStatus(open, { status: 'open' }, now)).toEqual({ values: {}, event: null });
    expect(changeComplaintStatus(open, {}, now)).toEqual({ values: {}, event: null });
  });
  it('let a resolved complaint correct its resolution without a new event or a new resolvedAt', () => {
    expect(changeComplaintStatus(resolved, { resolution: 'replacement' }, now)).toEqual({ values: { resolution: 'replacement' }, event: null });
    expect(fieldsOf(() => changeComplaintStatus(resolved, { resolution: null }, now))).toEqual(['resolution:required']);
  });
  it('know every allowed move and refuse staying put as a transition', () => {
    expect(canMoveComplaint('open', 'resolved')).toBe(true);
    expect(canMoveComplaint('resolved', 'open')).toBe(true);
    expect(canMoveComplaint('open', 'open')).toBe(false);
  });
  it('start the timeline with the opening', () => {
    expect(openingEvent()).toEqual({ fromStatus: null, toStatus: 'open', resolution: null });
  });
});

describe('complaint origin and deadlines', () => {
  it('needs a contact or a sale', () => {
    expect(fieldsOf(() => checkComplaintOrigin({}))).toEqual(['contactId:required']);
    expect(() => checkComplaintOrigin({ saleId: 's' })).not.toThrow();
    expect(() => checkComplaintOrigin({ contactId: 'c' })).not.toThrow();
  });
  it('is overdue past its due date unless resolved', () => {
    const past = new Date('2026-11-22T09:00:00Z');
    expect(isComplaintOverdue({ status: 'open', dueAt: past }, now)).toBe(true);
    expect(isComplaintOverdue({ status: 'in_progress', dueAt: past }, now)).toBe(true);
    expect(isComplaintOverdue({ status: 'resolved', dueAt: past }, now)).toBe(false);
    expect(isComplaintOverdue({ status: 'open', dueAt: null }, now)).toBe(false);
    expect(isComplaintOverdue({ status: 'open', dueAt: new Date('2026-11-24T09:00:00Z') }, now)).toBe(false);
  });
});
