import { getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { Actor } from './access.js';
import { forbidden } from './errors.js';

/**
 * Duplicate detection and merge rules: how alike two records are, and which value a merge keeps.
 * Storage finds the candidates (src/db/queries/duplicates.ts); this module decides what they mean.
 */
export type DuplicateEntity = 'contact' | 'company';
export type DuplicateReason = 'email' | 'phone' | 'name' | 'name_company';

/** What storage measured about one candidate against the values being checked. */
export type MatchSignals = {
  sameEmail: boolean;
  samePhone: boolean;
  /** pg_trgm similarity (0–1) of the accent- and case-folded names. */
  nameSimilarity: number;
  /** Both records belong to the same company (same id, or company names alike). Contacts only. */
  sameCompany: boolean;
};

export type DuplicateScore = { score: number; reasons: DuplicateReason[] };

/** Names less alike than this are not a reason on their own (trigram similarity). */
export const NAME_SIMILARITY_MIN = 0.5;
/** Company names at least this alike count as the same company for a contact's "name + company". */
export const COMPANY_SIMILARITY_MIN = 0.6;
/** Candidates under this score are noise: not shown, not listed for review. */
export const MIN_DUPLICATE_SCORE = 40;

/**
 * The probability-like weight of each signal. An email is personal and nearly proves identity; a
 * phone is often shared by a household or a switchboard; a name alone is weak for people (many
 * "José García") but strong for companies, and strong for people inside the same company.
 */
const weights = {
  contact: { email: 0.9, phone: 0.8, name: 0.5, nameCompany: 0.85 },
  company: { email: 0.85, phone: 0.75, name: 0.8, nameCompany: 0.8 },
} as const;

/**
 * Combines the signals as independent evidence: score = 1 − Π(1 − wᵢ), on 0–100. Two weak signals
 * together outrank one of them alone, and no combination exceeds 100.
 */
export function scoreDuplicate(entity: DuplicateEntity, s: MatchSignals): DuplicateScore {
  const w = weights[entity];
  const parts: [DuplicateReason, number][] = [];
  if (s.sameEmail) parts.push(['email', w.email]);
  if (s.samePhone) parts.push(['phone', w.phone]);
  if (s.nameSimilarity >= NAME_SIMILARITY_MIN) {
    // Scaled by similarity so "García López" beats "Garcés López" for the same other signals.
    if (entity === 'contact' && s.sameCompany) parts.push(['name_company', w.nameCompany * s.nameSimilarity]);
    else parts.push(['name', w.name * s.nameSimilarity]);
  }
  const miss = parts.reduce((acc, [, p]) => acc * (1 - p), 1);
  return { score: Math.round(100 * (1 - miss)), reasons: parts.map(([r]) => r) };
}

export const isLikelyDuplicate = (d: DuplicateScore) => d.score >= MIN_DUPLICATE_SCORE;

/**
 * The least name similarity at which a name, with no email or phone in common, can make a pair
 * likely: inside one company (contacts) or alone. A workspace scan compares only names at least
 * this alike, so it never carries pairs scoreDuplicate would drop ("José García López" and "José
 * García Pérez" are 0.6 alike: a weak pair for people, not a duplicate).
 */
export function nameSimilarityFloor(entity: DuplicateEntity, sameCompany: boolean): number {
  const w = weights[entity];
  const weight = entity === 'contact' && sameCompany ? w.nameCompany : w.name;
  // The smallest s with round(100 · weight · s) ≥ MIN_DUPLICATE_SCORE, a hair under so float rounding
  // never filters out a pair the score keeps; never under the name threshold.
  return Math.max(NAME_SIMILARITY_MIN, (MIN_DUPLICATE_SCORE - 0.5) / (100 * weight) - 1e-6);
}

/** The lowercased, trimmed email, or null when empty. */
export function normaliseEmail(raw: string | null | undefined): string | null {
  const e = raw?.trim().toLowerCase();
  return e ? e : null;
}

/**
 * The digit strings a stored phone may have for this input: its E.164 digits and its national
 * digits, because records captured before the phone policy hold "600 111 222" as typed. Storage
 * compares them with the stored phone stripped of everything but digits.
 */
export function phoneDigitVariants(raw: string | null | undefined, defaultCountry: string): string[] {
  if (!raw?.trim()) return [];
  const out = new Set<string>();
  const p = parsePhoneNumberFromString(raw, defaultCountry as CountryCode);
  if (p?.isValid()) {
    out.add(p.number.slice(1));
    out.add(p.nationalNumber);
  }
  // A number that is not valid for the country is still compared as typed (digits only).
  const digits = raw.replace(/\D/g, '');
  if (digits.length >= 6) out.add(digits);
  return [...out];
}

/** The international calling code of a country ('34' for ES), or null for an unknown country. */
export function callingCodeOf(country: string): string | null {
  try {
    return getCountryCallingCode(country as CountryCode);
  } catch {
    return null;
  }
}

/** Fields of a contact or company a merge may take from either record (`fieldChoices` keys). */
export const mergeableFields: Record<DuplicateEntity, readonly string[]> = {
  contact: ['firstName', 'lastName', 'secondLastName', 'jobTitle', 'email', 'phone', 'address', 'postalCode', 'neighbourhood',
    'city', 'region', 'country', 'birthDate', 'maritalStatus', 'occupation', 'contactPreference', 'bestTimeToContact', 'doNotContact', 'lifecycle', 'companyId',
    'ownerId', 'customFields'],
  company: ['name', 'sector', 'employees', 'annualRevenue', 'website', 'email', 'phone', 'address', 'postalCode',
    'neighbourhood', 'city', 'region', 'country', 'ownerId', 'customFields'],
};

export type FieldChoice = 'keep' | 'merge';

const isEmpty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/**
 * The kept record's new values after a merge: per field, the record the user chose; otherwise the
 * kept record's value unless it is empty. Custom fields merge key by key the same way. A client who
 * asked not to be contacted in either record stays not-to-be-contacted unless the user chose.
 * Answers only the fields that change.
 */
export function mergeValues(
  entity: DuplicateEntity,
  keep: Record<string, unknown>,
  merged: Record<string, unknown>,
  choices: Partial<Record<string, FieldChoice>> = {},
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of mergeableFields[entity]) {
    const choice = choices[field];
    let value: unknown;
    if (field === 'customFields' && choice === undefined) {
      const k = (keep[field] ?? {}) as Record<string, unknown>;
      const m = (merged[field] ?? {}) as Record<string, unknown>;
      const combined: Record<string, unknown> = { ...k };
      for (const [key, v] of Object.entries(m)) if (isEmpty(combined[key])) combined[key] = v;
      value = combined;
    } else if (field === 'doNotContact' && choice === undefined) {
      value = keep[field] === true || merged[field] === true;
    } else if (choice === 'merge') {
      value = merged[field];
    } else if (choice === 'keep') {
      value = keep[field];
    } else {
      value = isEmpty(keep[field]) ? merged[field] : keep[field];
    }
    if (JSON.stringify(value ?? null) !== JSON.stringify(keep[field] ?? null)) out[field] = value ?? null;
  }
  return out;
}

/** How long a merge can be undone; after it the merged record is purged. */
export const MERGE_UNDO_DAYS = 30;
const DAY_MS = 86_400_000;

export const mergeUndoDeadline = (mergedAt: Date) => new Date(mergedAt.getTime() + MERGE_UNDO_DAYS * DAY_MS);

/** A merge can be undone until 30 whole days have passed, and only once. */
export function canUndoMerge(m: { mergedAt: Date; undoneAt: Date | null; purgedAt: Date | null }, now: Date): boolean {
  return m.undoneAt === null && m.purgedAt === null && now.getTime() <= mergeUndoDeadline(m.mergedAt).getTime();
}

/** A candidate pair in a stable order, so (a, b) and (b, a) are one pair for dismissals. */
export function orderedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}

/**
 * Who may merge (or undo a merge of) two records: admins and managers, who look after the client
 * base, or a salesperson who owns both, since nobody else's records change.
 */
export function assertCanMerge(actor: Actor, keepOwnerId: string | null, mergedOwnerId: string | null): void {
  if (actor.role === 'admin' || actor.role === 'manager') return;
  if (keepOwnerId === actor.userId && mergedOwnerId === actor.userId) return;
  throw forbidden('Only a manager, an admin or the owner of both records can merge them.');
}
