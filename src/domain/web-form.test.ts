import { describe, expect, it } from 'vitest';
import {
  extractUtm, isHoneypotFilled, isSafeRedirectUrl, pageLocale, parseSubmission, pickOwner, rateLimitDecision, rateWindowStart,
  validateAssignment, validateFieldSet, webLeadNextActionAt, webLeadNotice, webLeadTitle, type WebFormField,
} from './web-form.js';

const f = (key: string, required = true, label = key) => ({ key, label, required });

describe('validateFieldSet', () => {
  it('accepts a form asking a required first name and a required email', () => {
    expect(validateFieldSet([f('firstName'), f('email'), f('message', false)])).toEqual([]);
  });

  it('names unknown and repeated fields by their position', () => {
    const errors = validateFieldSet([f('firstName'), f('email'), f('salary'), f('email')]);
    expect(errors.map((e) => [e.field, e.code])).toEqual([['fields.2.key', 'unknown_field'], ['fields.3.key', 'duplicate']]);
  });

  it('refuses a form that cannot create the contact or reach it again', () => {
    expect(validateFieldSet([f('firstName', false), f('phone', false)]).map((e) => e.code)).toEqual(['first_name_required', 'contact_channel_required']);
    expect(validateFieldSet([f('firstName')]).map((e) => e.code)).toEqual(['contact_channel_required']);
  });

  it('refuses an empty label', () => {
    expect(validateFieldSet([f('firstName'), f('email', true, '  ')])).toEqual([expect.objectContaining({ field: 'fields.1.label', code: 'required' })]);
  });
});

describe('assignment', () => {
  const everyone = new Set(['ana', 'luis', 'eva']);

  it('round robin takes turns over the list in order and wraps around', () => {
    const rule = { assignment: 'round_robin' as const, assigneeIds: ['ana', 'luis', 'eva'] };
    expect([0, 1, 2, 3, 4].map((turn) => pickOwner(rule, everyone, turn))).toEqual(['ana', 'luis', 'eva', 'ana', 'luis']);
  });

  it('round robin skips a user who can no longer receive leads', () => {
    const rule = { assignment: 'round_robin' as const, assigneeIds: ['ana', 'luis', 'eva'] };
    expect([0, 1, 2].map((turn) => pickOwner(rule, new Set(['ana', 'eva']), turn))).toEqual(['ana', 'eva', 'ana']);
  });

  it('a fixed owner who left leaves the lead to the team (unowned)', () => {
    expect(pickOwner({ assignment: 'fixed', ownerId: 'ana' }, everyone, 7)).toBe('ana');
    expect(pickOwner({ assignment: 'fixed', ownerId: 'ana' }, new Set(['luis']), 0)).toBeNull();
  });

  it('a rule must name its owner or at least one user, each once', () => {
    expect(validateAssignment({ assignment: 'fixed', ownerId: null })[0]?.field).toBe('ownerId');
    expect(validateAssignment({ assignment: 'round_robin', assigneeIds: [] })[0]?.field).toBe('assigneeIds');
    expect(validateAssignment({ assignment: 'round_robin', assigneeIds: ['a', 'a'] })[0]?.code).toBe('duplicate');
    expect(validateAssignment({ assignment: 'round_robin', assigneeIds: ['a', 'b'] })).toEqual([]);
  });
});

describe('rate limit', () => {
  const now = new Date('2026-11-23T10:00:45Z');

  it('lets the first five submissions of a window through and refuses the sixth until the window ends', () => {
    expect(rateLimitDecision(5, now)).toEqual({ allowed: true });
    expect(rateLimitDecision(6, now)).toEqual({ allowed: false, retryAfterSeconds: 15 });
  });

  it('windows start on the minute', () => {
    expect(rateWindowStart(now).toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });
});

describe('submission values', () => {
  const fields: WebFormField[] = [
    { key: 'firstName', label: 'Nombre', required: true },
    { key: 'email', label: 'Email', required: true },
    { key: 'message', label: 'Mensaje', required: false },
  ];

  it('keeps only the asked fields, trimmed', () => {
    expect(parseSubmission(fields, { firstName: '  Ana ', email: 'ana@x.es', ownerId: 'me', message: '' })).toEqual({ values: { firstName: 'Ana', email: 'ana@x.es' }, errors: [] });
  });

  it('names every missing required field and every over-long value', () => {
    const { errors } = parseSubmission(fields, { firstName: ' ', message: 'x'.repeat(2001) });
    expect(errors.map((e) => [e.field, e.code])).toEqual([['firstName', 'required'], ['email', 'required'], ['message', 'too_long']]);
  });

  it('a filled honeypot marks spam, an empty one does not', () => {
    expect(isHoneypotFilled({ website: 'http://spam.example' })).toBe(true);
    expect(isHoneypotFilled({ website: '' })).toBe(false);
    expect(isHoneypotFilled({})).toBe(false);
  });

  it('UTM parameters come from hidden fields first, then the page URL, then the referrer', () => {
    expect(extractUtm(
      { utm_source: 'google' },
      'https://shop.example/contact?utm_source=ignored&utm_medium=cpc',
      'https://shop.example/?utm_campaign=navidad&utm_medium=ignored',
    )).toEqual({ utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'navidad' });
    expect(extractUtm({}, 'not a url', null)).toEqual({});
  });
});

describe('next action of a web lead', () => {
  it('is a call in an hour, on the same local day', () => {
    const now = new Date('2026-11-23T09:00:00Z');
    expect(webLeadNextActionAt(now, 'Europe/Madrid').toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('late in the evening it is still today, at the last minute of the day', () => {
    // 23:30 in Madrid (UTC+1): the day ends at 23:00 UTC.
    expect(webLeadNextActionAt(new Date('2026-11-23T22:30:00Z'), 'Europe/Madrid').toISOString()).toBe('2026-11-23T22:59:00.000Z');
    expect(webLeadNextActionAt(new Date('2026-11-23T22:59:30Z'), 'Europe/Madrid').toISOString()).toBe('2026-11-23T22:59:30.000Z');
  });
});

describe('page details', () => {
  it('redirects only to absolute http(s) URLs', () => {
    expect(isSafeRedirectUrl('https://shop.example/gracias')).toBe(true);
    expect(isSafeRedirectUrl('javascript:alert(1)')).toBe(false);
    expect(isSafeRedirectUrl('/gracias')).toBe(false);
  });

  it('speaks the form language, else the visitor best supported language', () => {
    expect(pageLocale('es', 'en-GB,en;q=0.9')).toBe('es');
    expect(pageLocale(null, 'fr-FR,en;q=0.8,es;q=0.5')).toBe('en');
    expect(pageLocale(null, 'fr-FR')).toBe('es');
  });
});

describe('what the owner reads', () => {
  it('the lead is titled by who wrote and through which form', () => {
    expect(webLeadTitle('Presupuesto', { firstName: 'Ana', lastName: 'Ruiz' })).toBe('Ana Ruiz · Presupuesto');
    expect(webLeadTitle('Presupuesto', {})).toBe('— · Presupuesto');
  });

  it('the notification is written in the recipient language and says when nobody was assigned', () => {
    expect(webLeadNotice('es', 'Presupuesto', 'Ana Ruiz', false).title).toBe('Nuevo contacto web para ti: Ana Ruiz');
    expect(webLeadNotice('en', 'Quote', 'Ana Ruiz', true).title).toBe('New unassigned web lead: Ana Ruiz');
  });
});
