import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/paths.js';

/** The system Chromium (never a downloaded one), quiet and sandbox-free for containers. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
  });
}

export async function newContext(browser: Browser, baseURL: string, opts: { width?: number; height?: number } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL, viewport: { width: opts.width ?? 1280, height: opts.height ?? 800 }, locale: 'es-ES', timezoneId: 'Europe/Madrid',
  });
  context.setDefaultTimeout(10_000);
  return context;
}

export const ADMIN = { email: 'ana@garcia.es', password: 'correct horse battery', name: 'Ana García', workspaceName: 'Muebles García' };

/** Logs in through the login form and waits for the Today page. */
export async function loginThroughUi(page: Page, user: { email: string; password: string } = ADMIN) {
  await page.goto('/login');
  await page.getByLabel(/Correo electrónico|Email/).fill(user.email);
  await page.getByLabel(/Contraseña|Password/).fill(user.password);
  await page.getByRole('button', { name: /^(Entrar|Log in)$/ }).click();
  await page.getByRole('heading', { level: 1, name: /^(Hoy|Today)$/ }).waitFor();
}

/** What most journeys start from: the admin's API client and a browser page logged in as the admin. */
export async function openAsAdmin(baseURL: string): Promise<{ api: Api; browser: Browser; context: BrowserContext; page: Page }> {
  const api = await new Api(baseURL).asAdmin();
  const browser = await launchBrowser();
  const context = await newContext(browser, baseURL);
  const page = await context.newPage();
  await loginThroughUi(page);
  return { api, browser, context, page };
}

export const screenshotDir = join(packageRoot, 'docs/screenshots');
export async function screenshot(page: Page, name: string) {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, name), fullPage: false });
}

/** A cookie-and-CSRF API client for arranging data before a journey (Node fetch, same server). */
export class Api {
  private cookie = '';
  private csrf = '';
  constructor(readonly baseUrl: string) {}

  async req<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers['cookie'] = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, { method, headers, body: body === undefined ? null : JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    const m = set ? /seg_session=([^;]*)/.exec(set) : null;
    if (m?.[1]) this.cookie = `seg_session=${m[1]}`;
    const text = await res.text();
    let json: unknown;
    try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
    return { status: res.status, body: json as T };
  }

  async ok<T = any>(method: string, path: string, body?: unknown): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience
    const r = await this.req<T>(method, path, body);
    if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Sets the workspace up on a fresh server (once), else logs in; either way this client is the admin. */
  async asAdmin(): Promise<this> {
    const setup = await this.req<{ needed: boolean }>('GET', '/setup');
    if (setup.body.needed) {
      const r = await this.ok<{ csrfToken: string }>('POST', '/setup', { workspaceName: ADMIN.workspaceName, name: ADMIN.name, email: ADMIN.email, password: ADMIN.password });
      this.csrf = r.csrfToken;
    } else {
      const r = await this.ok<{ csrfToken: string }>('POST', '/auth/login', { email: ADMIN.email, password: ADMIN.password });
      this.csrf = r.csrfToken;
    }
    return this;
  }
}
