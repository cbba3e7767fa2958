import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import iconv from 'iconv-lite';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  browser = await launchBrowser();
  const context = await newContext(browser, baseUrl);
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('PAGEERROR', e.message));
  await loginThroughUi(page);
});
afterAll(async () => { await browser?.close(); });

describe('importing a spreadsheet through the wizard', () => {
  it('says in Spanish why a header-only file or an old .xls workbook cannot be imported', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-import-'));
    const headerOnly = join(dir, 'solo-cabecera.csv');
    writeFileSync(headerOnly, 'Nombre;Apellidos;Correo\r\n');
    const xls = join(dir, 'clientes-2003.xls');
    const ole2 = Buffer.alloc(4096, 0x20);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole2);
    writeFileSync(xls, ole2);

    await page.goto('/imports');
    const input = page.getByLabel('Archivo CSV o XLSX');
    await input.setInputFiles(headerOnly);
    await page.getByRole('alert').getByText('El archivo solo tiene la cabecera, sin filas.').waitFor();
    await input.setInputFiles(xls);
    await page.getByRole('alert').getByText('Es un Excel antiguo (.xls).', { exact: false }).waitFor();
  });

  it('uploads an Excel-style CSV, maps it, previews the bad row, imports with progress and offers the rejects and undo', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'e2e-import-'));
    const file = join(dir, 'clientes-feria.csv');
    writeFileSync(file, iconv.encode([
      'Nombre;Apellidos;Teléfono;Correo;Población',
      'Irene;Castro Gil;600 123 001;irene.castro@e2e-import.es;Cádiz',
      'Tomás;Prieto;600 123 002;tomas.prieto@e2e-import.es;Jaén',
      'Rocío;Lara;llamar tarde;rocio.lara@e2e-import.es;Huelva',
    ].join('\r\n'), 'win1252'));

    await page.goto('/contacts');
    await page.getByRole('link', { name: 'Importar desde Excel o CSV' }).click();
    await page.getByRole('heading', { level: 1, name: 'Importar contactos' }).waitFor();
    await page.getByLabel('Archivo CSV o XLSX').setInputFiles(file);

    await page.getByRole('heading', { name: '2. Columnas' }).waitFor();
    await page.getByText('windows-1252, separador «;», cabecera en la fila 1').waitFor();
    expect(await page.getByLabel('Campo: Apellidos').inputValue()).toBe('surnames');
    expect(await page.getByLabel('Campo: Correo').inputValue()).toBe('email');
    await page.getByRole('button', { name: 'Guardar y ver vista previa' }).click();

    await page.getByRole('heading', { name: '3. Vista previa' }).waitFor();
    const bad = page.getByRole('row').filter({ hasText: 'Rocío' });
    await bad.getByText('Teléfono: El teléfono tiene letras.').waitFor();
    const good = page.getByRole('row').filter({ hasText: 'Irene' });
    await good.getByRole('cell', { name: 'Castro / Gil', exact: true }).waitFor(); // as saved: surnames split, phone in E.164
    await good.getByRole('cell', { name: '+34600123001', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Probar sin guardar' }).click();
    await page.getByText('Prueba: 3 filas, 2 correctas, 1 rechazadas. No se ha guardado nada.').waitFor({ timeout: 30_000 })
      .catch(async (e: unknown) => { console.error(await page.locator('main').innerText()); throw e; });
    await page.getByRole('button', { name: 'Importar', exact: true }).click();

    await page.getByRole('heading', { name: '4. Importación' }).waitFor();
    const progress = page.getByRole('progressbar', { name: 'Progreso de la importación' });
    await expect.poll(() => progress.getAttribute('aria-valuetext'), { timeout: 30_000 }).toBe('3 de 3 filas');
    await page.getByText('Terminada').first().waitFor();
    await page.getByText('2 creados · 0 actualizados · 0 sin cambios · 0 duplicados unidos · 1 rechazados').first().waitFor();
    const report = page.getByRole('link', { name: 'Descargar filas rechazadas (CSV)' }).first();
    const href = await report.getAttribute('href');
    expect(href).toMatch(/\/api\/v1\/imports\/[0-9a-f-]+\/rejects\.csv\?lang=es$/);
    const rejects = (await (await page.request.get(href!)).text()).replace(/^\uFEFF/, '').split('\r\n');
    expect(rejects.slice(0, 2)).toEqual(['fila;motivo;Nombre;Apellidos;Teléfono;Correo;Población', '4;Teléfono: El teléfono tiene letras.;Rocío;Lara;llamar tarde;rocio.lara@e2e-import.es;Huelva']);

    const contacts = await api.ok('GET', '/contacts?q=e2e-import');
    expect(contacts.data.map((c: { lastName: string; secondLastName: string | null }) => [c.lastName, c.secondLastName]).sort())
      .toEqual([['Castro', 'Gil'], ['Prieto', null]]);

    const history = page.getByRole('region', { name: 'Importaciones anteriores' });
    await history.getByRole('row').filter({ hasText: 'clientes-feria.csv' }).getByRole('button', { name: 'Deshacer' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Deshacer' }).click();
    await history.getByRole('row').filter({ hasText: 'clientes-feria.csv' }).getByText('Deshecha').waitFor();
    expect((await api.ok('GET', '/contacts?q=e2e-import')).data).toEqual([]);
  });
});
