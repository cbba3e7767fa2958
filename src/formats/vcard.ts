/**
 * vCard 4.0 (RFC 6350) for contacts: one card, or many cards one after another in one file
 * (a `.vcf` that address books import in one go).
 *
 * - Text values escape `\`, `,`, `;` and newlines (§3.4); N and ADR are structured values whose
 *   components are separated by `;` and whose repeated values (two surnames) by `,`.
 * - Lines are folded at 75 octets with CRLF + space (§3.2), never inside a UTF-8 character.
 * - TEL is a `tel:` URI (§6.4.1, RFC 3966) when the number is in international form, else text.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

export type VcardContact = {
  id?: string | null;
  firstName: string;
  lastName?: string | null;
  secondLastName?: string | null;
  companyName?: string | null;
  jobTitle?: string | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
  postalCode?: string | null;
  city?: string | null;
  region?: string | null;
  country?: string | null;
  birthDate?: string | null;
  note?: string | null;
  updatedAt?: Date | null;
};

/** Escapes a text value (RFC 6350 §3.4). */
export function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/,/g, '\\,').replace(/;/g, '\\;').replace(/\r\n|\r|\n/g, '\\n');
}

const MAX_OCTETS = 75;
const encoder = new TextEncoder();

/** Folds one content line at 75 octets (the CRLF not counted); continuation lines start with a space. */
export function foldLine(line: string): string {
  if (encoder.encode(line).length <= MAX_OCTETS) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = encoder.encode(ch).length;
    // The first line holds 75 octets; each continuation 74 plus its leading space.
    const limit = parts.length === 0 ? MAX_OCTETS : MAX_OCTETS - 1;
    if (octets + n > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const structured = (components: (string | null | undefined | (string | null | undefined)[])[]) =>
  components.map((c) => (Array.isArray(c) ? c : [c]).filter((v): v is string => !!v).map(escapeText).join(',')).join(';');

/** A phone as a tel: URI when it can be read as an international number (with the default country for local ones). */
export function telUri(phone: string, defaultCountry?: string): string | null {
  const parsed = parsePhoneNumberFromString(phone, defaultCountry as CountryCode | undefined);
  return parsed?.isPossible() ? `tel:${parsed.number}` : null;
}

const compact = (d: string) => d.replace(/-/g, '');
const timestamp = (d: Date) => `${d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;

/** One vCard, with CRLF line ends, ending with CRLF. */
export function encodeVcard(c: VcardContact, options: { defaultCountry?: string } = {}): string {
  const fn = [c.firstName, c.lastName, c.secondLastName].filter(Boolean).join(' ');
  const lines = ['BEGIN:VCARD', 'VERSION:4.0', `FN:${escapeText(fn)}`, `N:${structured([[c.lastName, c.secondLastName], c.firstName, '', '', ''])}`];
  if (c.id) lines.push(`UID:urn:uuid:${c.id}`);
  if (c.companyName) lines.push(`ORG:${escapeText(c.companyName)}`);
  if (c.jobTitle) lines.push(`TITLE:${escapeText(c.jobTitle)}`);
  if (c.email) lines.push(`EMAIL:${escapeText(c.email)}`);
  if (c.phone) {
    const uri = telUri(c.phone, options.defaultCountry ?? c.country ?? undefined);
    lines.push(uri ? `TEL;VALUE=uri:${uri}` : `TEL:${escapeText(c.phone)}`);
  }
  if (c.address || c.city || c.postalCode || c.region || c.country) {
    lines.push(`ADR:${structured(['', '', c.address, c.city, c.region, c.postalCode, c.country])}`);
  }
  if (c.birthDate && /^\d{4}-\d{2}-\d{2}$/.test(c.birthDate)) lines.push(`BDAY:${compact(c.birthDate)}`);
  if (c.note) lines.push(`NOTE:${escapeText(c.note)}`);
  if (c.updatedAt) lines.push(`REV:${timestamp(c.updatedAt)}`);
  lines.push('END:VCARD');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}

export type ParsedProperty = { name: string; params: Record<string, string>; value: string };

function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\\' && i + 1 < s.length) { cur += ch + s[i + 1]; i++; continue; }
    if (ch === sep) { out.push(cur); cur = ''; continue; }
    cur += ch;
  }
  out.push(cur);
  return out;
}

/** Reverses escapeText. */
export function unescapeText(s: string): string {
  return s.replace(/\\([\\,;nN])/g, (_, ch: string) => (ch === 'n' || ch === 'N' ? '\n' : ch));
}

/** The components of a structured value (N, ADR), each a list of its comma-separated values. */
export function structuredValue(value: string): string[][] {
  return splitUnescaped(value, ';').map((component) => splitUnescaped(component, ',').map(unescapeText));
}

/** Reads cards back: unfolds lines and returns each card's properties (values still escaped). */
export function parseVcards(text: string): ParsedProperty[][] {
  const lines = text.replace(/\r\n[ \t]/g, '').split(/\r\n/).filter((l) => l !== '');
  const cards: ParsedProperty[][] = [];
  let card: ParsedProperty[] | null = null;
  for (const line of lines) {
    const colon = line.indexOf(':');
    const [name = '', ...params] = line.slice(0, colon).split(';');
    const prop: ParsedProperty = {
      name: name.toUpperCase(),
      params: Object.fromEntries(params.map((p) => { const [k = '', v = ''] = p.split('='); return [k.toUpperCase(), v]; })),
      value: line.slice(colon + 1),
    };
    if (prop.name === 'BEGIN') card = [];
    else if (prop.name === 'END') { if (card) cards.push(card); card = null; }
    else card?.push(prop);
  }
  return cards;
}
