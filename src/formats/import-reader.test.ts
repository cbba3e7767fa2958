import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, detectEncoding, detectLayout, findHeaderRow, readDataRows, splitCsvRecords, type FileSource, type SourceRow } from './import-reader.js';

const dir = mkdtempSync(join(tmpdir(), 'import-reader-'));
let n = 0;
const file = (content: string | Buffer) => {
  const p = join(dir, `f${n++}`);
  writeFileSync(p, content);
  return p;
};
async function rowsOf(path: string): Promise<SourceRow[]> {
  const layout = await detectLayout(path);
  const out: SourceRow[] = [];
  for await (const r of readDataRows(path, layout!)) out.push(r);
  return out;
}
async function* chunksOf(...parts: string[]) { for (const p of parts) yield p; }

describe('encoding and separator detection', () => {
  it('takes valid UTF-8 (with or without BOM) as UTF-8 and anything else as Windows-1252', () => {
    expect(detectEncoding(Buffer.from('\uFEFFNombre;Población', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(Buffer.from('Nombre;Población', 'utf8'))).toBe('utf-8');
    expect(detectEncoding(iconv.encode('Nombre;Población;Teléfono', 'win1252'))).toBe('windows-1252');
  });

  it('does not take a UTF-8 character cut at the end of the sample as a wrong encoding', () => {
    const bytes = Buffer.from('Peña', 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1))).toBe('utf-8');
  });

  it('picks the separator that splits every line the same way, ignoring ones inside quotes', () => {
    expect(detectDelimiter('Nombre;Importe\nAna;1.234,50\nLuis;12,00\n')).toBe(';');
    expect(detectDelimiter('name,amount\n"Peña; S.L.",12\nAna,3\n')).toBe(',');
    expect(detectDelimiter('a\tb\tc\n1\t2\t3\n')).toBe('\t');
  });
});

describe('CSV records', () => {
  it('keeps a quoted line break inside its cell, across chunk boundaries', async () => {
    const recs = [];
    for await (const r of splitCsvRecords(chunksOf('a;"calle\nmay', 'or";c\nd;e;f'), ';')) recs.push(r);
    expect(recs).toEqual([
      { line: 1, text: 'a;"calle\nmayor";c', broken: false },
      { line: 3, text: 'd;e;f', broken: false },
    ]);
  });

  it('reports an unclosed quote on its own line and reads the following lines normally', async () => {
    const rows = await rowsOf(file('Nombre;Apellidos;Email\nAna;"Ruiz;ana@x.es\nLuis;Pérez;luis@x.es\nEva;Sanz;eva@x.es\n'));
    expect(rows).toEqual([
      { rowNumber: 2, cells: ['Ana', '"Ruiz', 'ana@x.es'], error: { code: 'broken_quote', message: expect.any(String) } },
      { rowNumber: 3, cells: ['Luis', 'Pérez', 'luis@x.es'] },
      { rowNumber: 4, cells: ['Eva', 'Sanz', 'eva@x.es'] },
    ]);
  });

  it('does not let a stray quote join rows up to the next quoted cell', async () => {
    const rows = await rowsOf(file('a;b;c\nRaúl;"Díaz;1\nEva;Sanz;2\nAna;"Ruiz";3\n'));
    expect(rows.map((r) => [r.rowNumber, r.error?.code ?? 'ok', r.cells[1]])).toEqual([[2, 'broken_quote', '"Díaz'], [3, 'ok', 'Sanz'], [4, 'ok', 'Ruiz']]);
  });

  it('reports a row with missing or extra cells but accepts trailing empty ones', async () => {
    const rows = await rowsOf(file('a,b,c\n1,2\n1,2,3,4\n1,2,3,,\n'));
    expect(rows.map((r) => r.error?.code ?? 'ok')).toEqual(['ragged_row', 'ragged_row', 'ok']);
    expect(rows[2]!.cells).toEqual(['1', '2', '3']);
  });

  it('reads a Windows-1252 file with title rows above the header and CRLF line ends', async () => {
    const text = 'Listado de clientes;;\r\n;;\r\nNombre;Población;Importe\r\nMaría;Cádiz;1.234,50\r\n';
    const path = file(iconv.encode(text, 'win1252'));
    const layout = await detectLayout(path);
    expect(layout).toMatchObject({ format: 'csv', encoding: 'windows-1252', delimiter: ';', headerRow: 3, headers: ['Nombre', 'Población', 'Importe'] });
    expect(await rowsOf(path)).toEqual([{ rowNumber: 4, cells: ['María', 'Cádiz', '1.234,50'] }]);
  });

  it('reads Excel\'s "Texto Unicode" export: UTF-16 with its byte-order mark, tab separated, a character split across chunks', async () => {
    const text = 'Nombre\tPoblación\tTeléfono\r\nMaría José\tA Coruña\t600 111 222\r\nÑuño\tÁvila\t+34 611 000 000\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(detectEncoding(bytes)).toBe('utf-16le');
    const layout = await detectLayout(file(bytes));
    expect(layout).toMatchObject({ format: 'csv', encoding: 'utf-16le', delimiter: '\t', headerRow: 1, headers: ['Nombre', 'Población', 'Teléfono'] });
    // Seven-byte pieces: a stored chunk boundary can fall inside a two-byte character.
    const pieces: FileSource = async function* () { for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7); };
    const rows: SourceRow[] = [];
    for await (const r of readDataRows(pieces, layout!)) rows.push(r);
    expect(rows).toEqual([
      { rowNumber: 2, cells: ['María José', 'A Coruña', '600 111 222'] },
      { rowNumber: 3, cells: ['Ñuño', 'Ávila', '+34 611 000 000'] },
    ]);
  });

  it('finds no header in an empty file and no rows in a header-only file', async () => {
    expect(await detectLayout(file(''))).toBeNull();
    expect(await detectLayout(file('\n\n'))).toBeNull();
    const layout = await detectLayout(file('Nombre;Email\n'));
    expect(layout).toMatchObject({ headers: ['Nombre', 'Email'], sample: [] });
  });

  it('refuses an Excel 97-2003 .xls and other binary files instead of reading a header of garbage', async () => {
    const ole2 = Buffer.alloc(2048, 0x41);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole2);
    await expect(detectLayout(file(ole2))).rejects.toMatchObject({ code: 'legacy_xls' });
    await expect(detectLayout(file(Buffer.from('Nombre;Email\nAna\0;\x01\x02', 'latin1')))).rejects.toMatchObject({ code: 'unreadable' });
  });

  it('takes the first row of text labels as the header, not a data row', () => {
    const rows = [{ cells: ['Clientes'] }, { cells: ['Nombre', 'Teléfono', 'Alta'] }, { cells: ['Ana', '600111222', '01/02/2026'] }];
    expect(findHeaderRow(rows)).toBe(1);
    expect(findHeaderRow([{ cells: ['', ''] }])).toBe(-1);
  });
});

