import type { Role } from './access.js';
import { AppError, type FieldError } from './errors.js';

/**
 * The client profile (docs/profile.md): age, lifecycle, purchases, email reply rate and which
 * profile fields are sensitive. Pure rules; src/db/queries/profile.ts gathers the facts.
 */

export const lifecycles = ['prospect', 'potential', 'client', 'former'] as const;
export type Lifecycle = (typeof lifecycles)[number];

/**
 * Best time to contact as a part of the day rather than a clock window: it is how people answer
 * ("por las mañanas"), it needs no time zone for the contact (which we rarely know), and a salesperson
 * matches it at a glance. Midday is its own slot because in Spain the long lunch break is when many
 * people take calls. Hours (local): morning 9–13, midday 13–16, afternoon 16–20, evening 20–22.
 */
export const bestTimesToContact = ['morning', 'midday', 'afternoon', 'evening'] as const;
export type BestTimeToContact = (typeof bestTimesToContact)[number];
export const bestTimeHours: Record<BestTimeToContact, readonly [number, number]> = {
  morning: [9, 13], midday: [13, 16], afternoon: [16, 20], evening: [20, 22],
};

export const maritalStatuses = ['single', 'married', 'partner', 'divorced', 'widowed'] as const;

// ── Age ──────────────────────────────────────────────────────────────────────

/** The calendar date ('YYYY-MM-DD') at `now` in the time zone. */
export function localDate(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/**
 * Whole years from a birth date to `today` (both 'YYYY-MM-DD'); null without a birth date or when
 * the date is in the future. Someone born on 29 February turns a year older on 1 March in common years.
 */
export function ageOn(birthDate: string | null | undefined, today: string): number | null {
  if (!birthDate) return null;
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  let age = ty - by;
  if (tm < bm || (tm === bm && td < bd)) age -= 1;
  return age < 0 ? null : age;
}

/** Age at `now` in the workspace's time zone (a birthday starts at local midnight, not UTC's). */
export const ageAt = (birthDate: string | null | undefined, now: Date, timeZone: string) => ageOn(birthDate, localDate(now, timeZone));

// ── Lifecycle ────────────────────────────────────────────────────────────────

export type LifecycleSettings = {
  /** A client with no purchase for this many months is a former client. */
  formerAfterMonths: number;
  /** An open lead at this probability or more makes its contact a potential client. */
  potentialProbability: number;
};
export const DEFAULT_LIFECYCLE_SETTINGS: LifecycleSettings = { formerAfterMonths: 18, potentialProbability: 50 };

/** What the lifecycle is derived from; gathered in one query by src/db/queries/profile.ts. */
export type LifecycleFacts = {
  purchases: number;
  lastPurchaseAt: Date | null;
  /** Some open lead of the contact is in a later stage than its pipeline's first open stage. */
  hasOpenLeadPastFirstStage: boolean;
  /** The highest probability among the contact's open leads (null: no open lead). */
  maxOpenLeadProbability: number | null;
};
export const noLifecycleFacts: LifecycleFacts = { purchases: 0, lastPurchaseAt: null, hasOpenLeadPastFirstStage: false, maxOpenLeadProbability: null };

/** The instant before which a last purchase makes a client former (calendar months, UTC). */
export function formerCutoff(now: Date, months: number): Date {
  const d = new Date(now.getTime());
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() - months);
  // 31 August − 6 months is the last day of February, not 3 March.
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d;
}

/**
 * The lifecycle the data says: whoever has bought is a client, and a former client once their
 * last purchase is older than `formerAfterMonths`; whoever has never bought is a potential client
 * when an open lead has moved past its first stage or reached `potentialProbability`, else a prospect.
 * Purchases win over open leads: a former client negotiating again is still known as a former client.
 */
export function deriveLifecycle(f: LifecycleFacts, now: Date, s: LifecycleSettings = DEFAULT_LIFECYCLE_SETTINGS): Lifecycle {
  if (f.purchases > 0) {
    if (f.lastPurchaseAt && f.lastPurchaseAt.getTime() < formerCutoff(now, s.formerAfterMonths).getTime()) return 'former';
    return 'client';
  }
  if (f.hasOpenLeadPastFirstStage) return 'potential';
  if (f.maxOpenLeadProbability !== null && f.maxOpenLeadProbability >= s.potentialProbability) return 'potential';
  return 'prospect';
}

