import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { zoneOffsetMs } from '../domain/today.js';
import type { Cell } from './csv.js';

/**
 * XLSX for spreadsheets, beside the CSV in ./csv.ts. Cells are typed, so a spreadsheet never
 * guesses: numbers are numbers, dates are real dates (serials with a date format), and text is
 * stored as a string value. A string cell is never evaluated, whatever it starts with, so unlike
 * CSV no apostrophe is added (it would show as part of a phone number like `+34 600…`); a formula
 * only exists in XLSX when written as one, which this module never does.
 */
export type XlsxColumnType = 'text' | 'number' | 'date' | 'datetime' | 'boolean';
export type XlsxColumn = { header: string; type?: XlsxColumnType };
export type XlsxOptions = { timeZone?: string };

const DATE_FORMAT = 'yyyy-mm-dd';
const DATETIME_FORMAT = 'yyyy-mm-dd hh:mm';
const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The value ExcelJS should write. Excel has no time zones: an instant becomes the wall-clock time of
 * `timeZone` (what the user sees in the app), and a `YYYY-MM-DD` date its day at 00:00.
 */
export function xlsxValue(v: Cell, type: XlsxColumnType | undefined, timeZone: string): ExcelJS.CellValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : new Date(v.getTime() + zoneOffsetMs(v, timeZone));
  if (typeof v === 'string' && type === 'date') {
    const m = dateOnly.exec(v);
    if (m) return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  }
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

const numFmtOf = (v: Cell, type: XlsxColumnType | undefined): string | undefined =>
  type === 'date' ? DATE_FORMAT : v instanceof Date || type === 'datetime' ? DATETIME_FORMAT : undefined;

function addRow(ws: ExcelJS.Worksheet, columns: readonly XlsxColumn[], cells: readonly Cell[], timeZone: string): ExcelJS.Row {
  const row = ws.addRow(cells.map((v, i) => xlsxValue(v, columns[i]?.type, timeZone)));
  cells.forEach((v, i) => {
    const fmt = numFmtOf(v, columns[i]?.type);
    if (fmt && v !== null && v !== undefined) row.getCell(i + 1).numFmt = fmt;
  });
  return row;
}

const asColumns = (columns: readonly (string | XlsxColumn)[]): XlsxColumn[] =>
  columns.map((c) => (typeof c === 'string' ? { header: c } : c));

/** The header row stays in view while scrolling. */
const sheetOptions: Partial<ExcelJS.AddWorksheetOptions> = { views: [{ state: 'frozen', ySplit: 1 }] };

function setUpSheet(ws: ExcelJS.Worksheet, columns: readonly XlsxColumn[]) {
  ws.columns = columns.map((c) => ({ width: Math.min(40, Math.max(10, c.header.length + 2)) }));
}

const sheetTitle = (name: string) => name.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Sheet1';

/** A one-sheet workbook in memory: for small tables (metrics). Large lists use streamXlsx. */
export async function encodeXlsx(sheetName: string, columns: readonly (string | XlsxColumn)[], rows: readonly (readonly Cell[])[], options: XlsxOptions = {}): Promise<Uint8Array> {
  const cols = asColumns(columns);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetTitle(sheetName), sheetOptions);
  setUpSheet(ws, cols);
  ws.addRow(cols.map((c) => c.header)).font = { bold: true };
  for (const r of rows) addRow(ws, cols, r, options.timeZone ?? 'UTC');
  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}

const drainedOrClosed = (s: PassThrough) => new Promise<void>((resolve) => {
  const done = () => { s.off('drain', done); s.off('close', done); resolve(); };
  s.on('drain', done);
  s.on('close', done);
});

const MAX_BACKLOG_BYTES = 1 << 20;

/**
 * Sheet XML written by ExcelJS's worksheet writer but not yet compressed: its stream hands chunks to
 * the zip's input without waiting, so they queue there (ExcelJS internals, read defensively: if
 * they change, this answers 0 and only the reader's backpressure remains).
 */
type PipeState = { _writableState?: { length?: number } };
function sheetBacklog(ws: ExcelJS.Worksheet): number {
  const stream = (ws as unknown as { stream?: { pipes?: PipeState[] } }).stream;
  return Array.isArray(stream?.pipes) ? stream.pipes.reduce((n, p) => n + (p._writableState?.length ?? 0), 0) : 0;
}

/**
 * A one-sheet workbook written row by row as the rows arrive, with flat memory: rows are committed
 * (serialised and zipped) at once, strings are inline rather than shared, and the producer waits
 * whenever the reader has not taken what was written yet.
 */
export function streamXlsx(sheetName: string, columns: readonly XlsxColumn[], rows: AsyncIterable<readonly Cell[]>, options: XlsxOptions = {}): Readable {
  const out = new PassThrough();
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet(sheetTitle(sheetName), sheetOptions);
  setUpSheet(ws, columns);
  const timeZone = options.timeZone ?? 'UTC';
  void (async () => {
    const header = ws.addRow(columns.map((c) => c.header));
    header.font = { bold: true };
    header.commit();
    let n = 0;
    for await (const r of rows) {
      addRow(ws, columns, r, timeZone).commit();
      if (++n % 200 === 0) {
        if (out.writableNeedDrain) await drainedOrClosed(out);
        // ExcelJS queues the sheet XML for the zip without backpressure; wait for the zip to catch up.
        while (sheetBacklog(ws) > MAX_BACKLOG_BYTES && !out.destroyed) await new Promise((r) => setTimeout(r, 2));
      }
      // The reader went away (download cancelled): stop reading rows from the database.
      if (out.destroyed) return;
    }
    ws.commit();
    await wb.commit();
  })().catch((e: unknown) => out.destroy(e as Error));
  return out;
}
