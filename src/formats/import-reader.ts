import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import Papa from 'papaparse';

/**
 * Reads a spreadsheet file for import, one row at a time, so memory stays flat whatever the size.
 * CSV: encoding (UTF-8 with or without BOM, else Windows-1252) and separator (`;` `,` tab) are
 * detected from the first megabyte; XLSX: the first worksheet through exceljs's streaming reader.
 * A row that cannot be read (broken quotes, wrong number of cells) comes out with an `error`
 * instead of stopping the file: the import reports it and carries on.
 */
export type ImportFormat = 'csv' | 'xlsx';
export type ReadErrorCode = 'broken_quote' | 'ragged_row';
export type SourceRow = {
  /** Line (CSV) or row (XLSX) number in the file as a spreadsheet shows it, 1-based. */
  rowNumber: number;
  cells: string[];
  error?: { code: ReadErrorCode; message: string };
};
/**
 * Where a file's bytes come from: opened anew for each pass and read front to back. The import
 * keeps its files in PostgreSQL (any app instance can read them); a path is the local case.
 */
export type FileSource = () => AsyncIterable<Uint8Array>;
export const fileSource = (path: string): FileSource => () => createReadStream(path, { highWaterMark: 256 * 1024 });
const sourceOf = (file: FileSource | string): FileSource => (typeof file === 'string' ? fileSource(file) : file);

export type FileLayout = {
  format: ImportFormat;
  encoding: TextEncoding | null;
  delimiter: string | null;
  /** Number of the header row; rows above it (titles) are skipped. */
  headerRow: number;
  headers: string[];
  /** The first data rows, for the mapping screen. */
  sample: SourceRow[];
};

const SAMPLE_BYTES = 1 << 20;
const HEADER_SEARCH_ROWS = 30;
const SAMPLE_ROWS = 20;
/** A quoted cell running over more lines than this is taken as an unclosed quote, not a long note. */
const MAX_LINES_IN_CELL = 20;
const MAX_RECORD_CHARS = 64 * 1024;
const DELIMITERS = [';', ',', '\t'] as const;

async function readHead(source: FileSource, bytes: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of source()) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= bytes) break; // leaving the loop closes the source
  }
  return Buffer.concat(parts).subarray(0, bytes);
}

const isZip = (head: Buffer) => head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
/** The OLE2 compound file of Excel 97–2003 (.xls): not readable here, but worth telling apart from garbage. */
const isLegacyExcel = (head: Buffer) => head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]));

/** Why a file cannot be read at all: an old .xls workbook, or binary content that is no CSV text. */
export class UnreadableFileError extends Error {
  constructor(readonly code: 'legacy_xls' | 'unreadable', message: string) { super(message); }
}

export type TextEncoding = 'utf-8' | 'windows-1252' | 'utf-16le';

/**
 * Excel's "Texto Unicode (*.txt)" export: UTF-16 little-endian with its byte-order mark, tab
 * separated. It is the one text file of ours with NUL bytes, so it is told apart by its mark.
 */
const isUtf16le = (head: Buffer) => head.length >= 2 && head[0] === 0xff && head[1] === 0xfe;

/**
 * UTF-16 by its byte-order mark; UTF-8 when the sample decodes strictly (an incomplete last
 * character is fine); else Windows-1252.
 */
export function detectEncoding(sample: Buffer): TextEncoding {
  if (isUtf16le(sample)) return 'utf-16le';
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/** Counts a character outside double quotes on each line of the sample; the steadiest non-zero count wins. */
export function detectDelimiter(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, HEADER_SEARCH_ROWS);
  let best: { d: string; score: number } = { d: ',', score: 0 };
  for (const d of DELIMITERS) {
    const counts = new Map<number, number>();
    for (const line of lines) {
      let n = 0;
      let quoted = false;
      for (const ch of line) {
        if (ch === '"') quoted = !quoted;
        else if (ch === d && !quoted) n++;
      }
      if (n > 0) counts.set(n, (counts.get(n) ?? 0) + 1);
    }
    for (const [n, freq] of counts) {
      const score = freq * 1000 + n;
      if (score > best.score) best = { d, score };
    }
  }
  return best.d;
}

type RawRecord = { line: number; text: string; broken: boolean };

/**
 * Splits decoded CSV text into records (one or more physical lines when a quoted cell holds line
 * breaks). A quote opens only at the start of a cell, as in RFC 4180; a quote that is still open
 * after MAX_LINES_IN_CELL lines (or at the end of the file) is reported on its own line, and reading
 * restarts on the next line, so one stray quote cannot swallow the rest of the file. `accept`
 * judges a record spanning several lines (e.g. by its number of cells); a refused one is treated
 * the same way.
 */
