import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { addLoggedInUser, setupWorkspace, testApp, type Client, type TestApp } from './harness.js';

// The exports opened by the real spreadsheet program: LibreOffice Calc, headless (installed by
// .ci/run). One file, because LibreOffice is slow to start.
const run = promisify(execFile);

let t: TestApp;
let admin: Client;
let dir: string;

/** Converts with its own profile dir, so a desktop LibreOffice or a parallel run cannot interfere. */
async function soffice(args: string[]) {
  await run('soffice', [`-env:UserInstallation=${pathToFileURL(join(dir, 'profile')).href}`, '--headless', '--norestore', ...args, '--outdir', join(dir, 'out')], { timeout: 120_000 });
}

async function download(path: string, file: string) {
  const res = await t.app.request(path, { headers: { cookie: admin.cookie } });
  expect(res.status).toBe(200);
  writeFileSync(join(dir, file), new Uint8Array(await res.arrayBuffer()));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'seg-roundtrip-'));
  t = await testApp();
  let workspaceId: string;
  ({ admin, workspaceId } = await setupWorkspace(t));
  const luis = (await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@garcia.es', role: 'sales' })).c;
  await admin.post('/api/v1/custom-fields', { entity: 'contact', key: 'budget', label: 'Presupuesto', type: 'number' });
  const co = await luis.post('/api/v1/companies', { name: 'Muebles Peñalver; S.L.' });
  // The birth date is a sensitive field: by default only admins and managers may write it.
  const carmen = await admin.post('/api/v1/contacts', {
    firstName: 'Carmen', lastName: 'García', secondLastName: 'Peñalver', birthDate: '1980-05-17', companyId: co.body.id, customFields: { budget: 1500.5 },
  });
  await luis.post('/api/v1/contacts', { firstName: '=HYPERLINK("http://evil.example","clic")', lastName: 'Núñez' });
  await luis.post('/api/v1/leads', { title: 'Sofá de piel', contactId: carmen.body.id, amount: 1234.56, expectedCloseDate: '2026-12-15' });
  await download('/api/v1/contacts/export?format=csv', 'contactos.csv');
  await download('/api/v1/leads/export?format=xlsx', 'prospectos.xlsx');
}, 120_000);
afterAll(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('exports opened in LibreOffice Calc', () => {
  it('read the CSV as a Spanish user would: accents intact, numbers and dates recognised, the formula kept as text', async () => {
    // 59 = ';', 34 = '"', 76 = UTF-8, from line 1, es-ES (3082) numbers, detect special numbers (dates).
    await soffice(['--infilter=CSV:59,34,76,1,,3082,false,true', '--convert-to', 'xlsx', join(dir, 'contactos.csv')]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'out', 'contactos.xlsx'));
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const cell = (row: number, name: string) => ws.getRow(row).getCell(header.indexOf(name) + 1);
    const rowOf = (first: string) => [2, 3].find((r) => String(cell(r, 'Nombre').value).includes(first))!;
    const carmen = rowOf('Carmen');
    expect(cell(carmen, 'Primer apellido').value).toBe('García');
    expect(cell(carmen, 'Segundo apellido').value).toBe('Peñalver');
    expect(cell(carmen, 'Empresa').value).toBe('Muebles Peñalver; S.L.');
    expect(cell(carmen, 'Presupuesto').value).toBe(1500.5);
    expect(cell(carmen, 'Fecha de nacimiento').value).toEqual(new Date(Date.UTC(1980, 4, 17)));
    const evil = cell(rowOf('HYPERLINK'), 'Nombre');
    expect(evil.type).toBe(ExcelJS.ValueType.String);
    expect(evil.formula).toBeUndefined();
    expect(String(evil.value)).toContain('=HYPERLINK("http://evil.example","clic")');
  }, 180_000);

  it('read the XLSX with real dates and numbers, and the formula-looking name as its literal text', async () => {
    // 44 = ',', 34 = '"', 76 = UTF-8: the values as Calc shows them.
    await soffice(['--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', join(dir, 'prospectos.xlsx')]);
    const text = readFileSync(join(dir, 'out', 'prospectos.csv'), 'utf8').replace(/^\uFEFF/, '');
    const rows = Papa.parse<string[]>(text.trim()).data;
    const at = (name: string) => rows[1]![rows[0]!.indexOf(name)];
    expect(at('Título')).toBe('Sofá de piel');
    expect(at('Contacto')).toBe('Carmen García Peñalver');
    expect(at('Importe')).toBe('1234.56');
    expect(at('Cierre previsto')).toBe('2026-12-15');
    expect(at('No contactar')).toBe('FALSE');
    expect(at('Creado')).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$/);

    // And the contact with a formula for a name, through XLSX too: Calc shows the text, not "clic".
    await download('/api/v1/contacts/export?format=xlsx&q=hyperlink', 'formula.xlsx');
    await soffice(['--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', join(dir, 'formula.xlsx')]);
    const contact = Papa.parse<string[]>(readFileSync(join(dir, 'out', 'formula.csv'), 'utf8').trim()).data;
    expect(contact[1]![0]).toBe('=HYPERLINK("http://evil.example","clic")');
    expect(contact[1]![1]).toBe('Núñez');
  }, 180_000);
});
