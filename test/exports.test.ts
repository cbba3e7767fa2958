import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { parseVcards, unescapeText } from '../src/formats/vcard.js';
import { addLoggedInUser, Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let luis: { id: string; c: Client };
let sara: { id: string; c: Client };
let workspaceId: string;

/** Downloads with the client's cookie and parses the `;` CSV (BOM stripped) into rows. */
async function csvOf(c: Client, path: string): Promise<{ status: number; headers: Headers; rows: string[][]; raw: Uint8Array }> {
  const res = await t.app.request(path, { headers: { cookie: c.cookie } });
  const raw = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(raw).replace(/^\uFEFF/, '');
  const parsed = Papa.parse<string[]>(text, { delimiter: res.headers.get('content-type')?.includes('csv') && text.split('\r\n')[0]!.includes(';') ? ';' : ',' });
  return { status: res.status, headers: res.headers, rows: parsed.data.filter((r) => r.length > 1 || r[0] !== ''), raw };
}

const col = (rows: string[][], header: string) => rows.slice(1).map((r) => r[rows[0]!.indexOf(header)]);

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  luis = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@garcia.es', role: 'sales' });
  sara = await addLoggedInUser(t, workspaceId, { name: 'Sara López', email: 'sara@garcia.es', role: 'sales' });
  expect((await admin.post('/api/v1/custom-fields', { entity: 'contact', key: 'budget', label: 'Presupuesto', type: 'number' })).status).toBe(201);
  const co = await luis.c.post('/api/v1/companies', { name: 'Talleres Peñalver, S.L.', employees: 12, annualRevenue: 250000.75 });
  const carmen = await luis.c.post('/api/v1/contacts', {
    firstName: 'Carmen', lastName: 'García', secondLastName: 'Peñalver', email: 'carmen@penalver.es', phone: '+34 600 111 222',
    companyId: co.body.id, customFields: { budget: 1500.5 }, city: 'Sevilla',
  });
  // The birth date is a sensitive field: sales neither send nor see it (docs/profile.md).
  expect((await admin.patch(`/api/v1/contacts/${carmen.body.id}`, { birthDate: '1980-05-17' })).status).toBe(200);
  const hacker = await luis.c.post('/api/v1/contacts', { firstName: '=HYPERLINK("http://evil.example","clic")', lastName: 'Ruiz', doNotContact: true });
  await sara.c.post('/api/v1/contacts', { firstName: 'Álvaro', lastName: 'Núñez', lifecycle: 'client' });
  await luis.c.post('/api/v1/leads', { title: 'Sofá; tres plazas', contactId: carmen.body.id, amount: 1234.56, expectedCloseDate: '2026-12-15' });
  await luis.c.post('/api/v1/leads', { title: 'Armario empotrado', contactId: hacker.body.id, amount: 300 });
  await sara.c.post('/api/v1/leads', { title: 'Mesa de Sara', amount: 50 });
});
afterAll(async () => { await t.close(); });

