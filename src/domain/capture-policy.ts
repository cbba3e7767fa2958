import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { FieldError } from './errors.js';

/**
 * Capture policies: the workspace's rules for how records are typed in, applied identically on every
 * input path (forms, API, import, web forms, quick-add). One function, `applyCapturePolicy`, cleans
 * the values and reports every problem at once; suggestions (a surname split) are offered, never
 * applied silently.
 */
export type CaptureEntity = 'contact' | 'company' | 'lead';
export type Casing = 'upper' | 'title' | 'none';

export type CapturePolicy = {
  /** Fields that must be filled, per entity. */
  required: Record<CaptureEntity, string[]>;
  /** Extra required fields when the record comes from a given source (by source id). */
  requiredBySource: Record<string, Partial<Record<CaptureEntity, string[]>>>;
  /** Casing per `entity.field`, e.g. `contact.lastName: 'upper'`. */
  casing: Record<string, Casing>;
  /** Postal code checked against the country's format (the record's country, else the default). */
  validatePostalCode: boolean;
  /** Offer to split "García López" typed in lastName into lastName + secondLastName. */
  splitSurnames: boolean;
  /** Country for phone numbers typed without an international prefix, and for postal codes. */
  defaultCountry: string;
};

export const defaultCapturePolicy = (defaultCountry = 'ES'): CapturePolicy => ({
  required: { contact: ['firstName'], company: ['name'], lead: ['title'] },
  requiredBySource: {},
  casing: {},
  validatePostalCode: true,
  splitSurnames: true,
  defaultCountry,
});

export type Suggestion = { field: string; code: 'split_surnames'; values: Record<string, string> };
export type CaptureResult = { values: Record<string, unknown>; errors: FieldError[]; suggestions: Suggestion[] };

const postalFormats: Record<string, RegExp> = {
  ES: /^(?:0[1-9]|[1-4]\d|5[0-2])\d{3}$/,
  PT: /^\d{4}-\d{3}$/,
  FR: /^\d{5}$/,
  DE: /^\d{5}$/,
  IT: /^\d{5}$/,
  MX: /^\d{5}$/,
  US: /^\d{5}(?:-\d{4})?$/,
  AR: /^(?:[A-HJ-NP-Z]\d{4}[A-Z]{3}|\d{4})$/,
  CL: /^\d{7}$/,
  CO: /^\d{6}$/,
  PE: /^\d{5}$/,
  EC: /^\d{6}$/,
  UY: /^\d{5}$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/,
};

const emailRe = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;

/** Words kept in lower case inside a title-cased name (Spanish and Portuguese particles). */
const particles = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'e', 'da', 'do', 'dos', 'das', 'van', 'von']);

export function titleCase(s: string): string {
  return s.toLocaleLowerCase('es').split(' ').map((w, i) => {
    if (i > 0 && particles.has(w)) return w;
    return w.split('-').map((p) => p.charAt(0).toLocaleUpperCase('es') + p.slice(1)).join('-');
  }).join(' ');
}

export const collapseSpaces = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Splits a two-surname string into first and second surname, keeping particles with the surname
 * they introduce: "García López" → García / López; "de la Fuente Ruiz" → de la Fuente / Ruiz.
 * Returns null when the split is not clear (one word, or more than two surnames).
 */
export function splitSurnames(lastName: string): { lastName: string; secondLastName: string } | null {
  const words = collapseSpaces(lastName).split(' ');
  const groups: string[] = [];
  let pending: string[] = [];
  for (const w of words) {
    pending.push(w);
    if (!particles.has(w.toLowerCase())) {
      groups.push(pending.join(' '));
      pending = [];
    }
  }
  if (pending.length) return null;
  if (groups.length !== 2) return null;
  return { lastName: groups[0]!, secondLastName: groups[1]! };
}

/** E.164 form of a phone number, or null when it is not a valid number. */
export function normalisePhone(raw: string, defaultCountry: string): string | null {
  const p = parsePhoneNumberFromString(raw, defaultCountry as CountryCode);
  return p && p.isValid() ? p.number : null;
}

export function isValidPostalCode(code: string, country: string): boolean {
  const re = postalFormats[country];
  return re ? re.test(code) : /^[A-Z0-9][A-Z0-9 -]{1,9}$/i.test(code);
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/**
 * Applies the policy to the values of one record. With `partial` (an update), required fields are
 * checked only when present in the input (set to empty); `existing` holds the stored record so the
 * country of an update is known.
 */
export function applyCapturePolicy(
  entity: CaptureEntity,
  input: Record<string, unknown>,
  policy: CapturePolicy,
  opts: { partial?: boolean; sourceId?: string | null; existing?: Record<string, unknown> } = {},
): CaptureResult {
  const values: Record<string, unknown> = {};
  const errors: FieldError[] = [];
  const suggestions: Suggestion[] = [];

  for (const [k, v] of Object.entries(input)) {
    values[k] = typeof v === 'string' ? (collapseSpaces(v) === '' ? null : collapseSpaces(v)) : v;
  }

  for (const [key, casing] of Object.entries(policy.casing)) {
    const [ent, field] = key.split('.');
    if (ent !== entity || !field) continue;
    const v = values[field];
    if (typeof v !== 'string' || casing === 'none') continue;
    values[field] = casing === 'upper' ? v.toLocaleUpperCase('es') : titleCase(v);
  }

  if (typeof values['email'] === 'string') {
    const e = (values['email'] as string).toLowerCase();
    if (!emailRe.test(e)) errors.push({ field: 'email', code: 'invalid_email', message: 'The email address is not valid.' });
    values['email'] = e;
  }

  const country = (values['country'] as string | null | undefined) ?? (opts.existing?.['country'] as string | null | undefined) ?? policy.defaultCountry;
  for (const field of ['phone', 'mobile']) {
    const v = values[field];
    if (typeof v !== 'string') continue;
    const e164 = normalisePhone(v, country);
    if (!e164) errors.push({ field, code: 'invalid_phone', message: `"${v}" is not a valid phone number for ${country}.` });
    else values[field] = e164;
  }

  if (typeof values['postalCode'] === 'string') {
    const pc = (values['postalCode'] as string).toUpperCase();
    values['postalCode'] = pc;
    if (policy.validatePostalCode && !isValidPostalCode(pc, country)) {
      errors.push({ field: 'postalCode', code: 'invalid_postal_code', message: `"${pc}" is not a postal code of ${country}.` });
    }
  }

  const required = new Set([...policy.required[entity], ...((opts.sourceId && policy.requiredBySource[opts.sourceId]?.[entity]) || [])]);
  for (const field of required) {
    const present = field in values;
    if (opts.partial && !present) continue;
    if (isBlank(values[field])) errors.push({ field, code: 'required', message: `${field} is required by the workspace's capture policy.` });
  }

  if (entity === 'contact' && policy.splitSurnames && typeof values['lastName'] === 'string' && isBlank(values['secondLastName'] ?? opts.existing?.['secondLastName'])) {
    const split = splitSurnames(values['lastName'] as string);
    if (split) suggestions.push({ field: 'lastName', code: 'split_surnames', values: split });
  }

  return { values, errors, suggestions };
}
