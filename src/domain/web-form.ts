import type { FieldError } from './errors.js';
import { dayRange } from './today.js';

/**
 * Web-form lead capture: which fields a form may ask, who gets the lead, when a sender is
 * throttled, and what a submission's values are. Pure; the storage layer and the public routes call
 * these, the capture policy cleans the contact values afterwards like on every other input path.
 */

/** What a form may ask. Contact fields land on the contact; `message` becomes the lead's next-action note. */
export const webFormFieldKeys = ['firstName', 'lastName', 'secondLastName', 'email', 'phone', 'jobTitle', 'postalCode', 'city', 'message'] as const;
export type WebFormFieldKey = (typeof webFormFieldKeys)[number];
export type WebFormField = { key: WebFormFieldKey; label: string; required: boolean };

/** Longest value accepted per field; a longer one is refused rather than cut. */
export const maxLengthOf = (key: WebFormFieldKey) => (key === 'message' ? 2000 : key === 'email' ? 254 : 120);

const isFieldKey = (k: unknown): k is WebFormFieldKey => typeof k === 'string' && (webFormFieldKeys as readonly string[]).includes(k);

/**
 * A form's field set is valid when every key is known and asked once, the contact can be created
 * (first name asked and required) and found again (email or phone asked), and one of them is required.
 */
export function validateFieldSet(fields: readonly { key: string; label: string; required: boolean }[]): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (!isFieldKey(f.key)) errors.push({ field: `fields.${i}.key`, code: 'unknown_field', message: `"${f.key}" is not a field a web form can ask.` });
    else if (seen.has(f.key)) errors.push({ field: `fields.${i}.key`, code: 'duplicate', message: `"${f.key}" is asked twice.` });
    seen.add(f.key);
    if (!f.label.trim()) errors.push({ field: `fields.${i}.label`, code: 'required', message: 'Every field needs a label.' });
  });
  const first = fields.find((f) => f.key === 'firstName');
  if (!first || !first.required) errors.push({ field: 'fields', code: 'first_name_required', message: 'The form must ask for the first name, as a required field.' });
  const reach = fields.filter((f) => f.key === 'email' || f.key === 'phone');
  if (!reach.length) errors.push({ field: 'fields', code: 'contact_channel_required', message: 'The form must ask for an email or a phone.' });
  else if (!reach.some((f) => f.required)) errors.push({ field: 'fields', code: 'contact_channel_required', message: 'The email or the phone must be required.' });
  return errors;
}

export type AssignmentRule =
  | { assignment: 'fixed'; ownerId: string | null }
  | { assignment: 'round_robin'; assigneeIds: readonly string[] };

/** A rule is complete when it names its owner, or at least one user to take turns. */
export function validateAssignment(rule: AssignmentRule): FieldError[] {
  if (rule.assignment === 'fixed' && !rule.ownerId) return [{ field: 'ownerId', code: 'required', message: 'A fixed owner is required.' }];
  if (rule.assignment === 'round_robin') {
    if (!rule.assigneeIds.length) return [{ field: 'assigneeIds', code: 'required', message: 'Round robin needs at least one user.' }];
    if (new Set(rule.assigneeIds).size !== rule.assigneeIds.length) return [{ field: 'assigneeIds', code: 'duplicate', message: 'A user is listed twice.' }];
  }
  return [];
}

/**
 * The owner of the next lead. Round robin takes turn `turn` (a counter that only grows) over the
 * users in the list who can still receive leads, so a deactivated user is skipped without breaking
 * the rotation of the others. Null when nobody can take it: the lead is then the team's (unowned).
 */
export function pickOwner(rule: AssignmentRule, eligible: ReadonlySet<string>, turn: number): string | null {
  if (rule.assignment === 'fixed') return rule.ownerId && eligible.has(rule.ownerId) ? rule.ownerId : null;
  const pool = rule.assigneeIds.filter((id) => eligible.has(id));
  if (!pool.length) return null;
  return pool[((turn % pool.length) + pool.length) % pool.length]!;
}

/** Per form and sender address: this many submissions per window, then 429. */
export const RATE_LIMIT = { max: 5, windowSeconds: 60 } as const;

/** Start of the fixed window containing `now`. */
export const rateWindowStart = (now: Date, windowSeconds: number = RATE_LIMIT.windowSeconds) =>
  new Date(Math.floor(now.getTime() / (windowSeconds * 1000)) * windowSeconds * 1000);

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** `hits` counts this request too. Refused requests learn when the window ends (Retry-After). */
export function rateLimitDecision(hits: number, now: Date, limit: { max: number; windowSeconds: number } = RATE_LIMIT): RateDecision {
  if (hits <= limit.max) return { allowed: true };
  const end = rateWindowStart(now, limit.windowSeconds).getTime() + limit.windowSeconds * 1000;
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((end - now.getTime()) / 1000)) };
}

