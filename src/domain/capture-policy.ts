import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { FieldError } from './errors.js';
import { sensitiveContactFields } from './profile.js';

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

// Plain toLowerCase/toUpperCase: Spanish and Portuguese have no locale-specific case rules (only
// Turkish, Azeri and Lithuanian do), and the locale-aware calls cost an ICU lookup per value on imports.
export function titleCase(s: string): string {
  return s.toLowerCase().split(' ').map((w, i) => {
    if (i > 0 && particles.has(w)) return w;
    return w.split('-').map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join('-');
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

/**
 * A postal code with the leading zero a spreadsheet drops when it stores the code as a number
 * (08001 Barcelona becomes 8001 in Excel): an all-digit code one digit short of the country's
 * format gets its zero back. Any other code is returned as it is.
 */
export function restoreLeadingZero(code: string, country: string): string {
  const re = postalFormats[country];
  return re && /^\d+$/.test(code) && !re.test(code) && re.test(`0${code}`) ? `0${code}` : code;
}

const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

/** Free-text fields where line breaks mean something: trimmed, but their inner whitespace is kept. */
const multilineFields = new Set(['nextActionNote', 'note', 'body', 'description', 'comment', 'lostReason']);

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
    if (typeof v !== 'string') { values[k] = v; continue; }
    const clean = multilineFields.has(k) ? v.trim() : collapseSpaces(v);
    values[k] = clean === '' ? null : clean;
  }

  for (const [key, casing] of Object.entries(policy.casing)) {
    const [ent, field] = key.split('.');
    if (ent !== entity || !field) continue;
    const v = values[field];
    if (typeof v !== 'string' || casing === 'none') continue;
    values[field] = casing === 'upper' ? v.toUpperCase() : titleCase(v);
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
    const pc = restoreLeadingZero((values['postalCode'] as string).toUpperCase(), country);
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

/**
 * The fields a policy may name, per entity: `required` lists any of them; `casing` only the
 * free-text ones (email, phone and postal code have their own fixed normalisation).
 */
export const captureFields: Record<CaptureEntity, { fields: readonly string[]; text: readonly string[] }> = {
  contact: {
    fields: ['firstName', 'lastName', 'secondLastName', 'jobTitle', 'email', 'phone', 'address', 'postalCode', 'neighbourhood', 'city', 'region', 'country', 'birthDate', 'companyId'],
    text: ['firstName', 'lastName', 'secondLastName', 'jobTitle', 'occupation', 'address', 'neighbourhood', 'city', 'region'],
  },
  company: {
    fields: ['name', 'sector', 'website', 'email', 'phone', 'address', 'postalCode', 'neighbourhood', 'city', 'region', 'country', 'employees', 'annualRevenue'],
    text: ['name', 'sector', 'address', 'neighbourhood', 'city', 'region'],
  },
  lead: {
    fields: ['title', 'contactId', 'companyId', 'sourceId', 'campaignId', 'productIds', 'amount', 'expectedCloseDate', 'nextActionAt'],
    text: ['title'],
  },
};

export const captureEntities = Object.keys(captureFields) as CaptureEntity[];
const casings: readonly Casing[] = ['upper', 'title', 'none'];
const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;


/**
 * Checks a policy an admin wants to save; every problem at once, each naming its path in the
 * policy document (`required.contact.1`, `casing.contact.nickname`, `requiredBySource.<id>.lead`).
 * `sourceIds` are the workspace's sources, when known, so a rule for a deleted source is refused.
 */
export function validateCapturePolicy(policy: CapturePolicy, sourceIds?: ReadonlySet<string>): FieldError[] {
  const errors: FieldError[] = [];
  const checkFields = (path: string, entity: CaptureEntity, list: readonly string[]) => {
    const seen = new Set<string>();
    list.forEach((f, i) => {
      if (!captureFields[entity].fields.includes(f)) errors.push({ field: `${path}.${i}`, code: 'unknown_field', message: `${entity} has no field "${f}" a policy can require.` });
      // Hidden from some roles (docs/profile.md), so they could never fill it in.
      else if (entity === 'contact' && (sensitiveContactFields as readonly string[]).includes(f)) errors.push({ field: `${path}.${i}`, code: 'sensitive_required', message: `"${f}" is sensitive and cannot be required.` });
      else if (seen.has(f)) errors.push({ field: `${path}.${i}`, code: 'duplicate', message: `"${f}" is listed twice.` });
      seen.add(f);
    });
  };
  for (const [entity, list] of Object.entries(policy.required)) {
    if (!captureEntities.includes(entity as CaptureEntity)) { errors.push({ field: `required.${entity}`, code: 'unknown_entity', message: `Unknown entity "${entity}".` }); continue; }
    checkFields(`required.${entity}`, entity as CaptureEntity, list);
  }
  for (const [sourceId, perEntity] of Object.entries(policy.requiredBySource)) {
    if (!uuidRe.test(sourceId) || (sourceIds && !sourceIds.has(sourceId))) {
      errors.push({ field: `requiredBySource.${sourceId}`, code: 'not_found', message: `There is no source with id "${sourceId}".` });
      continue;
    }
    for (const [entity, list] of Object.entries(perEntity)) {
      if (!captureEntities.includes(entity as CaptureEntity)) { errors.push({ field: `requiredBySource.${sourceId}.${entity}`, code: 'unknown_entity', message: `Unknown entity "${entity}".` }); continue; }
      checkFields(`requiredBySource.${sourceId}.${entity}`, entity as CaptureEntity, list ?? []);
    }
  }
  for (const [key, casing] of Object.entries(policy.casing)) {
    const [entity, field, ...rest] = key.split('.');
    const path = `casing.${key}`;
    if (!captureEntities.includes(entity as CaptureEntity) || !field || rest.length) {
      errors.push({ field: path, code: 'invalid_format', message: 'Casing keys are "entity.field", e.g. "contact.lastName".' });
    } else if (!captureFields[entity as CaptureEntity].text.includes(field)) {
      errors.push({ field: path, code: 'unknown_field', message: `${entity}.${field} is not a free-text field that casing applies to.` });
    } else if (!casings.includes(casing)) {
      errors.push({ field: path, code: 'invalid_value', message: 'Casing is "upper", "title" or "none".' });
    }
  }
  if (!/^[A-Z]{2}$/.test(policy.defaultCountry) || !isSupportedCountry(policy.defaultCountry)) {
    errors.push({ field: 'defaultCountry', code: 'invalid_format', message: 'The default country is an ISO 3166-1 alpha-2 code, e.g. ES.' });
  }
  return errors;
}

/**
 * The policy as stored, read leniently over the defaults: a rule the current code no longer knows
 * is dropped rather than breaking every input path (saving re-validates everything).
 */
export function capturePolicyOf(stored: Record<string, unknown> | null | undefined, defaultCountry: string): CapturePolicy {
  const base = defaultCapturePolicy(defaultCountry);
  if (!stored) return base;
  const list = (v: unknown, entity: CaptureEntity) => (Array.isArray(v) ? v.filter((f): f is string => typeof f === 'string' && captureFields[entity].fields.includes(f)) : undefined);
  const required = { ...base.required };
  const storedRequired = (stored['required'] ?? {}) as Record<string, unknown>;
  for (const e of captureEntities) required[e] = list(storedRequired[e], e) ?? base.required[e];
  const requiredBySource: CapturePolicy['requiredBySource'] = {};
  for (const [sourceId, perEntity] of Object.entries((stored['requiredBySource'] ?? {}) as Record<string, Record<string, unknown>>)) {
    const rules: Partial<Record<CaptureEntity, string[]>> = {};
    for (const e of captureEntities) { const l = list(perEntity?.[e], e); if (l?.length) rules[e] = l; }
    if (Object.keys(rules).length) requiredBySource[sourceId] = rules;
  }
  const casing: Record<string, Casing> = {};
  for (const [key, c] of Object.entries((stored['casing'] ?? {}) as Record<string, unknown>)) {
    const [entity, field] = key.split('.');
    if (captureEntities.includes(entity as CaptureEntity) && field && captureFields[entity as CaptureEntity].text.includes(field) && casings.includes(c as Casing)) casing[key] = c as Casing;
  }
  const country = typeof stored['defaultCountry'] === 'string' && /^[A-Z]{2}$/.test(stored['defaultCountry']) ? stored['defaultCountry'] : base.defaultCountry;
  return {
    required, requiredBySource, casing,
    validatePostalCode: typeof stored['validatePostalCode'] === 'boolean' ? stored['validatePostalCode'] : base.validatePostalCode,
    splitSurnames: typeof stored['splitSurnames'] === 'boolean' ? stored['splitSurnames'] : base.splitSurnames,
    defaultCountry: country,
  };
}