describe('XLSX', () => {
  it('streams the first sheet with dates as dd/mm/yyyy and numbers with a decimal comma', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Clientes');
    ws.addRow(['Nombre', 'Alta', 'Importe', 'Nota']);
    ws.addRow(['Ana', new Date(Date.UTC(2026, 1, 3)), 1234.5]);
    ws.addRow([{ richText: [{ text: 'Lu' }, { text: 'is' }] }, null, 7, 'x']);
    const path = join(dir, 'book.xlsx');
    await wb.xlsx.writeFile(path);
    const layout = await detectLayout(path);
    expect(layout).toMatchObject({ format: 'xlsx', headerRow: 1, headers: ['Nombre', 'Alta', 'Importe', 'Nota'] });
    expect(await rowsOf(path)).toEqual([
      { rowNumber: 2, cells: ['Ana', '03/02/2026', '1234,5', ''] },
      { rowNumber: 3, cells: ['Luis', '', '7', 'x'] },
    ]);
  });
});

describe('a file read from a source of chunks (as stored in the database)', () => {
  /** The bytes handed out `size` at a time, so characters and records fall across chunk edges. */
  const pieces = (bytes: Buffer, size: number) => async function* () {
    for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
  };

  it('reads the same rows as from a file, whatever the chunk edges cut (UTF-8 and Windows-1252)', async () => {
    const text = 'Nombre;Apellidos;Ciudad\r\nÍñigo;Núñez Peña;A Coruña\r\n"Ana ""la de Cádiz""";Muñoz;Jaén\r\n';
    for (const bytes of [Buffer.from(text, 'utf8'), iconv.encode(text, 'win1252')]) {
      const expected = await rowsOf(file(bytes));
      for (const size of [1, 2, 3, 7]) {
        const source = pieces(bytes, size);
        const layout = await detectLayout(source);
        expect(layout?.headers).toEqual(['Nombre', 'Apellidos', 'Ciudad']);
        const rows: SourceRow[] = [];
        for await (const r of readDataRows(source, layout!)) rows.push(r);
        expect(rows).toEqual(expected);
      }
    }
    expect((await rowsOf(file(Buffer.from(text, 'utf8'))))[1]!.cells).toEqual(['Ana "la de Cádiz"', 'Muñoz', 'Jaén']);
  });

  it('reads an XLSX workbook from chunks', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('Hoja').addRows([['Nombre', 'Correo'], ['Íñigo', 'inigo@x.es']]);
    const source = pieces(Buffer.from(await wb.xlsx.writeBuffer() as ArrayBuffer), 1000);
    const layout = await detectLayout(source);
    const rows: SourceRow[] = [];
    for await (const r of readDataRows(source, layout!)) rows.push(r);
    expect(rows.map((r) => r.cells)).toEqual([['Íñigo', 'inigo@x.es']]);
  });
});
