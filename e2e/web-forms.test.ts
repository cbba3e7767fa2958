import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Api, launchBrowser, loginThroughUi, newContext } from './browser.js';

let browser: Browser;
let admin: BrowserContext;
let page: Page;
let api: Api;
const baseUrl = inject('baseUrl');
const seller = { email: 'wanda.web@garcia.es', password: 'una clave bien larga', name: 'Wanda Web' };

beforeAll(async () => {
  api = await new Api(baseUrl).asAdmin();
  await api.ok('POST', '/users', { email: seller.email, name: seller.name, role: 'sales', password: seller.password });
  browser = await launchBrowser();
  admin = await newContext(browser, baseUrl);
  page = await admin.newPage();
  await loginThroughUi(page);
});
afterAll(async () => { await browser?.close(); });

describe('web forms', () => {
  it('an admin creates a form in settings, a visitor sends it from the hosted page, and the lead is on its owner\'s board', async () => {
    await page.goto('/settings/web-forms');
    await page.getByRole('button', { name: 'Nuevo formulario' }).click();
    const editor = page.getByRole('form', { name: 'Nuevo formulario web' });
    await editor.getByLabel('Nombre del formulario').fill('Presupuesto cocina e2e');
    await editor.getByLabel('Comercial', { exact: true }).selectOption({ label: seller.name });
    await editor.getByRole('button', { name: 'Guardar formulario' }).click();
    await page.getByRole('status').filter({ hasText: 'Formulario guardado.' }).waitFor();

    // The embed card offers the link and the iframe code of the saved form.
    const link = await page.getByLabel('Enlace directo').inputValue();
    expect(link).toMatch(/\/f\/[A-Za-z0-9_-]{22}$/);
    const snippet = await page.getByLabel('Código para insertar (iframe)').inputValue();
    expect(snippet).toContain(`<iframe src="${link}"`);

    // Usable on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.locator('html').evaluate((el) => el.scrollWidth)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 800 });

    // The snippet, pasted into a page of another origin, shows the form inside its frame.
    // (a shop's page on its own little server; its utm_ parameters reach the frame's URL).
    const shop = createServer((_req, res) => { res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }); res.end(`<!doctype html><html><body>${snippet}</body></html>`); });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    try {
      const host = await admin.newPage();
      await host.goto(`http://localhost:${(shop.address() as AddressInfo).port}/cocinas?utm_source=newsletter`);
      await host.frameLocator('iframe').getByRole('button', { name: 'Enviar' }).waitFor();
      expect(await host.locator('iframe').getAttribute('src')).toContain('utm_source=newsletter');
      await host.close();
    } finally {
      shop.close();
    }

    // The hosted page works without JavaScript.
    const visitorContext = await browser.newContext({ baseURL: baseUrl, javaScriptEnabled: false, locale: 'es-ES' });
    const visitor = await visitorContext.newPage();
    await visitor.goto(`${link}?utm_source=google&utm_campaign=cocinas`);
    await visitor.getByLabel('Nombre').fill('Teresa');
    await visitor.getByLabel('Apellidos').fill('Morales Vidal');
    await visitor.getByLabel('Correo electrónico').fill('teresa.morales@example.es');
    await visitor.getByLabel('Teléfono').fill('612 000 111');
    await visitor.getByLabel('Mensaje').fill('Quiero reformar la cocina');
    await visitor.getByRole('button', { name: 'Enviar' }).click();
    await visitor.getByText('¡Gracias!').waitFor();
    await visitorContext.close();

    // The submissions log shows it with its UTM origin.
    await page.reload();
    await page.getByRole('button', { name: 'Insertar en tu web: Presupuesto cocina e2e' }).click();
    await page.getByRole('cell', { name: 'google / cocinas' }).waitFor();

    // The owner sees the new lead on the board.
    const sellerContext = await newContext(browser, baseUrl);
    const sellerPage = await sellerContext.newPage();
    await loginThroughUi(sellerPage, seller);
    await sellerPage.goto('/leads/board');
    const card = sellerPage.locator('li.kcard', { hasText: 'Teresa Morales Vidal' });
    await card.waitFor();
    const lead = await api.ok('GET', `/leads/${await card.getAttribute('data-lead-id')}`);
    expect([lead.title, lead.ownerName, lead.nextActionType]).toEqual(['Teresa Morales Vidal · Presupuesto cocina e2e', seller.name, 'call']);
    await sellerContext.close();
  });
});