/** A value set by hand wins until it is cleared; then the derived one applies again. */
export const effectiveLifecycle = (derived: Lifecycle, override: Lifecycle | null | undefined): Lifecycle => override ?? derived;

const isInt = (v: unknown, min: number, max: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

/** The lifecycle settings of a workspace (`settings.profile`), defaults for anything missing or invalid. */
export function lifecycleSettingsOf(settings: Record<string, unknown> | null | undefined): LifecycleSettings {
  const p = (settings?.['profile'] ?? {}) as Record<string, unknown>;
  return {
    formerAfterMonths: isInt(p['formerAfterMonths'], 1, 120) ? p['formerAfterMonths'] : DEFAULT_LIFECYCLE_SETTINGS.formerAfterMonths,
    potentialProbability: isInt(p['potentialProbability'], 1, 100) ? p['potentialProbability'] : DEFAULT_LIFECYCLE_SETTINGS.potentialProbability,
  };
}

// ── Sensitive fields ─────────────────────────────────────────────────────────

/** Profile fields that are personal enough to hide from roles that do not need them. */
export const sensitiveContactFields = ['birthDate', 'maritalStatus', 'occupation'] as const;
export const DEFAULT_SENSITIVE_ROLES: readonly Role[] = ['admin', 'manager'];
const roles: readonly Role[] = ['admin', 'manager', 'sales'];

/** The roles that see sensitive fields. Admins always do: they are the ones who set this. */
export function sensitiveRolesOf(settings: Record<string, unknown> | null | undefined): Role[] {
  const raw = ((settings?.['profile'] ?? {}) as Record<string, unknown>)['sensitiveRoles'];
  if (!Array.isArray(raw)) return [...DEFAULT_SENSITIVE_ROLES];
  const picked = roles.filter((r) => raw.includes(r));
  return picked.includes('admin') ? picked : ['admin', ...picked];
}

export type ProfileSettings = LifecycleSettings & { sensitiveRoles: Role[] };
export const profileSettingsOf = (settings: Record<string, unknown> | null | undefined): ProfileSettings =>
  ({ ...lifecycleSettingsOf(settings), sensitiveRoles: sensitiveRolesOf(settings) });

export const canSeeSensitive = (role: Role, sensitiveRoles: readonly Role[]) => role === 'admin' || sensitiveRoles.includes(role);

/** The API field paths that are sensitive: the fixed profile fields and `customFields.<key>` of flagged custom fields. */
export const sensitiveFieldPaths = (sensitiveCustomKeys: readonly string[]): string[] =>
  [...sensitiveContactFields, ...sensitiveCustomKeys.map((k) => `customFields.${k}`)];

/** A contact as the actor may read it: sensitive fields left out (not nulled: absent means "not for you"). */
export function omitSensitive<T extends Record<string, unknown>>(row: T, sensitiveCustomKeys: readonly string[]): T {
  const out: Record<string, unknown> = { ...row };
  for (const f of sensitiveContactFields) delete out[f];
  delete out['age'];
  const cf = out['customFields'];
  if (cf && typeof cf === 'object' && sensitiveCustomKeys.length) {
    const kept: Record<string, unknown> = { ...(cf as Record<string, unknown>) };
    for (const k of sensitiveCustomKeys) delete kept[k];
    out['customFields'] = kept;
  }
  return out as T;
}

/**
 * An audit event's changes as the actor may read them: for a contact, the sensitive fields' before and
 * after values left out, in the custom fields too, and in the snapshot an import rollback keeps. A
 * change that touched only sensitive fields keeps its event (who and when are not sensitive) with
 * nothing in it.
 */
export function omitSensitiveChanges(entity: string, changes: Record<string, unknown>, sensitiveCustomKeys: readonly string[]): Record<string, unknown> {
  if (entity !== 'contact') return changes;
  const out = omitSensitive(changes, []);
  const cf = out['customFields'];
  if (Array.isArray(cf) && sensitiveCustomKeys.length) {
    const strip = (v: unknown) => (v && typeof v === 'object' ? omitSensitive({ customFields: v }, sensitiveCustomKeys)['customFields'] : v);
    const [before, after] = cf.map(strip);
    if (JSON.stringify(before) === JSON.stringify(after)) delete out['customFields'];
    else out['customFields'] = [before, after];
  }
  const meta = out['_meta'];
  if (meta && typeof meta === 'object' && 'restored' in meta) {
    const restored = (meta as Record<string, unknown>)['restored'];
    out['_meta'] = { ...meta, restored: restored && typeof restored === 'object' ? omitSensitive(restored as Record<string, unknown>, sensitiveCustomKeys) : restored };
  }
  return out;
}

/** Refuses a write that touches a sensitive field the actor may not see, naming every such field (403). */
export function assertNoSensitiveWrite(input: Record<string, unknown>, sensitiveCustomKeys: readonly string[]): void {
  const fields: FieldError[] = [];
  for (const f of sensitiveContactFields) {
    if (f in input) fields.push({ field: f, code: 'sensitive_field', message: `Your role may not see or change ${f}.` });
  }
  const cf = input['customFields'];
  if (cf && typeof cf === 'object') {
    for (const k of sensitiveCustomKeys) {
      if (k in cf) fields.push({ field: `customFields.${k}`, code: 'sensitive_field', message: `Your role may not see or change customFields.${k}.` });
    }
  }
  if (fields.length) throw new AppError('forbidden', `Your role may not change ${fields.map((f) => f.field).join(', ')}.`, fields);
}

/** An import mapping (one target per column) that would write a sensitive field: refused (403) for roles that may not see it. */
export function assertNoSensitiveMapping(mapping: readonly (string | null)[]): void {
  const fields: FieldError[] = [];
  mapping.forEach((target, i) => {
    if (target && (sensitiveContactFields as readonly string[]).includes(target)) {
      fields.push({ field: `mapping.${i}`, code: 'sensitive_field', message: `Your role may not import ${target}.` });
    }
  });
  if (fields.length) throw new AppError('forbidden', 'Your role may not import sensitive fields; ignore those columns.', fields);
}

/** A custom field flagged sensitive is hidden from some roles, who could never fill it in. */
export function assertSensitiveOptional(def: { isSensitive?: boolean | undefined; isRequired?: boolean | undefined }): void {
  if (def.isSensitive && def.isRequired) {
    throw new AppError('validation', 'A sensitive field cannot be required.', [{ field: 'isRequired', code: 'sensitive_required', message: 'A sensitive field is hidden from some roles, so it cannot be required.' }]);
  }
}

// ── Purchases and replies ────────────────────────────────────────────────────

/** An inbound email counts as the answer to an outbound one when it comes within this window after it. */
export const REPLY_WINDOW_DAYS = 7;
const DAY_MS = 86_400_000;

export type EmailFact = { direction: 'inbound' | 'outbound'; at: Date };
export type ReplyStats = { sent: number; answered: number; pending: number; replyRate: number | null };

/**
 * Reply rate of a contact's logged emails (docs/profile.md): an outbound email is answered when an
 * inbound email from the contact follows it within REPLY_WINDOW_DAYS (one inbound answers every
 * outbound it follows within the window: a reply to a thread answers the thread). An unanswered
 * outbound whose window is still open is pending and left out of the rate, so a message sent
 * yesterday does not count as ignored. replyRate = answered / (sent − pending), null when nothing
 * is decided yet.
 */
export function replyStats(emails: readonly EmailFact[], now: Date, windowDays = REPLY_WINDOW_DAYS): ReplyStats {
  const windowMs = windowDays * DAY_MS;
  const inbound = emails.filter((e) => e.direction === 'inbound').map((e) => e.at.getTime()).sort((a, b) => a - b);
  let sent = 0;
  let answered = 0;
  let pending = 0;
  for (const e of emails) {
    if (e.direction !== 'outbound') continue;
    sent += 1;
    const t = e.at.getTime();
    if (inbound.some((i) => i > t && i <= t + windowMs)) answered += 1;
    else if (now.getTime() < t + windowMs) pending += 1;
  }
  const decided = sent - pending;
  return { sent, answered, pending, replyRate: decided > 0 ? answered / decided : null };
}
