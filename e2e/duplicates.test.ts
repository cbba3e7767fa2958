import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, openAsAdmin } from './browser.js';

let browser: Browser;
let context: BrowserContext;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => { ({ api, browser, context, page } = await openAsAdmin(baseUrl)); });
afterAll(async () => { await browser?.close(); });

describe('the duplicates review page', () => {
  it('finds a pair with a background scan, merges it from the side-by-side comparison keeping both histories, and undoes the merge', async () => {
    const keep = await api.ok('POST', '/contacts', { firstName: 'Remedios', lastName: 'Castañeda', email: 'remedios@castaneda.es' });
    const gone = await api.ok('POST', '/contacts', { firstName: 'Remedios', lastName: 'Castaneda', email: 'REMEDIOS@castaneda.es', phone: '677 888 999' });
    const note = await api.ok('POST', '/activities', { type: 'note', contactId: gone.id, body: 'Prefiere que la llamen por la tarde' });

    await page.getByRole('link', { name: 'Duplicados' }).click();
    await page.getByRole('heading', { level: 1, name: 'Duplicados' }).waitFor();
    await page.getByRole('button', { name: 'Buscar duplicados ahora' }).click();
    // The scan runs in the background: the page says since when, and the button waits for it.
    await page.getByRole('status').filter({ hasText: /^Buscando duplicados… \(iniciado \d{2}:\d{2}\)$/ }).waitFor();
    expect(await page.getByRole('button', { name: 'Buscando…' }).isDisabled()).toBe(true);
    await page.getByRole('status').filter({ hasText: /^\d+ parejas? encontradas?\.$/ }).waitFor();
    await page.getByText(/^Último análisis: .+ · \d+ parejas?$/).waitFor();
    expect(await page.getByRole('button', { name: 'Buscar duplicados ahora' }).isEnabled()).toBe(true);

    await page.getByRole('button', { name: /^Comparar y fusionar Remedios Casta(ñ|n)eda y Remedios Casta(ñ|n)eda$/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Fusionar registros' });
    await dialog.getByRole('radio', { name: 'Conservar «Remedios Castañeda»' }).check();
    // Only the surname differs; the kept record's spelling is preselected.
    expect(await dialog.getByRole('radio', { name: 'Usar «Castañeda» para Primer apellido' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Fusionar', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Registros fusionados' }).waitFor();

    const kept = await api.ok('GET', `/contacts/${keep.id}`);
    expect(kept).toMatchObject({ lastName: 'Castañeda', status: 'active' });
    expect(kept.phone).toMatch(/677\s?888\s?999$/);
    expect((await api.ok('GET', `/contacts/${gone.id}`)).status).toBe('cancelled');
    const activities = await api.ok('GET', `/activities?contactId=${keep.id}`);
    expect(activities.data.map((a: { id: string }) => a.id)).toContain(note.id);

    const undo = page.getByRole('button', { name: 'Deshacer la fusión de Remedios Castaneda' });
    await undo.click();
    await page.getByRole('status').filter({ hasText: 'Fusión deshecha' }).waitFor();
    expect(await page.getByRole('status').filter({ hasText: 'Registros fusionados' }).count()).toBe(0);
    expect((await api.ok('GET', `/contacts/${gone.id}`)).status).toBe('active');
    expect((await api.ok('GET', `/contacts/${keep.id}`)).phone).toBeNull();
  });
});
