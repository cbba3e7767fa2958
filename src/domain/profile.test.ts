import { describe, expect, it } from 'vitest';
import {
  ageAt, ageOn, assertNoSensitiveMapping, assertNoSensitiveWrite, assertSensitiveOptional, canSeeSensitive, deriveLifecycle, effectiveLifecycle,
  formerCutoff, lifecycleSettingsOf, noLifecycleFacts, omitSensitive, omitSensitiveChanges, replyStats, sensitiveRolesOf,
} from './profile.js';
import { AppError } from './errors.js';
import { defaultCapturePolicy, validateCapturePolicy } from './capture-policy.js';

const at = (iso: string) => new Date(iso);

describe('age', () => {
  it('counts whole years, turning older on the birthday itself', () => {
    expect(ageOn('1980-05-17', '2026-05-16')).toBe(45);
    expect(ageOn('1980-05-17', '2026-05-17')).toBe(46);
  });

  it('makes someone born on 29 February a year older on 1 March in a common year', () => {
    expect(ageOn('2000-02-29', '2027-02-28')).toBe(26);
    expect(ageOn('2000-02-29', '2027-03-01')).toBe(27);
  });

  it('has no age without a birth date or with one in the future', () => {
    expect(ageOn(null, '2026-01-01')).toBeNull();
    expect(ageOn('2030-01-01', '2026-01-01')).toBeNull();
  });

  it('uses the workspace time zone: in Madrid the birthday starts an hour before UTC midnight', () => {
    const now = at('2026-05-16T22:30:00Z'); // 00:30 on 17 May in Madrid
    expect(ageAt('1980-05-17', now, 'Europe/Madrid')).toBe(46);
    expect(ageAt('1980-05-17', now, 'UTC')).toBe(45);
  });
});

describe('lifecycle', () => {
  const now = at('2026-11-23T10:00:00Z');

  it('is prospect with no purchase and no advanced lead', () => {
    expect(deriveLifecycle(noLifecycleFacts, now)).toBe('prospect');
    expect(deriveLifecycle({ ...noLifecycleFacts, maxOpenLeadProbability: 49 }, now)).toBe('prospect');
  });

  it('is potential with an open lead past its first stage or at the probability threshold', () => {
    expect(deriveLifecycle({ ...noLifecycleFacts, hasOpenLeadPastFirstStage: true, maxOpenLeadProbability: 10 }, now)).toBe('potential');
    expect(deriveLifecycle({ ...noLifecycleFacts, maxOpenLeadProbability: 50 }, now)).toBe('potential');
    expect(deriveLifecycle({ ...noLifecycleFacts, maxOpenLeadProbability: 40 }, now, { formerAfterMonths: 18, potentialProbability: 40 })).toBe('potential');
  });

  it('is client after a purchase, and former once the last one is older than the setting', () => {
    const bought = (iso: string) => ({ ...noLifecycleFacts, purchases: 2, lastPurchaseAt: at(iso) });
    expect(deriveLifecycle(bought('2025-05-24T00:00:00Z'), now)).toBe('client');
    expect(deriveLifecycle(bought('2025-05-22T00:00:00Z'), now)).toBe('former');
    expect(deriveLifecycle(bought('2025-05-22T00:00:00Z'), now, { formerAfterMonths: 24, potentialProbability: 50 })).toBe('client');
  });

  it('keeps a former client former while a new lead is negotiated', () => {
    expect(deriveLifecycle({ purchases: 1, lastPurchaseAt: at('2020-01-01T00:00:00Z'), hasOpenLeadPastFirstStage: true, maxOpenLeadProbability: 90 }, now)).toBe('former');
  });

  it('lets a value set by hand win over the derived one until it is cleared', () => {
    expect(effectiveLifecycle('prospect', 'client')).toBe('client');
    expect(effectiveLifecycle('prospect', null)).toBe('prospect');
  });

  it('counts months on the calendar, clamping to the end of a shorter month', () => {
    expect(formerCutoff(at('2026-08-31T12:00:00Z'), 6).toISOString()).toBe('2026-02-28T12:00:00.000Z');
    expect(formerCutoff(at('2026-11-23T10:00:00Z'), 18).toISOString()).toBe('2025-05-23T10:00:00.000Z');
  });

  it('reads its settings with defaults for missing or invalid values', () => {
    expect(lifecycleSettingsOf({})).toEqual({ formerAfterMonths: 18, potentialProbability: 50 });
    expect(lifecycleSettingsOf({ profile: { formerAfterMonths: 6, potentialProbability: 'x' } })).toEqual({ formerAfterMonths: 6, potentialProbability: 50 });
  });
});