/**
 * Name of the honeypot input: hidden from people (off-screen, aria-hidden, no tab stop), filled by
 * bots that complete every field. A name that looks worth filling.
 */
export const HONEYPOT_FIELD = 'website';
export const isHoneypotFilled = (raw: Record<string, unknown>) => {
  const v = raw[HONEYPOT_FIELD];
  return typeof v === 'string' && v.trim() !== '';
};

export const utmKeys = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content'] as const;
export type Utm = Partial<Record<(typeof utmKeys)[number], string>>;

/**
 * UTM parameters of a submission: hidden fields win (the hosted page copies them from its URL),
 * else the query string of the page the form was on (`pageUrl`, sent by embeds), else the referrer's.
 */
export function extractUtm(raw: Record<string, unknown>, pageUrl?: string | null, referrer?: string | null): Utm {
  const fromUrl = (u: string | null | undefined): URLSearchParams => {
    if (!u) return new URLSearchParams();
    try { return new URL(u).searchParams; } catch { return new URLSearchParams(); }
  };
  const page = fromUrl(pageUrl);
  const ref = fromUrl(referrer);
  const utm: Utm = {};
  for (const k of utmKeys) {
    const v = [raw[k], page.get(k), ref.get(k)].find((x) => typeof x === 'string' && x.trim() !== '') as string | undefined;
    if (v) utm[k] = v.trim().slice(0, 200);
  }
  return utm;
}

/**
 * The values of a submission for the form's fields: trimmed strings, every missing required field
 * and every over-long value reported at once. Anything not asked by the form is dropped.
 */
export function parseSubmission(fields: readonly WebFormField[], raw: Record<string, unknown>): { values: Partial<Record<WebFormFieldKey, string>>; errors: FieldError[] } {
  const values: Partial<Record<WebFormFieldKey, string>> = {};
  const errors: FieldError[] = [];
  for (const f of fields) {
    const v = raw[f.key];
    const s = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '';
    if (!s) {
      if (f.required) errors.push({ field: f.key, code: 'required', message: `${f.label} is required.` });
      continue;
    }
    if (s.length > maxLengthOf(f.key)) {
      errors.push({ field: f.key, code: 'too_long', message: `${f.label} is longer than ${maxLengthOf(f.key)} characters.` });
      continue;
    }
    values[f.key] = s;
  }
  return { values, errors };
}

/** The contact part of the values (what the capture policy cleans). */
export function contactValuesOf(values: Partial<Record<WebFormFieldKey, string>>): Record<string, string> {
  const { message: _message, ...contact } = values;
  return contact as Record<string, string>;
}

/**
 * A web lead must be called back the same day: the next action is a call in an hour, but never
 * after the end of the workspace's local day (and never before now).
 */
export function webLeadNextActionAt(now: Date, timeZone: string): Date {
  const inAnHour = now.getTime() + 60 * 60 * 1000;
  const lastMinute = dayRange(now, timeZone).end.getTime() - 60 * 1000;
  return new Date(Math.max(now.getTime(), Math.min(inAnHour, lastMinute)));
}

/** The lead's title: who wrote, through which form. */
export function webLeadTitle(formName: string, contact: { firstName?: string | null; lastName?: string | null }): string {
  const who = [contact.firstName, contact.lastName].filter(Boolean).join(' ');
  return `${who || '—'} · ${formName}`.slice(0, 200);
}

/** A redirect target must be an absolute http(s) URL: never javascript:, data: or a relative path. */
export function isSafeRedirectUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Language of the hosted page: the form's, else the visitor's first supported Accept-Language. */
export function pageLocale(formLocale: 'es' | 'en' | null, acceptLanguage: string | undefined | null, fallback: 'es' | 'en' = 'es'): 'es' | 'en' {
  if (formLocale) return formLocale;
  const ranked = (acceptLanguage ?? '').split(',').map((part, i) => {
    const [tag, ...params] = part.trim().split(';');
    const q = params.map((p) => /^q=([\d.]+)$/.exec(p.trim())).find(Boolean);
    return { lang: (tag ?? '').toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1, i };
  }).filter((x) => x.lang === 'es' || x.lang === 'en').sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked[0]?.lang as 'es' | 'en' | undefined) ?? fallback;
}

/** The owner's notification, written in their language when it is sent (like src/jobs/messages.ts). */
export function webLeadNotice(locale: 'es' | 'en', formName: string, who: string, unowned: boolean): { title: string; body: string } {
  if (locale === 'en') {
    return {
      title: unowned ? `New unassigned web lead: ${who}` : `New web lead for you: ${who}`,
      body: `${who} filled in the form "${formName}". Call back today.`,
    };
  }
  return {
    title: unowned ? `Nuevo contacto web sin asignar: ${who}` : `Nuevo contacto web para ti: ${who}`,
    body: `${who} ha rellenado el formulario «${formName}». Llámale hoy.`,
  };
}
