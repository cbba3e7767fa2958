/**
 * Instant search: what kind of thing a person typed. A phone is matched by its digits whatever the
 * format ("612 34 56 78", "+34 612-345-678", "0034612345678"), an email by its text, anything else
 * as (part of) a name, accent- and case-insensitively (the database folds accents with unaccent).
 */
export type SearchQuery =
  | { kind: 'phone'; digits: string }
  | { kind: 'email'; text: string }
  | { kind: 'name'; text: string };

export const MIN_QUERY_LENGTH = 2;
export const MAX_QUERY_LENGTH = 100;

const phoneShaped = /^[+(]?[\d\s().\-/]+$/;

/** Null when there is nothing worth searching (too short once trimmed). */
export function classifyQuery(raw: string): SearchQuery | null {
  const q = raw.replace(/\s+/g, ' ').trim().slice(0, MAX_QUERY_LENGTH);
  if (q.length < MIN_QUERY_LENGTH) return null;
  if (phoneShaped.test(q)) {
    let digits = q.replace(/\D/g, '');
    // An international prefix written as 00 is the same number as with +.
    if (digits.startsWith('00')) digits = digits.slice(2);
    // Fewer than 4 digits would match half the workspace: treat it as text.
    if (digits.length >= 4) return { kind: 'phone', digits };
  }
  if (q.includes('@')) return { kind: 'email', text: q.toLowerCase() };
  return { kind: 'name', text: q };
}

/**
 * The digits to look for inside stored phones (E.164, "+34612345678"): a national number typed with
 * its trunk 0 ("0612…" in some countries) is looked for without it, so it still matches.
 */
export function phoneNeedle(digits: string): string {
  return digits.length > 6 && digits.startsWith('0') ? digits.slice(1) : digits;
}

/**
 * Whole numbers the typed digits may stand for, to compare with stored phones on equality (an
 * index can serve that): as typed, without a trunk 0, and with the workspace's calling code.
 */
export function phoneCandidates(digits: string, callingCode: string | null): string[] {
  const needle = phoneNeedle(digits);
  const out = [digits, needle];
  if (callingCode && !needle.startsWith(callingCode)) out.push(callingCode + needle);
  return [...new Set(out)];
}
