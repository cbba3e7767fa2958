import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { and, eq, like, sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { openDatabase, type Database } from '../src/db/client.js';
import { auditEvent, company, contact, importFileChunk, lead } from '../src/db/schema.js';
import { findImport } from '../src/db/queries/imports.js';
import { IMPORT_CHUNK_BYTES } from '../src/db/queries/imports.js';
import { IMPORT_NAME_CANDIDATES } from '../src/domain/import/row.js';
import { buildApp } from '../src/http/app.js';
import type { Deps } from '../src/http/context.js';
import { queueImport, runImport, storeUpload } from '../src/jobs/import.js';
import { runRetention } from '../src/jobs/retention.js';
import { drainJobs } from '../src/jobs/worker.js';
import { addLoggedInUser, Client, engine, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let adminId: string;
let dataDir: string;

const db = () => t.deps.database.db;

/** The imports whose file is kept (in the database: no instance's disk holds it). */
const storedFiles = async () => (await db().selectDistinct({ id: importFileChunk.importId }).from(importFileChunk)
  .where(eq(importFileChunk.workspaceId, workspaceId))).map((r) => r.id);

async function upload(c: Client, name: string, body: string | Uint8Array) {
  const res = await t.app.request(`/api/v1/imports?fileName=${encodeURIComponent(name)}`, {
    method: 'POST', body, headers: { cookie: c.cookie, 'x-csrf-token': c.csrf, 'content-type': 'application/octet-stream' },
  });
  return { status: res.status, body: await res.json() as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
}

/** Polls the import until the background job has finished with it. */
async function settled(c: Client, id: string) {
  for (let i = 0; i < 200; i++) {
    const r = await c.get(`/api/v1/imports/${id}`);
    if (['done', 'failed'].includes(r.body.status)) return r.body;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error('import did not finish');
}

const contactsWhere = async (emailLike: string) => db().select().from(contact)
  .where(and(eq(contact.workspaceId, workspaceId), like(contact.email, emailLike)));

// A messy export from a Spanish Excel: Windows-1252, `;`, a title row, dd/mm/yyyy, decimal comma,
// surnames in one column, phones in mixed formats, a duplicate, and four bad rows.
const messyLines = [
  'Listado de clientes (exportado 22/11/2026);;;;;;;;;;',
  'Nombre;Apellidos;Teléfono;Móvil;Correo;C.P.;Población;Empresa;Fecha de nacimiento;Importe;Origen',
  'María;García López;91 123 45 67;;maria.garcia@example.es;28001;Madrid;Muebles Sol S.L.;15/03/1980;1.234,50;Feria',
  'José Luis;Martínez Ruiz;;600 111 222;jl.martinez@example.es;41001;Sevilla;;01/02/1975;250;Web',
  'Ángela;Núñez;+34 622 33 44 55;;ANGELA@EXAMPLE.ES;08001;Barcelona;Muebles Sol S.L.;;3.000;Feria',
  'María;García López;911234567;;Maria.Garcia@example.es;28001;Madrid;Muebles Sol S.L.;15/03/1980;1.234,50;Feria',
  'Pedro;Sánchez;600-444-555;;;46001;Valencia;;;;',
  'Lucía;Gómez;600555666',
  'Raúl;"Díaz;600777888;;raul@example.es;28002;Madrid;;;;',
  'Elena;Torres Vidal;;;elena@example.es;29001;Málaga;;31/02/2026;100;Feria',
  'Andrés;Molina;600 11 22 AB;;andres@example.es;30001;Murcia;;;;',
  'Carmen;de la Fuente Ruiz;;;carmen@example.es;47001;Valladolid;;;"2.500,00";Web',
  '',
];
const messyCsv = iconv.encode(messyLines.join('\r\n'), 'win1252');

beforeAll(async () => {
  t = await testApp();
  dataDir = mkdtempSync(join(tmpdir(), 'seguimiento-imports-'));
  t.deps.config = { ...t.deps.config, dataDir };
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  for (const [name, kind] of [['Feria', 'fair'], ['Web', 'website']]) {
    expect((await admin.post('/api/v1/sources', { name, kind })).status).toBe(201);
  }
  // A contact typed before phone normalisation existed: the import must find it by its digits.
  await db().insert(contact).values({ workspaceId, firstName: 'Pedro', lastName: 'Sánchez', phone: '600 444 555', ownerId: adminId });
});
afterAll(async () => { await t.close(); });

describe('importing a messy Spanish spreadsheet', () => {
  let first: string;

  it('detects the layout and suggests the mapping from Spanish headers', async () => {
    const r = await upload(admin, 'clientes.csv', messyCsv);
    expect(r.status).toBe(201);
    first = r.body.id;
    expect(r.body).toMatchObject({
      format: 'csv', encoding: 'windows-1252', delimiter: ';', headerRow: 2, status: 'uploaded', mappingRemembered: false,
      mapping: ['firstName', 'surnames', 'phone', 'mobile', 'email', 'postalCode', 'city', 'companyName', 'birthDate', 'amount', 'source'],
    });
    expect(r.body.headers[2]).toBe('Teléfono');
    expect(await storedFiles()).toContain(first);
    expect(existsSync(join(dataDir, 'imports'))).toBe(false);
  });

  it('previews the first rows with the capture policy result of each', async () => {
    expect((await admin.patch(`/api/v1/imports/${first}`, { createLeads: true, upsertKey: 'email' })).status).toBe(200);
    const r = await admin.get(`/api/v1/imports/${first}/preview?limit=6`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((x: { rowNumber: number; ok: boolean }) => [x.rowNumber, x.ok])).toEqual([[3, true], [4, true], [5, true], [6, true], [7, true], [8, false]]);
    expect(r.body.data[0].values).toMatchObject({ firstName: 'María', lastName: 'García', secondLastName: 'López', phone: '+34911234567', birthDate: '1980-03-15', companyName: 'Muebles Sol S.L.' });
    expect(r.body.data[0].values.lead).toMatchObject({ amount: 1234.5 });
    expect(r.body.data[5].errors[0]).toMatchObject({ field: '(row)', code: 'ragged_row' });
  });

  it('dry-runs every row without writing anything', async () => {
    const before = (await db().select({ n: sql<number>`count(*)::int` }).from(contact).where(eq(contact.workspaceId, workspaceId)))[0]!.n;
    const r = await admin.post(`/api/v1/imports/${first}/dry-run`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ totalRows: 10, validRows: 6, rejectedRows: 4 });
    expect(r.body.rejects.map((x: { rowNumber: number; reasons: { code: string }[] }) => [x.rowNumber, x.reasons.map((e) => e.code)])).toEqual([
      [8, ['ragged_row']], [9, ['broken_quote']], [10, ['invalid_date']], [11, ['phone_has_letters']],
    ]);
    const after = (await db().select({ n: sql<number>`count(*)::int` }).from(contact).where(eq(contact.workspaceId, workspaceId)))[0]!.n;
    expect(after).toBe(before);
  });

  it('imports every good row, merges the duplicate, updates the contact found by phone and reports every bad row', async () => {
    const run = await admin.post(`/api/v1/imports/${first}/run`);
    expect(run.status).toBe(202);
    const done = await settled(admin, first);
    expect(done).toMatchObject({ status: 'done', totalRows: 10, processedRows: 10, createdCount: 4, updatedCount: 1, duplicateCount: 1, rejectedCount: 4, leadsCreated: 5 });
    const maria = await contactsWhere('maria.garcia@example.es');
    expect(maria).toHaveLength(1);
    expect(maria[0]).toMatchObject({ firstName: 'María', lastName: 'García', secondLastName: 'López', phone: '+34911234567', postalCode: '28001', birthDate: '1980-03-15' });
    expect((await contactsWhere('angela@example.es'))[0]!.companyId).toBe(maria[0]!.companyId);
    expect((await contactsWhere('carmen@example.es'))[0]).toMatchObject({ lastName: 'de la Fuente', secondLastName: 'Ruiz' });
    const pedro = await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.firstName, 'Pedro')));
    expect(pedro).toHaveLength(1);
    expect(pedro[0]).toMatchObject({ phone: '+34600444555', city: 'Valencia', version: 2 });
    const companies = await db().select().from(company).where(and(eq(company.workspaceId, workspaceId), eq(company.name, 'Muebles Sol S.L.')));
    expect(companies).toHaveLength(1);
    const leads = await db().select().from(lead).where(eq(lead.workspaceId, workspaceId));
    expect(leads).toHaveLength(5);
    expect(leads.find((l) => l.contactId === maria[0]!.id)).toMatchObject({ amount: 1234.5, status: 'open', nextActionType: 'call' });
    const audits = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entityId, maria[0]!.id)));
    expect(audits.map((a) => a.action)).toEqual(['create']);
    expect(audits[0]!.changes).toMatchObject({ firstName: [null, 'María'], _meta: { importId: first, rowNumber: 3 } });
    expect(await storedFiles()).not.toContain(first);
  });

  it('offers the rejected rows as a CSV with the row, the reason and the original values', async () => {
    const res = await t.app.request(`/api/v1/imports/${first}/rejects.csv`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    // Spanish by default, as the screen that links to it.
    expect(res.headers.get('content-disposition')).toContain('clientes-rechazadas.csv');
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('fila;motivo;Nombre;Apellidos;Teléfono;Móvil;Correo;C.P.;Población;Empresa;Fecha de nacimiento;Importe;Origen');
    expect(lines).toHaveLength(5);
    expect(lines[1]).toBe('8;La fila no tiene el mismo número de columnas que la cabecera.;Lucía;Gómez;600555666');
    expect(lines[3]).toMatch(/^10;Fecha de nacimiento: Fecha que no existe o no es dd\/mm\/aaaa\.;Elena;/);
    expect(lines[4]).toMatch(/^11;Teléfono: El teléfono tiene letras\.;/);

    const en = await t.app.request(`/api/v1/imports/${first}/rejects.csv?lang=en`, { headers: { cookie: admin.cookie } });
    expect(en.headers.get('content-disposition')).toContain('clientes-rejected.csv');
    const enLines = (await en.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(enLines[0]).toBe('row;reason;Nombre;Apellidos;Teléfono;Móvil;Correo;C.P.;Población;Empresa;Fecha de nacimiento;Importe;Origen');
    expect(enLines[1]).toBe("8;The row has 3 cells but the header has 11.;Lucía;Gómez;600555666");
    expect(enLines[3]).toMatch(/^10;Fecha de nacimiento \(birthDate\): 31\/02\/2026 is not a real calendar date\.;Elena;/);
    expect(enLines[4]).toMatch(/^11;"Teléfono \(phone\): ""600 11 22 AB"" has letters/);
  });

  it('remembers the mapping for the same layout and creates nothing on a second import', async () => {
    const again = await upload(admin, 'clientes (2).csv', messyCsv);
    expect(again.body.mappingRemembered).toBe(true);
    await admin.patch(`/api/v1/imports/${again.body.id}`, { createLeads: true });
    await admin.post(`/api/v1/imports/${again.body.id}/run`);
    const done = await settled(admin, again.body.id);
    expect(done).toMatchObject({ status: 'done', createdCount: 0, updatedCount: 0, unchangedCount: 5, duplicateCount: 1, rejectedCount: 4, leadsCreated: 0 });
    expect(await contactsWhere('maria.garcia@example.es')).toHaveLength(1);
    expect(await db().select().from(lead).where(eq(lead.workspaceId, workspaceId))).toHaveLength(5);
  });

  it('rolls back what an import created and puts back what it changed', async () => {
    const r = await admin.post(`/api/v1/imports/${first}/rollback`);
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('rolled_back');
    expect(await contactsWhere('%@example.es')).toHaveLength(0);
    expect(await db().select().from(company).where(eq(company.workspaceId, workspaceId))).toHaveLength(0);
    expect(await db().select().from(lead).where(eq(lead.workspaceId, workspaceId))).toHaveLength(0);
    const pedro = await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.firstName, 'Pedro')));
    expect(pedro[0]).toMatchObject({ phone: '600 444 555', city: null });
    expect((await admin.post(`/api/v1/imports/${first}/rollback`)).status).toBe(409);
  });
});