describe('list exports as CSV', () => {
  it('stream every matching contact with a BOM, ; separators, decimal commas, ISO dates and custom fields as columns', async () => {
    const r = await csvOf(admin, '/api/v1/contacts/export?format=csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect([...r.raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(r.rows[0]!.slice(0, 3)).toEqual(['Nombre', 'Primer apellido', 'Segundo apellido']);
    expect(r.rows[0]!.at(-1)).toBe('Presupuesto');
    expect(r.rows).toHaveLength(4);
    const carmen = r.rows.find((x) => x[0] === 'Carmen')!;
    expect(carmen[r.rows[0]!.indexOf('Presupuesto')]).toBe('1500,5');
    expect(carmen[r.rows[0]!.indexOf('Fecha de nacimiento')]).toBe('1980-05-17');
    expect(carmen[r.rows[0]!.indexOf('Empresa')]).toBe('Talleres Peñalver, S.L.');
    expect(carmen[r.rows[0]!.indexOf('Teléfono')]).toMatch(/^'\+34 ?600 ?111 ?222$/);
    expect(carmen[r.rows[0]!.indexOf('Creado')]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('neutralise a formula in a name and mark people who asked not to be contacted', async () => {
    const r = await csvOf(admin, '/api/v1/contacts/export');
    expect(col(r.rows, 'Nombre')).toContain(`'=HYPERLINK("http://evil.example","clic")`);
    expect(col(r.rows, 'No contactar').sort()).toEqual(['no', 'no', 'sí']);
  });

  it('leave out people who asked not to be contacted, and their leads, from an export for a campaign', async () => {
    const contacts = await csvOf(admin, '/api/v1/contacts/export?purpose=campaign');
    expect(col(contacts.rows, 'Nombre').sort()).toEqual(['Carmen', 'Álvaro']);
    const leads = await csvOf(admin, '/api/v1/leads/export?purpose=campaign');
    expect(col(leads.rows, 'Título').sort()).toEqual(['Mesa de Sara', 'Sofá; tres plazas']);
    const all = await csvOf(admin, '/api/v1/leads/export');
    expect(col(all.rows, 'Título')).toHaveLength(3);
  });

  it('apply the list filters, search and the ownership of leads exactly like the list', async () => {
    const mine = await csvOf(luis.c, '/api/v1/leads/export');
    expect(col(mine.rows, 'Título').sort()).toEqual(['Armario empotrado', 'Sofá; tres plazas']);
    const searched = await csvOf(admin, '/api/v1/contacts/export?q=penalver');
    expect(col(searched.rows, 'Nombre')).toEqual(['Carmen']);
    const clients = await csvOf(admin, '/api/v1/contacts/export?lifecycle=client&lang=en&delimiter=comma');
    expect(clients.rows[0]![0]).toBe('First name');
    expect(col(clients.rows, 'First name')).toEqual(['Álvaro']);
    const amounts = await csvOf(admin, '/api/v1/leads/export?amountMin=100&delimiter=comma&lang=en');
    expect(col(amounts.rows, 'Amount').sort()).toEqual(['1234.56', '300']);
  });

  it('write status, lifecycle and next action type as the words the app shows, in the language asked for', async () => {
    await t.deps.database.query(`UPDATE lead SET next_action_type = 'visit', next_action_at = now() WHERE workspace_id = $1 AND title = 'Mesa de Sara'`, [workspaceId]);
    const es = await csvOf(admin, '/api/v1/leads/export');
    expect(col(es.rows, 'Estado')).toEqual(['Abierto', 'Abierto', 'Abierto']);
    expect(col(es.rows, 'Tipo de próxima acción')).toContain('Visita');
    const en = await csvOf(admin, '/api/v1/leads/export?lang=en');
    expect(col(en.rows, 'Status')).toEqual(['Open', 'Open', 'Open']);
    expect(col(en.rows, 'Next action type')).toContain('Visit');
    const contacts = await csvOf(admin, '/api/v1/contacts/export');
    expect(col(contacts.rows, 'Ciclo de vida').sort()).toEqual(['Cliente', 'Prospecto', 'Prospecto']);
    expect(col(contacts.rows, 'Estado del registro')).toEqual(['Activo', 'Activo', 'Activo']);
    const contactsEn = await csvOf(admin, '/api/v1/contacts/export?lang=en&format=csv');
    expect(col(contactsEn.rows, 'Lifecycle').sort()).toEqual(['Client', 'Prospect', 'Prospect']);
  });

  it('refuse an unknown filter or format with a problem rather than a broken file', async () => {
    const bad = await admin.get('/api/v1/contacts/export?colour=red');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ code: 'unknown_field' });
    expect((await admin.get('/api/v1/leads/export?format=vcard')).status).toBe(422);
    const badValue = await admin.get('/api/v1/leads/export?amountMin=lots');
    expect(badValue.status).toBe(422);
    expect(badValue.body.errors[0]).toMatchObject({ field: 'amountMin' });
  });

  it('page through more rows than one query reads, without losing or repeating any', async () => {
    const values = Array.from({ length: 520 }, (_, i) => `('${workspaceId}', 'Serie ${String(i).padStart(3, '0')}', 'Lote', 'prospect')`).join(',');
    await t.deps.database.query(`INSERT INTO contact (workspace_id, first_name, last_name, lifecycle) VALUES ${values}`);
    const r = await csvOf(admin, '/api/v1/contacts/export?q=serie');
    const names = col(r.rows, 'Nombre');
    expect(names).toHaveLength(520);
    expect(new Set(names).size).toBe(520);
  });
});

describe('list exports as XLSX', () => {
  it('write numbers as numbers, dates as dates and a formula-looking name as plain text', async () => {
    const res = await t.app.request('/api/v1/leads/export?format=xlsx', { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.name).toBe('Prospectos');
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const sofa = ws.getRows(2, ws.rowCount - 1)!.find((row) => row.getCell(1).value === 'Sofá; tres plazas')!;
    expect(sofa.getCell(header.indexOf('Importe') + 1).value).toBe(1234.56);
    const close = sofa.getCell(header.indexOf('Cierre previsto') + 1);
    expect(close.value).toEqual(new Date(Date.UTC(2026, 11, 15)));
    expect(close.numFmt).toBe('yyyy-mm-dd');
    expect(sofa.getCell(header.indexOf('No contactar') + 1).value).toBe(false);

    const contacts = await t.app.request('/api/v1/contacts/export?format=xlsx&q=hyperlink', { headers: { cookie: admin.cookie } });
    const wb2 = new ExcelJS.Workbook();
    await wb2.xlsx.load(await contacts.arrayBuffer());
    const cell = wb2.worksheets[0]!.getRow(2).getCell(1);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe('=HYPERLINK("http://evil.example","clic")');
  });
});

describe('contacts as vCard', () => {
  it('download the filtered contacts as vCard 4.0, and one contact on its own', async () => {
    const res = await t.app.request('/api/v1/contacts/export?format=vcard&q=garcia', { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/vcard; charset=utf-8');
    const cards = parseVcards(await res.text());
    expect(cards).toHaveLength(1);
    const value = (name: string) => cards[0]!.find((p) => p.name === name)?.value;
    expect(unescapeText(value('FN')!)).toBe('Carmen García Peñalver');
    expect(value('N')).toBe('García,Peñalver;Carmen;;;');
    expect(value('ORG')).toBe('Talleres Peñalver\\, S.L.');
    expect(value('TEL')).toBe('tel:+34600111222');

    const list = await admin.get('/api/v1/contacts?q=hyperlink');
    const one = await t.app.request(`/api/v1/contacts/${list.body.data[0].id}/vcard`, { headers: { cookie: admin.cookie } });
    const text = await one.text();
    expect(one.headers.get('content-disposition')).toMatch(/\.vcf"$/);
    expect(parseVcards(text)[0]!.find((p) => p.name === 'NOTE')?.value).toBe('No desea ser contactado.');
  });
});
