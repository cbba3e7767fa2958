import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { readFileSync } from 'node:fs';
import { openDatabase, type Database } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/http/app.js';
import { appUser } from '../src/db/schema.js';
import { hashPassword } from '../src/auth/password.js';
import type { Deps } from '../src/http/context.js';

export const engine = (process.env['TEST_ENGINE'] ?? 'pglite') as 'pglite' | 'postgres';

/** A fresh, migrated database on the engine under test: in-memory PGlite, or a new database on the test server. */
export async function freshDatabase(): Promise<Database> {
  if (engine === 'pglite') {
    const template = new Blob([readFileSync(inject('pgliteTemplate'))]);
    const db = await openDatabase({ template });
    await migrate(db);
    return db;
  }
  const base = inject('pgUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = await openDatabase({ databaseUrl: base.replace(/\/[^/]*$/, `/${name}`), poolSize: 5 });
  await migrate(db);
  return db;
}

export type TestApp = {
  deps: Deps;
  app: ReturnType<typeof buildApp>;
  close: () => Promise<void>;
  /** Sets the clock the app sees. */
  setNow: (d: Date) => void;
};

export async function testApp(): Promise<TestApp> {
  const database = await freshDatabase();
  let now: Date | null = null;
  const deps: Deps = {
    database,
    config: { ...loadConfig({}), sessionTtlHours: 24 },
    secret: randomBytes(32).toString('hex'),
    now: () => now ?? new Date(),
  };
  return { deps, app: buildApp(deps), close: () => database.close(), setNow: (d) => { now = d; } };
}

/** A cookie-and-CSRF-aware client over app.request, like the browser app behaves. */
export class Client {
  cookie = '';
  csrf = '';
  constructor(private readonly t: TestApp, readonly bearer?: string) {}

  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const h: Record<string, string> = { ...headers };
    if (body !== undefined) h['content-type'] = 'application/json';
    if (this.cookie) h['cookie'] = this.cookie;
    if (this.csrf && method !== 'GET') h['x-csrf-token'] ??= this.csrf;
    if (this.bearer) h['authorization'] = `Bearer ${this.bearer}`;
    const res = await this.t.app.request(path, { method, headers: h, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const set = res.headers.get('set-cookie');
    if (set) {
      const m = /seg_session=([^;]*)/.exec(set);
      if (m) this.cookie = m[1] ? `seg_session=${m[1]}` : '';
    }
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience over arbitrary JSON
    try { json = text ? JSON.parse(text) : undefined; } catch { json = text; }
    return { status: res.status, headers: res.headers, body: json };
  }
  get(path: string) { return this.req('GET', path); }
  post(path: string, body?: unknown, headers?: Record<string, string>) { return this.req('POST', path, body ?? {}, headers); }
  patch(path: string, body: unknown, headers?: Record<string, string>) { return this.req('PATCH', path, body, headers); }
  del(path: string) { return this.req('DELETE', path); }

  async login(email: string, password: string) {
    const r = await this.post('/api/v1/auth/login', { email, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    this.csrf = r.body.csrfToken;
    return r;
  }
}

export const PASSWORD = 'correct horse battery';

/** Runs the one-time setup and returns a logged-in admin client plus the workspace id. */
export async function setupWorkspace(t: TestApp, opts: { email?: string; workspaceName?: string } = {}) {
  const admin = new Client(t);
  const r = await admin.post('/api/v1/setup', {
    workspaceName: opts.workspaceName ?? 'Muebles García', name: 'Ana García', email: opts.email ?? 'ana@garcia.es', password: PASSWORD,
  });
  if (r.status !== 201) throw new Error(`setup failed: ${r.status} ${JSON.stringify(r.body)}`);
  admin.csrf = r.body.csrfToken;
  return { admin, workspaceId: r.body.workspaceId as string, adminId: r.body.userId as string };
}

/** Adds a user straight into the workspace (bypassing the users API) and returns them logged in. */
export async function addLoggedInUser(t: TestApp, workspaceId: string, u: { name: string; email: string; role: 'admin' | 'manager' | 'sales'; teamId?: string | null }) {
  const [row] = await t.deps.database.db.insert(appUser).values({
    workspaceId, email: u.email, name: u.name, role: u.role, teamId: u.teamId ?? null, passwordHash: await hashPassword(PASSWORD),
  }).returning();
  const c = new Client(t);
  await c.login(u.email, PASSWORD);
  return { id: row!.id, c };
}