describe('an import stopped midway', () => {
  it('keeps whole batches, resumes from its checkpoint and ends as if never stopped', async () => {
    const csv = ['Nombre,Email', ...Array.from({ length: 10 }, (_, i) => `Persona ${i + 1},p${i + 1}@kill.es`)].join('\n');
    const up = await upload(admin, 'kill.csv', csv);
    const id = up.body.id;
    await expect(runImport(t.deps, workspaceId, id, adminId, {
      batchSize: 3, beforeCommit: (batch) => { if (batch === 2) throw new Error('killed'); },
    })).rejects.toThrow('killed');
    const stopped = (await admin.get(`/api/v1/imports/${id}`)).body;
    expect(stopped).toMatchObject({ status: 'failed', processedRows: 3, createdCount: 3, lastError: 'killed' });
    expect(await contactsWhere('%@kill.es')).toHaveLength(3);

    expect((await admin.post(`/api/v1/imports/${id}/run`)).status).toBe(202);
    expect(await settled(admin, id)).toMatchObject({ status: 'done', processedRows: 10, createdCount: 10, rejectedCount: 0 });
    expect((await contactsWhere('%@kill.es')).map((c) => c.firstName).sort()).toHaveLength(10);

    expect((await admin.post(`/api/v1/imports/${id}/rollback`)).status).toBe(200);
    expect(await contactsWhere('%@kill.es')).toHaveLength(0);
  });
});

