import { describe, expect, it } from 'vitest';
import type { Actor } from '../access.js';
import { AppError } from '../errors.js';
import { metricOwners } from './scope.js';

const actor = (role: Actor['role'], userId = 'me'): Actor => ({ workspaceId: 'w', userId, role, teamId: null });
const none = { managed: [], teamMembers: null };
const codeOf = (fn: () => unknown) => { try { fn(); } catch (e) { return e instanceof AppError ? e.code : 'other'; } return 'none'; };

describe('metricOwners', () => {
  it('gives admins the whole workspace unless they narrow it', () => {
    expect(metricOwners(actor('admin'), {}, none)).toBeNull();
    expect(metricOwners(actor('admin'), { ownerId: 'x' }, none)).toEqual(['x']);
    expect(metricOwners(actor('admin'), { teamId: 't' }, { managed: [], teamMembers: ['a', 'b'] })).toEqual(['a', 'b']);
  });

  it('keeps a sales user to their own numbers and refuses anyone else\'s', () => {
    expect(metricOwners(actor('sales'), {}, none)).toEqual(['me']);
    expect(metricOwners(actor('sales'), { ownerId: 'me' }, none)).toEqual(['me']);
    expect(codeOf(() => metricOwners(actor('sales'), { ownerId: 'boss' }, none))).toBe('forbidden');
  });

  it('gives a manager their team and themselves, and refuses another team', () => {
    const ctx = { managed: ['a', 'b'], teamMembers: ['a', 'b'] };
    expect(metricOwners(actor('manager'), {}, ctx)).toEqual(['me', 'a', 'b']);
    expect(metricOwners(actor('manager'), { teamId: 't' }, ctx)).toEqual(['a', 'b']);
    expect(metricOwners(actor('manager'), { ownerId: 'a' }, ctx)).toEqual(['a']);
    expect(codeOf(() => metricOwners(actor('manager'), { teamId: 'other' }, { managed: ['a'], teamMembers: ['z'] }))).toBe('forbidden');
  });

  it('gives nobody when the owner asked for is not in the team asked for', () => {
    expect(metricOwners(actor('admin'), { teamId: 't', ownerId: 'x' }, { managed: [], teamMembers: ['a'] })).toEqual([]);
  });
});
