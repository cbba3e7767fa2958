import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { hashPassword } from '../src/auth/password.js';
import { sha256 } from '../src/auth/tokens.js';

let t: TestApp;
let admin: Client;
let sales: Client;
let salesId: string;
let other: Client;

async function addUser(role: 'manager' | 'sales', email: string): Promise<{ client: Client; id: string }> {
  const r = await admin.post('/api/v1/users', { email, name: email, role, password: PASSWORD });
  if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return { client: c, id: r.body.id };
}
async function newToken(c: Client, body: Record<string, unknown> = { name: 'Zapier' }) {
  const r = await c.post('/api/v1/api-tokens', body);
  if (r.status !== 201) throw new Error(`token: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; token: string; prefix: string };
}

beforeAll(async () => {
  t = await testApp();
  ({ admin } = await setupWorkspace(t));
  ({ client: sales, id: salesId } = await addUser('sales', 'sergio@garcia.es'));
  await createWorkspace(t.deps.database, {
    workspaceName: 'Otra', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
    admin: { name: 'Olga', email: 'olga@otra.es', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  other = new Client(t);
  await other.login('olga@otra.es', PASSWORD);
});
afterAll(async () => { await t.close(); });

describe('API tokens', () => {
  let created: { id: string; token: string; prefix: string };

  it('returns the secret once and stores only its SHA-256', async () => {
    const r = await sales.post('/api/v1/api-tokens', { name: 'Hoja de cálculo' });
    expect(r.status).toBe(201);
    created = r.body;
    expect(created.token).toMatch(/^seg_[A-Za-z0-9_-]{43}$/);
    expect(created.prefix).toBe(created.token.slice(0, 12));
    expect(r.body).toMatchObject({ userId: salesId, name: 'Hoja de cálculo', revokedAt: null, expiresAt: null });
    expect(r.body.tokenHash).toBeUndefined();
    const rows = await t.deps.database.query<Record<string, unknown>>('SELECT * FROM api_token WHERE id = $1', [created.id]);
    expect(rows[0]!['token_hash']).toBe(sha256(created.token));
    expect(JSON.stringify(rows)).not.toContain(created.token);

    const list = await sales.get('/api/v1/api-tokens');
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ id: created.id, prefix: created.prefix });
    expect(JSON.stringify(list.body)).not.toContain(created.token);
    expect(list.body.data[0].tokenHash).toBeUndefined();
  });

  it('authenticates a request without any cookie or CSRF token, as its user', async () => {
    const bot = new Client(t, created.token);
    const me = await bot.get('/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ id: salesId, role: 'sales' });
    expect(me.body.csrfToken).toBeNull();
    const company = await bot.post('/api/v1/companies', { name: 'Creada por API' });
    expect(company.status).toBe(201);
    expect(company.body.ownerId).toBe(salesId);
  });

  it('acts with its user\'s role, so a sales token cannot do admin or manager work', async () => {
    const bot = new Client(t, created.token);
    expect((await bot.post('/api/v1/products', { name: 'Sofá' })).status).toBe(403);
    expect((await bot.get('/api/v1/audit-events')).status).toBe(403);
    expect((await bot.patch('/api/v1/workspace', { name: 'Mía' })).status).toBe(403);
    const adminBot = new Client(t, (await newToken(admin)).token);
    expect((await adminBot.post('/api/v1/products', { name: 'Sofá' })).status).toBe(201);
  });

  it('answers 401 to a malformed or unknown bearer token', async () => {
    expect((await new Client(t, 'seg_not-a-real-token').get('/api/v1/users')).status).toBe(401);
    const r = await t.app.request('/api/v1/users', { headers: { authorization: 'Basic abc' } });
    expect(r.status).toBe(401);
  });

  it('refuses an expiry in the past, and stops working once expired', async () => {
    const past = await sales.post('/api/v1/api-tokens', { name: 'Viejo', expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.status).toBe(422);
    expect(past.body.errors[0]).toMatchObject({ field: 'expiresAt', code: 'in_the_past' });
    const badDate = await sales.post('/api/v1/api-tokens', { name: 'Viejo', expiresAt: 'mañana' });
    expect(badDate.body.errors[0].field).toBe('expiresAt');

    const soon = await newToken(sales, { name: 'Temporal', expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    const bot = new Client(t, soon.token);
    expect((await bot.get('/api/v1/users')).status).toBe(200);
    await t.deps.database.query(`UPDATE api_token SET expires_at = now() - interval '1 second' WHERE id = $1`, [soon.id]);
    expect((await bot.get('/api/v1/users')).status).toBe(401);
  });

  it('stops working at once when revoked, and stays listed as revoked', async () => {
    const bot = new Client(t, created.token);
    expect((await sales.del(`/api/v1/api-tokens/${created.id}`)).status).toBe(204);
    expect((await bot.get('/api/v1/users')).status).toBe(401);
    const listed = (await sales.get('/api/v1/api-tokens')).body.data.find((x: { id: string }) => x.id === created.id);
    expect(listed.revokedAt).not.toBeNull();
    expect((await sales.del(`/api/v1/api-tokens/${created.id}`)).status).toBe(204);
  });

  it('lets an admin list and revoke everyone\'s tokens, and others only their own', async () => {
    const mine = await newToken(sales, { name: 'Integración' });
    const adminToken = await newToken(admin, { name: 'Admin' });
    expect((await sales.get('/api/v1/api-tokens?scope=all')).status).toBe(403);
    expect((await sales.get('/api/v1/api-tokens')).body.data.every((x: { userId: string }) => x.userId === salesId)).toBe(true);
    const all = await admin.get('/api/v1/api-tokens?scope=all');
    expect(all.body.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([mine.id, adminToken.id]));
    expect((await sales.del(`/api/v1/api-tokens/${adminToken.id}`)).status).toBe(403);
    expect((await admin.del(`/api/v1/api-tokens/${mine.id}`)).status).toBe(204);
    expect((await new Client(t, mine.token).get('/api/v1/users')).status).toBe(401);
    expect((await new Client(t, adminToken.token).get('/api/v1/users')).status).toBe(200);
  });

  it('answers 404 for a token of another workspace', async () => {
    const theirs = await newToken(other, { name: 'Suyo' });
    expect((await admin.del(`/api/v1/api-tokens/${theirs.id}`)).status).toBe(404);
    expect((await new Client(t, theirs.token).get('/api/v1/users')).status).toBe(200);
  });

  it('stops the tokens of a deactivated user', async () => {
    const { client, id } = await addUser('sales', 'baja@garcia.es');
    const tok = await newToken(client);
    expect((await new Client(t, tok.token).get('/api/v1/users')).status).toBe(200);
    expect((await admin.patch(`/api/v1/users/${id}`, { isActive: false })).status).toBe(200);
    expect((await new Client(t, tok.token).get('/api/v1/users')).status).toBe(401);
  });
});