describe('other files and bad input', () => {
  it('imports an XLSX workbook with real dates and numbers, matching on an external id', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Clientes');
    ws.addRow(['Código cliente', 'Nombre', 'Apellidos', 'E-mail', 'Fecha de nacimiento', 'Importe']);
    ws.addRow(['C-1', 'Nuria', 'Vidal Soler', 'nuria@xlsx.es', new Date(Date.UTC(1990, 5, 1)), 1500.25]);
    ws.addRow(['C-2', 'Óscar', 'Ramos', null, null, 80]);
    const file = new Uint8Array(await wb.xlsx.writeBuffer() as ArrayBuffer);
    const up = await upload(admin, 'clientes.xlsx', file);
    expect(up.body).toMatchObject({ format: 'xlsx', mapping: ['externalId', 'firstName', 'surnames', 'email', 'birthDate', 'amount'] });
    await admin.patch(`/api/v1/imports/${up.body.id}`, { upsertKey: 'externalId' });
    await admin.post(`/api/v1/imports/${up.body.id}/run`);
    expect(await settled(admin, up.body.id)).toMatchObject({ status: 'done', createdCount: 2, rejectedCount: 0 });
    expect((await contactsWhere('nuria@xlsx.es'))[0]).toMatchObject({ lastName: 'Vidal', secondLastName: 'Soler', birthDate: '1990-06-01' });

    ws.getRow(3).getCell(2).value = 'Óscar Luis';
    const changed = new Uint8Array(await wb.xlsx.writeBuffer() as ArrayBuffer);
    const again = await upload(admin, 'clientes.xlsx', changed);
    await admin.patch(`/api/v1/imports/${again.body.id}`, { upsertKey: 'externalId' });
    await admin.post(`/api/v1/imports/${again.body.id}/run`);
    expect(await settled(admin, again.body.id)).toMatchObject({ createdCount: 0, updatedCount: 1, unchangedCount: 1 });
    const oscar = await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.lastName, 'Ramos')));
    expect(oscar.map((c) => c.firstName)).toEqual(['Óscar Luis']);
  });

  it('refuses an empty file, a header-only file and a file over the size limit, each with its reason', async () => {
    const empty = await upload(admin, 'vacio.csv', '');
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0]).toMatchObject({ field: 'file', code: 'empty_file' });
    const headerOnly = await upload(admin, 'cabecera.csv', 'Nombre;Correo\r\n');
    expect(headerOnly.status).toBe(422);
    expect(headerOnly.body.errors[0]).toMatchObject({ field: 'file', code: 'no_rows' });
    const xls = Buffer.alloc(4096, 0x20);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(xls);
    const old = await upload(admin, 'clientes.xls', xls);
    expect(old.status).toBe(422);
    expect(old.body.errors[0]).toMatchObject({ field: 'file', code: 'legacy_xls' });
    const limit = t.deps.config.importMaxBytes;
    t.deps.config = { ...t.deps.config, importMaxBytes: 2048 };
    try {
      const big = await upload(admin, 'grande.csv', `Nombre\n${'Ana\n'.repeat(1000)}`);
      expect(big.status).toBe(413);
    } finally {
      t.deps.config = { ...t.deps.config, importMaxBytes: limit };
    }
    expect(await storedFiles()).toEqual([]);
  });

  it('refuses a mapping without a first name and hides an import from other salespeople', async () => {
    const up = await upload(admin, 'x.csv', 'Nombre;Correo\nAna;ana@x.es\n');
    const bad = await admin.patch(`/api/v1/imports/${up.body.id}`, { mapping: ['email', 'email'] });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { code: string }) => e.code)).toEqual(['duplicate_target', 'no_first_name']);
    const luis = await addLoggedInUser(t, workspaceId, { name: 'Luis', email: 'luis@imports.es', role: 'sales' });
    expect((await luis.c.get(`/api/v1/imports/${up.body.id}`)).status).toBe(403);
    expect((await luis.c.get('/api/v1/imports')).body.data).toEqual([]);
  });
});