export async function* splitCsvRecords(chunks: AsyncIterable<string>, delimiter: string, accept?: (multiLine: string) => boolean): AsyncGenerator<RawRecord> {
  const DQ = 34;
  const NL = 10;
  const delim = delimiter.charCodeAt(0);
  let text = '';
  let i = 0;
  let start = 0;
  let line = 1;
  let startLine = 1;
  let inQuotes = false;
  let fieldStart = true;
  let firstBreak = -1;
  let linesInside = 0;

  const record = (end: number) => {
    const raw = text.slice(start, end);
    return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  };
  // Rewinds to just after the first line of the open record and reports that line as broken.
  const rewind = (): RawRecord => {
    const broken: RawRecord = { line: startLine, text: record(firstBreak), broken: true };
    i = firstBreak + 1;
    start = i;
    line = startLine + 1;
    startLine = line;
    inQuotes = false;
    fieldStart = true;
    firstBreak = -1;
    linesInside = 0;
    return broken;
  };

  const scan = function* (final: boolean): Generator<RawRecord> {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (inQuotes) {
        if (c === DQ) {
          if (i + 1 >= text.length && !final) return; // need the next character to tell "" from "
          if (text.charCodeAt(i + 1) === DQ) { i += 2; continue; }
          inQuotes = false;
        } else if (c === NL) {
          if (firstBreak < 0) firstBreak = i;
          linesInside++;
          line++;
          if (linesInside > MAX_LINES_IN_CELL || i - start > MAX_RECORD_CHARS) { yield rewind(); continue; }
        }
        i++;
        continue;
      }
      if (c === NL) {
        // A quote that closed lines later, on another row's quoted cell, joined rows: not a real record.
        if (firstBreak >= 0 && accept && !accept(record(i))) { yield rewind(); continue; }
        yield { line: startLine, text: record(i), broken: false };
        i++;
        line++;
        start = i;
        startLine = line;
        fieldStart = true;
        firstBreak = -1;
        linesInside = 0;
        continue;
      }
      if (c === DQ && fieldStart) inQuotes = true;
      fieldStart = c === delim;
      i++;
    }
  };

  for await (const chunk of chunks) {
    text += chunk;
    yield* scan(false);
    text = text.slice(start);
    i -= start;
    firstBreak = firstBreak >= 0 ? firstBreak - start : -1;
    start = 0;
  }
  yield* scan(true);
  while (inQuotes && firstBreak >= 0) {
    yield rewind();
    yield* scan(true);
  }
  if (inQuotes) {
    yield { line: startLine, text: record(text.length), broken: true };
  } else if (start < text.length) {
    yield { line: startLine, text: record(text.length), broken: false };
  }
}

/** The cells of one record: a plain split when it has no quotes (the common, fast case), papaparse otherwise. */
export function parseCsvRecord(text: string, delimiter: string): { cells: string[]; malformed: boolean } {
  if (!text.includes('"')) return { cells: text.split(delimiter), malformed: false };
  const res = Papa.parse<string[]>(text, { delimiter, newline: '\n' });
  const cells = res.data.length > 1 ? res.data.flat() : res.data[0] ?? [];
  return { cells, malformed: res.errors.length > 0 };
}

const decodeText = (bytes: Buffer, encoding: TextEncoding) =>
  (encoding === 'windows-1252' ? iconv.decode(bytes, 'win1252') : new TextDecoder(encoding).decode(bytes));

async function* decodedChunks(source: FileSource, encoding: TextEncoding): AsyncGenerator<string> {
  if (encoding !== 'windows-1252') {
    // Drops the BOM itself, and keeps a character split across two chunks whole.
    const decoder = new TextDecoder(encoding);
    for await (const buf of source()) yield decoder.decode(buf, { stream: true });
    yield decoder.decode();
  } else {
    for await (const buf of source()) yield iconv.decode(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength), 'win1252');
  }
}

const isBlankRow = (cells: readonly string[]) => cells.every((c) => c.trim() === '');
const looksLikeValue = (s: string) => /^[\d\s.,+\-/:()€$%]+$/.test(s) || /@/.test(s);

/**
 * The header row: the first row with at least two filled cells, none of which looks like a value
 * (a number, a date, an email), and at least half as many filled cells as the widest row nearby.
 * Title rows above it ("Listado de clientes 2026") have one cell and are skipped.
 */
export function findHeaderRow(rows: readonly { cells: readonly string[] }[]): number {
  const filled = rows.map((r) => r.cells.filter((c) => c.trim() !== ''));
  const widest = Math.max(0, ...filled.map((f) => f.length));
  if (widest === 0) return -1;
  const idx = filled.findIndex((f) => f.length >= Math.min(2, widest) && f.length * 2 >= widest && !f.some((c) => looksLikeValue(c.trim())));
  return idx >= 0 ? idx : filled.findIndex((f) => f.length > 0);
}

