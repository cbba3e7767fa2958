/**
 * Values as Spanish spreadsheets write them. Each parser answers the clean value or a reason code,
 * never throws: the import reports the reason with the row.
 */
export type Parsed<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (code: string, message: string): Parsed<never> => ({ ok: false, code, message });

const pad2 = (n: number) => String(n).padStart(2, '0');
const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();

/**
 * A calendar date: dd/mm/yyyy (also with - or . and one-digit day or month), dd/mm/yy (00–49 →
 * 2000s), or ISO yyyy-mm-dd. The day must exist: 31/02/2026 and 29/02/2027 are errors.
 * Answers yyyy-mm-dd.
 */
export function parseSpanishDate(raw: string): Parsed<string> {
  const s = raw.trim();
  let d: number;
  let m: number;
  let y: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else if ((match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2}|\d{4})$/.exec(s))) {
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
    if (match[3]!.length === 2) y += y < 50 ? 2000 : 1900;
  } else {
    return fail('invalid_date', `"${s}" is not a date (dd/mm/yyyy).`);
  }
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m) || y < 1800 || y > 2200) {
    return fail('invalid_date', `${s} is not a real calendar date.`);
  }
  return ok(`${y}-${pad2(m)}-${pad2(d)}`);
}

/**
 * An amount with a decimal comma and thousands dots (1.234,56), also tolerating the English form
 * (1,234.56): when both marks appear, the last one is the decimal mark; a lone dot followed by
 * exactly three digits groups thousands (1.234 = 1234, as in Spain). Currency signs and spaces are
 * ignored.
 */
export function parseDecimal(raw: string): Parsed<number> {
  let s = raw.replace(/[\s\u00a0€$£]|EUR|eur/g, '');
  if (s === '') return fail('invalid_number', 'The number is empty.');
  const negative = /^-/.test(s) || /^\(.*\)$/.test(s);
  s = s.replace(/^[-(]|\)$/g, '');
  if (!/^[\d.,]+$/.test(s)) return fail('invalid_number', `"${raw.trim()}" is not a number.`);
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  let normal: string;
  if (lastComma >= 0 && lastDot >= 0) {
    const decimal = lastComma > lastDot ? ',' : '.';
    const group = decimal === ',' ? '.' : ',';
    if (s.indexOf(decimal) !== s.lastIndexOf(decimal)) return fail('invalid_number', `"${raw.trim()}" is not a number.`);
    normal = s.split(group).join('').replace(decimal, '.');
  } else if (lastComma >= 0) {
    if (s.indexOf(',') !== lastComma) {
      if (!/^\d{1,3}(,\d{3})+$/.test(s)) return fail('invalid_number', `"${raw.trim()}" is not a number.`);
      normal = s.replaceAll(',', '');
    } else normal = s.replace(',', '.');
  } else if (lastDot >= 0) {
    normal = /^\d{1,3}(\.\d{3})+$/.test(s) ? s.replaceAll('.', '') : s;
    if (normal.indexOf('.') !== normal.lastIndexOf('.')) return fail('invalid_number', `"${raw.trim()}" is not a number.`);
  } else normal = s;
  const n = Number(normal);
  if (!Number.isFinite(n)) return fail('invalid_number', `"${raw.trim()}" is not a number.`);
  return ok(negative ? -n : n);
}

/**
 * A phone number as typed. Letters are refused here with their own reason (a name typed in the
 * phone column, "600 11 22 AB"); the capture policy then normalises what is left to E.164.
 */
export function checkPhoneText(raw: string): Parsed<string> {
  const s = raw.trim();
  if (/\p{L}/u.test(s.replace(/\b(ext|extensi[oó]n|x)\.?\s*\d+$/i, ''))) return fail('phone_has_letters', `"${s}" has letters; a phone number has only digits.`);
  return ok(s);
}

const countryNames: Record<string, string> = {
  espana: 'ES', spain: 'ES', portugal: 'PT', francia: 'FR', france: 'FR', alemania: 'DE', germany: 'DE', italia: 'IT', italy: 'IT',
  mexico: 'MX', argentina: 'AR', chile: 'CL', colombia: 'CO', peru: 'PE', ecuador: 'EC', uruguay: 'UY',
  'reino unido': 'GB', 'united kingdom': 'GB', 'estados unidos': 'US', 'united states': 'US', usa: 'US',
};

/** An ISO 3166 alpha-2 code from a code or a common country name ("España" → ES). */
export function parseCountry(raw: string): Parsed<string> {
  const s = raw.trim();
  if (/^[A-Za-z]{2}$/.test(s)) return ok(s.toUpperCase());
  const code = countryNames[s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()];
  return code ? ok(code) : fail('invalid_country', `"${s}" is not a country we know; use its two-letter code (ES, PT…).`);
}