describe('duplicates by name and company', () => {
  it('matches the same folded name in the same company, creates and offers for review a name only alike, and undoes both', async () => {
    const co = await admin.post('/api/v1/companies', { name: 'Talleres Ébano' });
    const mj = await admin.post('/api/v1/contacts', { firstName: 'María José', lastName: 'Núñez', secondLastName: 'Pérez', companyId: co.body.id });
    const tomas = await admin.post('/api/v1/contacts', { firstName: 'Tomás', lastName: 'Ortega', secondLastName: 'Gil', email: 'tomas@ebano.es', companyId: co.body.id });
    expect([mj.status, tomas.status]).toEqual([201, 201]);
    const csv = ['Nombre;Apellidos;Correo;Empresa',
      'MARIA JOSE;NUNEZ PEREZ;mj@ebano.es;TALLERES EBANO', // her, accents and case aside: her email is filled in
      'Tomas;Ortega Gil;tomas.ortega@correo.es;talleres ébano', // his name, another email: alike, not him
      'Tomás;Ortega;;Talleres Ebano'].join('\n'); // one surname fewer: alike
    const up = await upload(admin, 'ebano.csv', csv);
    expect(up.body.mapping).toEqual(['firstName', 'surnames', 'email', 'companyName']);
    await admin.post(`/api/v1/imports/${up.body.id}/run`);
    expect(await settled(admin, up.body.id)).toMatchObject({ status: 'done', createdCount: 2, updatedCount: 1, rejectedCount: 0 });
    expect((await admin.get(`/api/v1/contacts/${mj.body.id}`)).body).toMatchObject({ email: 'mj@ebano.es', companyId: co.body.id });
    const created = await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.companyId, co.body.id)));
    expect(created).toHaveLength(4);
    expect(await db().select().from(company).where(and(eq(company.workspaceId, workspaceId), like(company.name, '%bano%')))).toHaveLength(1);
    const review = await admin.get('/api/v1/duplicates?entity=contact');
    const pairs = review.body.data.filter((p: { a: { id: string }; b: { id: string } }) => [p.a.id, p.b.id].includes(tomas.body.id));
    expect(pairs).toHaveLength(2);
    expect(pairs.map((p: { reasons: string[]; score: number }) => [p.reasons, p.score >= 40])).toEqual([[['name_company'], true], [['name_company'], true]]);

    // A second run of the same file finds every row.
    const again = await upload(admin, 'ebano.csv', csv);
    await admin.post(`/api/v1/imports/${again.body.id}/run`);
    expect(await settled(admin, again.body.id)).toMatchObject({ status: 'done', createdCount: 0, updatedCount: 0, unchangedCount: 3 });

    expect((await admin.post(`/api/v1/imports/${up.body.id}/rollback`)).status).toBe(200);
    expect((await admin.get(`/api/v1/contacts/${mj.body.id}`)).body.email).toBeNull();
    const left = (await admin.get('/api/v1/duplicates?entity=contact')).body.data
      .filter((p: { a: { id: string }; b: { id: string } }) => [p.a.id, p.b.id].includes(tomas.body.id));
    expect(left).toEqual([]);
    expect(await t.deps.database.query('SELECT 1 FROM duplicate_pair WHERE workspace_id = $1 AND (record_a_id = $2 OR record_b_id = $2)', [workspaceId, tomas.body.id])).toEqual([]);
  });
});