async function* csvRows(source: FileSource, encoding: TextEncoding, delimiter: string, width?: number): AsyncGenerator<SourceRow> {
  const accept = width === undefined ? undefined : (text: string) => {
    const { cells, malformed } = parseCsvRecord(text, delimiter);
    while (cells.length > width && cells[cells.length - 1]!.trim() === '') cells.pop();
    return !malformed && cells.length === width;
  };
  for await (const rec of splitCsvRecords(decodedChunks(source, encoding), delimiter, accept)) {
    if (rec.broken) {
      yield { rowNumber: rec.line, cells: rec.text.split(delimiter), error: { code: 'broken_quote', message: 'A quoted cell is never closed.' } };
      continue;
    }
    const { cells, malformed } = parseCsvRecord(rec.text, delimiter);
    if (malformed) yield { rowNumber: rec.line, cells, error: { code: 'broken_quote', message: 'A quote inside a cell is malformed.' } };
    else yield { rowNumber: rec.line, cells };
  }
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** XLSX cell values as the text a Spanish spreadsheet shows: dates dd/mm/yyyy, decimal comma. */
export function xlsxCellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v).replace('.', ',') : '';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return `${pad2(v.getUTCDate())}/${pad2(v.getUTCMonth() + 1)}/${v.getUTCFullYear()}`;
  if (typeof v === 'object') {
    const o = v as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return xlsxCellText(o.result);
    if (o.text !== undefined) return xlsxCellText(o.text);
  }
  return '';
}

async function* xlsxRows(source: FileSource): AsyncGenerator<SourceRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(source(), { objectMode: false }), { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'emit' });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = (row.values as unknown[]).slice(1);
      const cells: string[] = [];
      for (let k = 0; k < values.length; k++) cells.push(xlsxCellText(values[k]));
      yield { rowNumber: row.number, cells };
    }
    return; // only the first worksheet is imported
  }
}

/** Every row of the file from the top, as read (no header handling). */
function allRows(source: FileSource, layout: Pick<FileLayout, 'format' | 'encoding' | 'delimiter'>, width?: number): AsyncGenerator<SourceRow> {
  return layout.format === 'xlsx' ? xlsxRows(source) : csvRows(source, layout.encoding ?? 'utf-8', layout.delimiter ?? ',', width);
}

/** Marks rows whose number of cells differs from the header (extra empty cells at the end are fine). */
function checkWidth(row: SourceRow, width: number, format: ImportFormat): SourceRow {
  if (row.error) return row;
  let cells = row.cells;
  // A spreadsheet row simply has no cell where it is empty; only CSV can be short of separators.
  if (format === 'xlsx' && cells.length < width) cells = [...cells, ...Array<string>(width - cells.length).fill('')];
  while (cells.length > width && cells[cells.length - 1]!.trim() === '') cells = cells.slice(0, -1);
  if (cells.length === width) return cells === row.cells ? row : { ...row, cells };
  return { ...row, cells, error: { code: 'ragged_row', message: `The row has ${cells.length} cells but the header has ${width}.` } };
}

/**
 * Detects the layout of a file from its first rows: format, encoding, separator, header row and a
 * sample of data rows. Returns null for a file with nothing in it; throws UnreadableFileError for
 * an Excel 97–2003 workbook or other binary content (a NUL byte is never in a CSV of ours), which
 * read as text would give a header of garbage.
 */
export async function detectLayout(file: FileSource | string): Promise<FileLayout | null> {
  const source = sourceOf(file);
  const head = await readHead(source, SAMPLE_BYTES);
  let layout: Pick<FileLayout, 'format' | 'encoding' | 'delimiter'>;
  if (isZip(head)) layout = { format: 'xlsx', encoding: null, delimiter: null };
  else if (isLegacyExcel(head)) throw new UnreadableFileError('legacy_xls', 'The file is an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV.');
  else if (head.includes(0) && !isUtf16le(head)) throw new UnreadableFileError('unreadable', 'The file is binary, neither a CSV nor an XLSX workbook.');
  else {
    const encoding = detectEncoding(head);
    const text = decodeText(head, encoding);
    layout = { format: 'csv', encoding, delimiter: detectDelimiter(text) };
  }
  const first: SourceRow[] = [];
  for await (const row of allRows(source, layout)) {
    if (!isBlankRow(row.cells)) first.push(row);
    if (first.length >= HEADER_SEARCH_ROWS + SAMPLE_ROWS) break;
  }
  const h = findHeaderRow(first.slice(0, HEADER_SEARCH_ROWS));
  if (h < 0) return null;
  const headerRow = first[h]!;
  let headers = headerRow.cells.map((c) => c.trim());
  while (headers.length > 1 && headers[headers.length - 1] === '') headers = headers.slice(0, -1);
  const sample = first.slice(h + 1, h + 1 + SAMPLE_ROWS).map((r) => checkWidth(r, headers.length, layout.format));
  return { ...layout, headerRow: headerRow.rowNumber, headers, sample };
}

/**
 * The data rows below the header, streamed. Blank rows are skipped; each row has exactly as many
 * cells as the header, or an error saying why not.
 */
export async function* readDataRows(file: FileSource | string, layout: Pick<FileLayout, 'format' | 'encoding' | 'delimiter' | 'headerRow' | 'headers'>): AsyncGenerator<SourceRow> {
  const width = layout.headers.length;
  for await (const row of allRows(sourceOf(file), layout, width)) {
    if (row.rowNumber <= layout.headerRow || isBlankRow(row.cells)) continue;
    yield checkWidth(row, width, layout.format);
  }
}

/** Identifies a file layout by its normalised headers, so the mapping chosen once is offered again. */
export function layoutFingerprint(headers: readonly string[]): string {
  return headers.map((h) => h.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim()).join('|');
}
