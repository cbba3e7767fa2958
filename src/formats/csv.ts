/**
 * CSV for spreadsheets: UTF-8 with a BOM (so Excel reads accents), comma separated, CRLF, RFC 4180
 * quoting. A text cell starting with = + - @ (or tab / CR) is prefixed with an apostrophe so a
 * spreadsheet shows it as text instead of running it as a formula (CSV injection, OWASP).
 */
export type Cell = string | number | boolean | null | undefined | Date;

const FORMULA_START = /^[=+\-@\t\r]/;

export function safeText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

function cellText(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = safeText(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function encodeCsv(columns: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const lines = [columns.map((c) => cellText(c)).join(','), ...rows.map((r) => r.map(cellText).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