describe('name + company matching in a large account', () => {
  it('finds the same name however many namesakes the company has and however old the contact is, and offers a name only alike', async () => {
    const [co] = await db().insert(company).values({ workspaceId, name: 'Grupo Ortega', ownerId: adminId }).returning();
    // The person first (the oldest), then more namesakes than the import compares, on both sides of her name.
    await db().insert(contact).values({ workspaceId, firstName: 'Inés', lastName: 'Ortega', secondLastName: 'Gil', companyId: co!.id, ownerId: adminId });
    await db().insert(contact).values(Array.from({ length: 2 * IMPORT_NAME_CANDIDATES + 6 }, (_, i) => ({
      workspaceId, firstName: 'Inés', lastName: 'Ortega', secondLastName: `${i % 2 ? 'Zamora' : 'Abad'} ${String(i).padStart(2, '0')}`, companyId: co!.id, ownerId: adminId,
    })));
    const csv = ['Nombre;Apellidos;Empresa', 'Inés;Ortega Gil;Grupo Ortega', 'Inés;Ortega Gimeno;GRUPO ORTEGA'].join('\n');
    const up = await upload(admin, 'ortega.csv', csv);
    await admin.post(`/api/v1/imports/${up.body.id}/run`);
    expect(await settled(admin, up.body.id)).toMatchObject({ status: 'done', createdCount: 1, unchangedCount: 1, rejectedCount: 0 });
    const gimeno = await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.secondLastName, 'Gimeno')));
    expect(gimeno).toHaveLength(1);
    const pairs = await t.deps.database.query<{ reasons: string[] }>(
      'SELECT reasons FROM duplicate_pair WHERE workspace_id = $1 AND $2 IN (record_a_id, record_b_id)', [workspaceId, gimeno[0]!.id]);
    expect(pairs).toEqual([{ reasons: ['name_company'] }]);
  });

  it('finds every company a batch names by its folded name, however many there are', async () => {
    const n = 250;
    await db().insert(company).values(Array.from({ length: n }, (_, i) => ({ workspaceId, name: `Compañía Ñandú ${i}`, ownerId: adminId })));
    const csv = ['Nombre;Correo;Empresa', ...Array.from({ length: n }, (_, i) => `Persona;nandu${i}@ejemplo.es;COMPANIA NANDU ${i}`)].join('\n');
    const up = await upload(admin, 'nandu.csv', csv);
    await admin.post(`/api/v1/imports/${up.body.id}/run`);
    expect(await settled(admin, up.body.id)).toMatchObject({ status: 'done', createdCount: n, rejectedCount: 0 });
    expect(await db().select().from(company).where(and(eq(company.workspaceId, workspaceId), like(company.name, '%NANDU%')))).toEqual([]);
    const [linked] = await t.deps.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM contact c JOIN company co ON co.workspace_id = c.workspace_id AND co.id = c.company_id
        WHERE c.workspace_id = $1 AND c.email LIKE 'nandu%' AND co.name = 'Compañía Ñandú ' || substring(c.email FROM 'nandu(\\d+)@')`, [workspaceId]);
    expect(linked!.n).toBe(n);
    // Created with time-ordered ids (UUID version 7), so a batch's inserts land together in the primary key.
    const ids = await t.deps.database.query<{ id: string }>(`SELECT id FROM contact WHERE workspace_id = $1 AND email LIKE 'nandu%'`, [workspaceId]);
    expect(ids.filter((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.id))).toHaveLength(n);
  });
});

describe('sensitive columns', () => {
  it('are left out of the preview, the dry run and the rejects report of a role that may not see them', async () => {
    expect((await admin.post('/api/v1/custom-fields', { entity: 'contact', key: 'hobbies', label: 'Aficiones', type: 'text', isSensitive: true })).status).toBe(201);
    const ana = await addLoggedInUser(t, workspaceId, { name: 'Ana', email: 'ana@sensible.es', role: 'sales' });
    const csv = ['Nombre;Correo;Fecha de nacimiento;Estado civil;Aficiones;Población',
      'Eva;eva@sensible.es;15/03/1980;casada;pesca;Madrid', 'Rosa;rosa@sensible.es;31/02/1981;soltera;vela;Lugo',
      'Luz;luz-sin-arroba;01/01/1990;viuda;golf;Soria'].join('\n');
    const up = await upload(ana.c, 'sensible.csv', csv);
    expect(up.status).toBe(201);
    const preview = await ana.c.get(`/api/v1/imports/${up.body.id}/preview`);
    expect(preview.status).toBe(200);
    expect(preview.body.data.map((r: { cells: string[] }) => r.cells)).toEqual([
      ['Eva', 'eva@sensible.es', '', '', '', 'Madrid'], ['Rosa', 'rosa@sensible.es', '', '', '', 'Lugo'], ['Luz', 'luz-sin-arroba', '', '', '', 'Soria']]);
    expect(preview.body.data[0].values).toMatchObject({ firstName: 'Eva', city: 'Madrid' });
    expect(preview.body.data[0].values).not.toHaveProperty('birthDate');
    expect(preview.body.data[1].errors).toMatchObject([{ field: 'birthDate', code: 'invalid_date' }]);
    expect(JSON.stringify(preview.body)).not.toMatch(/1980|1981|1990|casada|soltera|viuda|pesca|vela|golf/);
    const dry = await ana.c.post(`/api/v1/imports/${up.body.id}/dry-run`);
    expect(dry.body.rejects.map((r: { original: string[] }) => r.original)).toEqual([['Rosa', 'rosa@sensible.es', '', '', '', 'Lugo'], ['Luz', 'luz-sin-arroba', '', '', '', 'Soria']]);
    expect(JSON.stringify(dry.body)).not.toMatch(/1981|1990|soltera|viuda|vela|golf/);

    // She may not import birth dates: without them only Luz's email is wrong, and her row is reported without them.
    expect((await ana.c.patch(`/api/v1/imports/${up.body.id}`, { mapping: ['firstName', 'email', null, null, null, 'city'] })).status).toBe(200);
    expect((await ana.c.post(`/api/v1/imports/${up.body.id}/run`)).status).toBe(202);
    expect(await settled(ana.c, up.body.id)).toMatchObject({ status: 'done', createdCount: 2, rejectedCount: 1 });
    const report = await t.app.request(`/api/v1/imports/${up.body.id}/rejects.csv`, { headers: { cookie: ana.c.cookie } });
    const lines = (await report.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[1]).toMatch(/^4;.*;Luz;luz-sin-arroba;;;;Soria$/);

    // The admin sees the file as it is.
    const own = await upload(admin, 'sensible.csv', csv);
    await admin.patch(`/api/v1/imports/${own.body.id}`, { mapping: ['firstName', 'email', 'birthDate', null, null, 'city'] });
    const full = await admin.get(`/api/v1/imports/${own.body.id}/preview`);
    expect(full.body.data[0].cells).toEqual(['Eva', 'eva@sensible.es', '15/03/1980', 'casada', 'pesca', 'Madrid']);
    expect(full.body.data[0].values).toMatchObject({ birthDate: '1980-03-15' });
    expect(full.body.data[1].errors[0].message).toContain('31/02/1981');
  });
});

describe('an import on several app instances', () => {
  it('is uploaded through one instance and run by another one that reads the file from the database', async () => {
    // A second app on the same database, as another server would be: its own connections on
    // PostgreSQL, its own (empty) data folder.
    const name = (await t.deps.database.query<{ name: string }>('SELECT current_database() AS name'))[0]!.name;
    const otherDb: Database = engine === 'postgres'
      ? await openDatabase({ databaseUrl: inject('pgUrl').replace(/\/[^/]*$/, `/${name}`), poolSize: 2 })
      : t.deps.database;
    const other: Deps = { ...t.deps, database: otherDb, config: { ...t.deps.config, dataDir: mkdtempSync(join(tmpdir(), 'seguimiento-other-')) } };
    buildApp(other);
    try {
      // Over one stored chunk, with the two bytes of an "ñ" on either side of the chunk boundary.
      const rows = ['Nombre;Correo;Notas'];
      for (let i = 0; rows.join('\n').length < IMPORT_CHUNK_BYTES - 10_000; i++) rows.push(`Ana;ana${i}@multi.es;${'x'.repeat(8000)}`);
      const filled = `${rows.join('\n')}\nAna;relleno@multi.es;`.length; // ASCII so far: characters are bytes
      rows.push(`Ana;relleno@multi.es;${'y'.repeat(IMPORT_CHUNK_BYTES - 1 - filled - 1 - 2)}`, 'Íñigo;inigo@multi.es;', 'Luz;luz@multi.es;');
      const csv = `${rows.join('\n')}\n`;
      expect(Buffer.from(csv).subarray(IMPORT_CHUNK_BYTES - 1, IMPORT_CHUNK_BYTES + 1).toString()).toBe('ñ');

      const up = await upload(admin, 'multi.csv', new TextEncoder().encode(csv));
      expect(up.status).toBe(201);
      expect(up.body.totalRows).toBe(rows.length - 1);
      const chunks = await db().select({ seq: importFileChunk.seq }).from(importFileChunk)
        .where(and(eq(importFileChunk.workspaceId, workspaceId), eq(importFileChunk.importId, up.body.id)));
      expect(chunks.map((c) => c.seq).sort()).toEqual([0, 1]);
      expect((await admin.patch(`/api/v1/imports/${up.body.id}`, { mapping: ['firstName', 'email', null] })).status).toBe(200);
      // Queued without the first instance's own kick: only the other instance's worker runs it.
      await queueImport(t.deps, { workspaceId, userId: adminId, role: 'admin', teamId: null }, await findImport(db(), workspaceId, up.body.id));
      expect((await drainJobs(other)).done).toBe(1);

      expect(await settled(admin, up.body.id)).toMatchObject({ status: 'done', processedRows: rows.length - 1, createdCount: rows.length - 1, rejectedCount: 0 });
      expect(await contactsWhere('inigo@multi.es')).toMatchObject([{ firstName: 'Íñigo' }]);
      expect(await contactsWhere('luz@multi.es')).toHaveLength(1);
      expect(await storedFiles()).not.toContain(up.body.id);
    } finally {
      if (otherDb !== t.deps.database) await otherDb.close();
    }
  });

  it('stores a file that arrives in pieces as chunks of exactly IMPORT_CHUNK_BYTES, counting its lines on the way', async () => {
    const id = '00000000-0000-4000-8000-000000000abe';
    const piece = new TextEncoder().encode(`${'a'.repeat(299_999)}\n`);
    const stored = await storeUpload(t.deps.database, workspaceId, id, Array.from({ length: 5 }, () => piece), 10_000_000);
    expect(stored).toEqual({ size: 1_500_000, lines: 5 });
    const sizes = await t.deps.database.query<{ seq: number; n: number }>(
      'SELECT seq, length(data) AS n FROM import_file_chunk WHERE workspace_id = $1 AND import_id = $2 ORDER BY seq', [workspaceId, id]);
    expect(sizes.map((r) => Number(r.n))).toEqual([IMPORT_CHUNK_BYTES, 1_500_000 - IMPORT_CHUNK_BYTES]);
    await t.deps.database.query('DELETE FROM import_file_chunk WHERE import_id = $1', [id]);
  });

  it('leaves no file behind: uploads that never became an import are removed by the retention job', async () => {
    const kept = await upload(admin, 'pendiente.csv', 'Nombre\nAna\n');
    const abandoned = '00000000-0000-4000-8000-000000000abc';
    await storeUpload(t.deps.database, workspaceId, abandoned, [new TextEncoder().encode('Nombre\nAna\n')], 1000);
    const recent = '00000000-0000-4000-8000-000000000abd';
    await storeUpload(t.deps.database, workspaceId, recent, [new TextEncoder().encode('Nombre\nLuz\n')], 1000);
    await t.deps.database.query(`UPDATE import_file_chunk SET created_at = now() - interval '2 days' WHERE import_id IN ($1, $2)`, [abandoned, kept.body.id]);
    await runRetention(t.deps, workspaceId, new Date());
    const left = await storedFiles();
    expect(left).toContain(kept.body.id);
    expect(left).toContain(recent);
    expect(left).not.toContain(abandoned);
  });
});
