import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { openAsAdmin, type Api } from './browser.js';

let browser: Browser;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');

beforeAll(async () => { ({ api, browser, page } = await openAsAdmin(baseUrl)); });
afterAll(async () => { await browser?.close(); });

describe('instant search', () => {
  it('finds a caller from any page with Ctrl+K, by accent-free name or phone, shows their history and opens the record', async () => {
    const contact = await api.ok<{ id: string }>('POST', '/contacts', { firstName: 'Íñigo', lastName: 'Zubizarreta', phone: '+34 655 44 33 22' });
    await api.ok('POST', '/activities', { type: 'call', contactId: contact.id, subject: 'Preguntó por la garantía' });
    await page.goto('/leads');
    await page.getByRole('heading', { level: 1, name: 'Prospectos' }).waitFor();
    await page.keyboard.press('Control+k');
    const dialog = page.getByRole('dialog', { name: 'Búsqueda rápida' });
    const box = dialog.getByRole('combobox', { name: 'Nombre, teléfono o correo' });
    await box.fill('inigo zubi');
    const option = dialog.getByRole('option').first();
    await expect.poll(() => option.textContent()).toContain('Íñigo Zubizarreta');
    expect(await option.textContent()).toContain('Preguntó por la garantía');

    await box.fill('655 443 322');
    await expect.poll(() => dialog.getByRole('option').first().textContent()).toContain('Íñigo Zubizarreta');
    await box.press('Enter');
    await page.waitForURL(`**/contacts/${contact.id}`);
    expect(await page.getByRole('dialog', { name: 'Búsqueda rápida' }).count()).toBe(0);
  });
});
