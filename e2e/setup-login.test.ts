import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { loadConfig } from '../src/config.js';
import { startServer } from '../src/server.js';
import { ADMIN, launchBrowser, newContext } from './browser.js';

// Its own empty installation: the one-time setup can only be seen before anyone has done it.
let server: Awaited<ReturnType<typeof startServer>>;
let dataDir: string;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'seg-e2e-setup-'));
  server = await startServer(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), () => {});
  baseUrl = `http://127.0.0.1:${server.port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('first run, login and logout', () => {
  it('sends a new installation to setup, creates the workspace and lands on Today', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Configura Seguimiento' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/setup');

    await page.getByLabel('Nombre de la empresa').fill(ADMIN.workspaceName);
    await page.getByLabel('Tu nombre').fill(ADMIN.name);
    await page.getByLabel('Correo electrónico').fill(ADMIN.email);
    await page.getByLabel('Contraseña').fill('corta');
    await page.getByRole('button', { name: 'Crear espacio de trabajo' }).click();
    // The API refuses a short password; the reason shows next to the field, in Spanish, and nothing typed is lost.
    await expect.poll(() => page.locator('.field--invalid .field__error').first().textContent()).toBe('Al menos 10 caracteres.');
    expect(await page.getByLabel('Nombre de la empresa').inputValue()).toBe(ADMIN.workspaceName);

    await page.getByLabel('Contraseña').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Crear espacio de trabajo' }).click();
    await page.getByRole('heading', { level: 1, name: 'Hoy' }).waitFor();
    expect(await page.getByRole('navigation', { name: 'Navegación principal' }).getByRole('link').allTextContents())
      .toEqual(expect.arrayContaining(['Hoy', 'Prospectos', 'Contactos', 'Empresas', 'Ajustes']));
    await context.close();
  });

  it('refuses a wrong password, logs in with the right one and logs out', async () => {
    const context = await newContext(browser, baseUrl);
    const page = await context.newPage();
    await page.goto('/leads');
    await page.getByRole('heading', { name: 'Inicia sesión' }).waitFor();
    await page.getByLabel('Correo electrónico').fill(ADMIN.email);
    await page.getByLabel('Contraseña').fill('not the password');
    await page.getByRole('button', { name: 'Entrar' }).click();
    await page.getByRole('alert').filter({ hasText: 'Correo o contraseña incorrectos.' }).waitFor();

    await page.getByLabel('Contraseña').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Entrar' }).click();
    // Back to the page that asked for the login.
    await page.getByRole('heading', { level: 1, name: 'Prospectos' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/leads');

    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await page.getByRole('heading', { name: 'Inicia sesión' }).waitFor();
    await page.goto('/');
    await page.getByRole('heading', { name: 'Inicia sesión' }).waitFor();
    await context.close();
  });
});
