import { describe, expect, it } from 'vitest';
import type { Actor } from './access.js';
import { AppError } from './errors.js';
import { assertCanReassign, assertSameRequest, assertSomethingToMove, movedTotal, transferNotice, type TransferCounts } from './portfolio-transfer.js';

const actor = (role: Actor['role'], userId = 'me'): Actor => ({ workspaceId: 'w', userId, role, teamId: null });
const user = (id: string, isActive = true) => ({ id, isActive });
const zero: TransferCounts = { contacts: 0, companies: 0, leads: 0, activities: 0, followUps: 0, complaints: 0 };

function refusal(fn: () => void): { code: string; fields: { field: string; code: string }[] } {
  try { fn(); } catch (e) { if (e instanceof AppError) return { code: e.code, fields: e.fields.map(({ field, code }) => ({ field, code })) }; throw e; }
  throw new Error('expected a refusal');
}

describe('who may reassign a portfolio', () => {
  it('lets an admin move anyone\'s portfolio to any active user', () => {
    expect(() => assertCanReassign(actor('admin'), user('ana'), user('luis'), 'luis', [])).not.toThrow();
  });

  it('refuses a sales user outright', () => {
    expect(refusal(() => assertCanReassign(actor('sales', 'ana'), user('ana'), user('luis'), 'luis', [])).code).toBe('forbidden');
  });

  it('lets a manager move within their team, themselves included', () => {
    expect(() => assertCanReassign(actor('manager'), user('ana'), user('me'), 'me', ['ana', 'luis'])).not.toThrow();
    expect(() => assertCanReassign(actor('manager'), user('ana'), user('luis'), 'luis', ['ana', 'luis'])).not.toThrow();
  });

  it('refuses a manager moving a portfolio outside their team, or taking one from outside', () => {
    expect(refusal(() => assertCanReassign(actor('manager'), user('ana'), user('eva'), 'eva', ['ana']))).toEqual({ code: 'forbidden', fields: [{ field: 'toUserId', code: 'not_managed' }] });
    expect(refusal(() => assertCanReassign(actor('manager'), user('eva'), user('ana'), 'ana', ['ana']))).toEqual({ code: 'forbidden', fields: [{ field: 'userId', code: 'not_managed' }] });
  });

  it('names toUserId for the same user, an unknown (or other workspace\'s) user and a deactivated one', () => {
    expect(refusal(() => assertCanReassign(actor('admin'), user('ana'), user('ana'), 'ana', [])).fields).toEqual([{ field: 'toUserId', code: 'same_user' }]);
    expect(refusal(() => assertCanReassign(actor('admin'), user('ana'), null, 'ghost', [])).fields).toEqual([{ field: 'toUserId', code: 'not_found' }]);
    expect(refusal(() => assertCanReassign(actor('admin'), user('ana'), user('luis', false), 'luis', [])).fields).toEqual([{ field: 'toUserId', code: 'inactive' }]);
  });

  it('answers 404 for a portfolio owner that does not exist', () => {
    expect(refusal(() => assertCanReassign(actor('admin'), null, user('luis'), 'luis', [])).code).toBe('not_found');
  });
});

describe('the selection', () => {
  it('refuses an empty one, naming the segment when one narrowed it', () => {
    expect(refusal(() => assertSomethingToMove(zero, null)).fields).toEqual([{ field: 'userId', code: 'empty_selection' }]);
    expect(refusal(() => assertSomethingToMove(zero, 'seg')).fields).toEqual([{ field: 'segmentId', code: 'empty_selection' }]);
    expect(() => assertSomethingToMove({ ...zero, followUps: 1 }, null)).not.toThrow();
    expect(movedTotal({ ...zero, contacts: 2, leads: 3 })).toBe(5);
  });

  it('treats a retried key with other users or segment as a conflict', () => {
    const a = { fromUserId: 'ana', toUserId: 'luis', segmentId: null };
    expect(() => assertSameRequest(a, { ...a })).not.toThrow();
    expect(refusal(() => assertSameRequest(a, { ...a, toUserId: 'eva' }))).toEqual({ code: 'conflict', fields: [{ field: 'Idempotency-Key', code: 'reused' }] });
  });
});

describe('the notice to the new owner', () => {
  it('is written in their language with what they received', () => {
    const c = { ...zero, contacts: 12, leads: 3 };
    expect(transferNotice('es', 'Ana', c).title).toBe('Has recibido la cartera de Ana');
    expect(transferNotice('en', 'Ana', c).body).toContain('12 contacts');
  });
});
