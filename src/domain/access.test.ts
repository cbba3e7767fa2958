import { describe, expect, it } from 'vitest';
import { assertAdmin, assertCanAssign, assertManagerOrAdmin, canManageSettings, canManageUsers, canSee, isAdmin, recordScope, type Actor } from './access.js';
import { AppError } from './errors.js';

const actor = (role: Actor['role'], userId = `${role}-1`): Actor => ({ workspaceId: 'ws', userId, role, teamId: null });
const admin = actor('admin');
const manager = actor('manager');
const sales = actor('sales');

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

describe('recordScope', () => {
  it('gives admins everything, managers their teams and sales their own records', () => {
    expect(recordScope(admin)).toEqual({ kind: 'all' });
    expect(recordScope(manager)).toEqual({ kind: 'managed', userId: 'manager-1' });
    expect(recordScope(sales)).toEqual({ kind: 'own', userId: 'sales-1' });
  });
});

describe('canSee', () => {
  it('lets an admin see anyone\'s record', () => {
    expect(canSee(admin, { ownerId: 'someone' })).toBe(true);
  });

  it('lets a sales rep see their own records and those shared with them, not a colleague\'s', () => {
    expect(canSee(sales, { ownerId: 'sales-1' })).toBe(true);
    expect(canSee(sales, { ownerId: 'colleague', sharedWith: ['sales-1'] })).toBe(true);
    expect(canSee(sales, { ownerId: 'colleague', sharedWith: ['other'] })).toBe(false);
    expect(canSee(sales, { ownerId: 'colleague', sharedWith: null })).toBe(false);
  });

  it('shows an unowned record to everyone, as the team\'s', () => {
    expect(canSee(sales, { ownerId: null })).toBe(true);
  });

  it('lets a manager see their team members\' records but not other teams\'', () => {
    expect(canSee(manager, { ownerId: 'member' }, ['member'])).toBe(true);
    expect(canSee(manager, { ownerId: 'outsider' }, ['member'])).toBe(false);
    expect(canSee(manager, { ownerId: 'manager-1' }, [])).toBe(true);
  });

  it('does not give a sales rep a manager\'s reach even when given managed ids', () => {
    expect(canSee(sales, { ownerId: 'member' }, ['member'])).toBe(false);
  });
});

describe('assertCanAssign', () => {
  it('lets a sales rep keep or take a record, but not give it to someone else', () => {
    expect(codeOf(() => assertCanAssign(sales, 'sales-1', 'sales-1'))).toBeNull();
    expect(codeOf(() => assertCanAssign(sales, null, 'sales-1'))).toBeNull();
    expect(codeOf(() => assertCanAssign(sales, 'sales-1', 'colleague'))).toBe('forbidden');
    expect(codeOf(() => assertCanAssign(sales, 'sales-1', null))).toBe('forbidden');
  });

  it('lets managers and admins assign to anyone', () => {
    expect(codeOf(() => assertCanAssign(manager, 'a', 'b'))).toBeNull();
    expect(codeOf(() => assertCanAssign(admin, null, 'b'))).toBeNull();
  });

  it('accepts an unchanged owner whoever acts, so editing other fields never trips it', () => {
    expect(codeOf(() => assertCanAssign(sales, 'colleague', 'colleague'))).toBeNull();
  });
});

describe('role checks', () => {
  it('reserves admin work to admins', () => {
    expect(codeOf(() => assertAdmin(admin))).toBeNull();
    expect(codeOf(() => assertAdmin(manager))).toBe('forbidden');
    expect(codeOf(() => assertAdmin(sales))).toBe('forbidden');
    expect([isAdmin, canManageSettings, canManageUsers].map((f) => [f(admin), f(manager), f(sales)])).toEqual([
      [true, false, false], [true, false, false], [true, false, false],
    ]);
  });

  it('lets managers and admins through assertManagerOrAdmin, with the given message for sales', () => {
    expect(codeOf(() => assertManagerOrAdmin(admin))).toBeNull();
    expect(codeOf(() => assertManagerOrAdmin(manager))).toBeNull();
    expect(() => assertManagerOrAdmin(sales, 'Solo jefes.')).toThrow('Solo jefes.');
  });
});
