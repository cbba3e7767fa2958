/**
 * CSV for spreadsheets, the one place Seguimiento writes CSV (metrics tables, list exports).
 *
 * - UTF-8 with a BOM, so Excel reads accents (García, Peñalver) instead of guessing Windows-1252.
 * - Two dialects. `rfc4180` (default): `,` between cells and `.` in decimals, what scripts and
 *   English-locale spreadsheets expect. `excel-es`: `;` between cells and `,` in decimals, what
 *   Excel and LibreOffice with a Spanish (or most European) locale split and read as numbers on
 *   double-click. The list exports default to `excel-es` because the UI is Spanish-first; `sep=;`
 *   is not written because Excel then ignores the BOM and breaks the accents.
 * - CRLF line ends, RFC 4180 quoting.
 * - Dates: a date-only value stays `YYYY-MM-DD`; an instant is written `YYYY-MM-DD HH:MM:SS` in the
 *   given time zone (ISO 8601 with a space, which spreadsheets recognise as a date-time; the zone
 *   is the workspace's, as everywhere in the UI).
 * - Formula injection (OWASP "CSV injection"): a text cell starting with = + - @ tab or CR is
 *   prefixed with an apostrophe, so a spreadsheet shows it instead of running it. Numbers are
 *   passed as numbers and never prefixed, so -5 stays a number.
 */
import { zoneOffsetMs } from '../domain/today.js';

export type Cell = string | number | boolean | null | undefined | Date;
export type CsvDialect = 'rfc4180' | 'excel-es';
export type CsvOptions = { dialect?: CsvDialect; timeZone?: string };

const FORMULA_START = /^[=+\-@\t\r]/;

export function safeText(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** The wall-clock time of an instant in a time zone as `YYYY-MM-DD HH:MM:SS`. */
export function localDateTime(d: Date, timeZone = 'UTC'): string {
  const l = new Date(d.getTime() + zoneOffsetMs(d, timeZone));
  return `${l.getUTCFullYear()}-${pad(l.getUTCMonth() + 1)}-${pad(l.getUTCDate())} ${pad(l.getUTCHours())}:${pad(l.getUTCMinutes())}:${pad(l.getUTCSeconds())}`;
}

function cellText(v: Cell, o: Required<CsvOptions>): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? '' : localDateTime(v, o.timeZone);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return '';
    return o.dialect === 'excel-es' ? String(v).replace('.', ',') : String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  const s = safeText(v);
  const sep = o.dialect === 'excel-es' ? ';' : ',';
  return s.includes(sep) || /["\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const withDefaults = (o: CsvOptions = {}): Required<CsvOptions> => ({ dialect: o.dialect ?? 'rfc4180', timeZone: o.timeZone ?? 'UTC' });

/** One CSV line (with its CRLF) of already ordered cells. */
export function csvLine(cells: readonly Cell[], options?: CsvOptions): string {
  const o = withDefaults(options);
  return `${cells.map((c) => cellText(c, o)).join(o.dialect === 'excel-es' ? ';' : ',')}\r\n`;
}

export const CSV_BOM = '\uFEFF';

/** A whole CSV file in memory: for small tables (metrics). Large lists stream with csvLine. */
export function encodeCsv(columns: readonly string[], rows: readonly (readonly Cell[])[], options?: CsvOptions): string {
  return CSV_BOM + csvLine(columns, options) + rows.map((r) => csvLine(r, options)).join('');
}

/**
 * A CSV file streamed as the rows arrive: the reader pulls, and each pull encodes up to 200 rows,
 * so memory stays flat and a slow download slows the database reads instead of piling up rows.
 */
export function encodeCsvStream(columns: readonly string[], rows: AsyncIterable<readonly Cell[]>, options?: CsvOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = rows[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvLine(columns, options)));
        return;
      }
      let chunk = '';
      for (let i = 0; i < 200; i++) {
        const next = await it.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += csvLine(next.value, options);
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() { await it.return?.(undefined); },
  });
}