describe('sensitive fields', () => {
  it('are seen by admins and managers by default, and always by admins', () => {
    const roles = sensitiveRolesOf({});
    expect(canSeeSensitive('manager', roles)).toBe(true);
    expect(canSeeSensitive('sales', roles)).toBe(false);
    expect(sensitiveRolesOf({ profile: { sensitiveRoles: ['sales'] } })).toEqual(['admin', 'sales']);
  });

  it('are left out of a contact read, custom ones included', () => {
    const row = { firstName: 'Ana', birthDate: '1980-01-01', age: 46, maritalStatus: 'single', occupation: 'Nurse', customFields: { income: 3, shoe: 42 } };
    expect(omitSensitive(row, ['income'])).toEqual({ firstName: 'Ana', customFields: { shoe: 42 } });
  });

  it('refuse a write naming each sensitive field sent', () => {
    let err: unknown;
    try { assertNoSensitiveWrite({ firstName: 'Ana', occupation: null, customFields: { income: 1, shoe: 2 } }, ['income']); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('forbidden');
    expect((err as AppError).fields.map((f) => f.field)).toEqual(['occupation', 'customFields.income']);
    expect(() => assertNoSensitiveWrite({ firstName: 'Ana', customFields: { shoe: 2 } }, ['income'])).not.toThrow();
  });

  it('cannot be imported by a role that may not see them, naming the column', () => {
    let err: unknown;
    try { assertNoSensitiveMapping(['firstName', null, 'birthDate']); } catch (e) { err = e; }
    expect((err as AppError).fields).toEqual([expect.objectContaining({ field: 'mapping.2', code: 'sensitive_field' })]);
    expect(() => assertNoSensitiveMapping(['firstName', 'email'])).not.toThrow();
  });

  it('cannot be required, neither as a custom field nor by the capture policy', () => {
    expect(() => assertSensitiveOptional({ isSensitive: true, isRequired: true })).toThrow(AppError);
    expect(() => assertSensitiveOptional({ isSensitive: true, isRequired: false })).not.toThrow();
    const policy = defaultCapturePolicy();
    policy.required.contact = ['firstName', 'birthDate'];
    expect(validateCapturePolicy(policy)).toEqual([expect.objectContaining({ field: 'required.contact.1', code: 'sensitive_required' })]);
  });
});

describe('omitSensitiveChanges', () => {
  it('leaves out sensitive values of a contact change, in custom fields and a rollback snapshot too, and nothing of other entities', () => {
    const changes = {
      firstName: ['Ana', 'Ana María'], birthDate: ['1980-01-01', '1981-01-01'],
      customFields: [{ income: 1, size: 2 }, { income: 3, size: 2 }],
      _meta: { importId: 'x', restored: { occupation: 'Notaria', jobTitle: 'Jefa', customFields: { income: 1, size: 2 } } },
    };
    expect(omitSensitiveChanges('contact', changes, ['income'])).toEqual({
      firstName: ['Ana', 'Ana María'],
      _meta: { importId: 'x', restored: { jobTitle: 'Jefa', customFields: { size: 2 } } },
    });
    expect(omitSensitiveChanges('contact', { customFields: [null, { income: 1, size: 2 }] }, ['income'])).toEqual({ customFields: [null, { size: 2 }] });
    expect(omitSensitiveChanges('lead', { birthDate: [1, 2] }, ['income'])).toEqual({ birthDate: [1, 2] });
  });
});

describe('reply rate', () => {
  const now = at('2026-11-23T10:00:00Z');
  const out = (iso: string) => ({ direction: 'outbound' as const, at: at(iso) });
  const inn = (iso: string) => ({ direction: 'inbound' as const, at: at(iso) });

  it('counts an outbound email answered by an inbound one within 7 days', () => {
    const s = replyStats([out('2026-10-01T09:00:00Z'), inn('2026-10-03T09:00:00Z'), out('2026-10-10T09:00:00Z'), inn('2026-10-18T09:00:01Z')], now);
    expect(s).toEqual({ sent: 2, answered: 1, pending: 0, replyRate: 0.5 });
  });

  it('ignores an inbound email that came before the outbound one', () => {
    expect(replyStats([inn('2026-10-01T09:00:00Z'), out('2026-10-02T09:00:00Z')], now).replyRate).toBe(0);
  });

  it('leaves out an unanswered email whose window is still open', () => {
    const s = replyStats([out('2026-11-20T09:00:00Z'), out('2026-10-01T09:00:00Z'), inn('2026-10-02T09:00:00Z')], now);
    expect(s).toEqual({ sent: 2, answered: 1, pending: 1, replyRate: 1 });
    expect(replyStats([out('2026-11-22T09:00:00Z')], now).replyRate).toBeNull();
  });
});
