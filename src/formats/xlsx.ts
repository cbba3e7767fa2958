import ExcelJS from 'exceljs';
import { safeText, type Cell } from './csv.js';

/** One-sheet XLSX workbook; text cells are guarded against formula injection like the CSV. */
export async function encodeXlsx(sheetName: string, columns: readonly string[], rows: readonly (readonly Cell[])[]): Promise<Uint8Array> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(sheetName.slice(0, 31) || 'Sheet1');
  ws.addRow([...columns]).font = { bold: true };
  for (const r of rows) ws.addRow(r.map((v) => (typeof v === 'string' ? safeText(v) : v ?? null)));
  const buf = await wb.xlsx.writeBuffer();
  return new Uint8Array(buf as ArrayBuffer);
}
