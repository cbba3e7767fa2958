import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { hashPassword } from '../src/auth/password.js';
import { cadenceDaysOf } from '../src/domain/today.js';
import { followUpWindowOf } from '../src/domain/follow-up.js';

let t: TestApp;
let admin: Client;
let adminId: string;
let other: Client;
let otherUserId: string;
let otherTeamId: string;

async function addUser(body: Record<string, unknown>) {
  const r = await admin.post('/api/v1/users', { password: PASSWORD, ...body });
  if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; version: number };
}
async function loggedIn(email: string, password = PASSWORD) {
  const c = new Client(t);
  await c.login(email, password);
  return c;
}
/** Runs fn with the app's clock moved past the signed cookie's revalidation interval. */
async function afterRevalidation<T>(fn: () => Promise<T>): Promise<T> {
  t.setNow(new Date(Date.now() + 2 * 60_000));
  try { return await fn(); } finally { t.setNow(new Date()); }
}
const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

beforeAll(async () => {
  t = await testApp();
  ({ admin, adminId } = await setupWorkspace(t));
  const { admin: otherAdmin } = await createWorkspace(t.deps.database, {
    workspaceName: 'Otra', currency: 'USD', timeZone: 'America/Bogota', locale: 'es', defaultCountry: 'CO',
    admin: { name: 'Olga', email: 'olga@otra.co', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  otherUserId = otherAdmin.id;
  other = await loggedIn('olga@otra.co');
  otherTeamId = (await other.post('/api/v1/teams', { name: 'Bogotá' })).body.id;
});
afterAll(async () => { await t.close(); });

describe('users', () => {
  let sales: Client;
  let salesId: string;
  let managerId: string;

  it('lets an admin add users who can then log in', async () => {
    managerId = (await addUser({ email: 'Marta@Garcia.es', name: 'Marta', role: 'manager', locale: 'en' })).id;
    salesId = (await addUser({ email: 'sergio@garcia.es', name: 'Sergio', role: 'sales' })).id;
    sales = await loggedIn('sergio@garcia.es');
    const me = await sales.get('/api/v1/auth/me');
    expect(me.body.user).toMatchObject({ id: salesId, role: 'sales' });
    const m = await admin.get(`/api/v1/users/${managerId}`);
    expect(m.body).toMatchObject({ email: 'marta@garcia.es', role: 'manager', locale: 'en', isActive: true });
  });

  it('shows users to everyone in the workspace without any password hash', async () => {
    const list = await sales.get('/api/v1/users');
    expect(list.status).toBe(200);
    expect(list.body.data.map((u: { name: string }) => u.name)).toEqual(['Ana García', 'Marta', 'Sergio']);
    const one = await sales.get(`/api/v1/users/${adminId}`);
    expect(one.status).toBe(200);
    expect(JSON.stringify([list.body, one.body])).not.toMatch(/passwordHash|scrypt/);
    expect((await sales.get('/api/v1/users?role=manager')).body.data.map((u: { id: string }) => u.id)).toEqual([managerId]);
  });

  it('refuses user administration to managers and sales reps', async () => {
    const manager = await loggedIn('marta@garcia.es');
    expect((await manager.post('/api/v1/users', { email: 'x@garcia.es', name: 'X', role: 'sales', password: PASSWORD })).status).toBe(403);
    expect((await sales.patch(`/api/v1/users/${salesId}`, { role: 'admin' })).status).toBe(403);
    expect((await admin.get(`/api/v1/users/${salesId}`)).body.role).toBe('sales');
  });

  it('refuses an email already used in any workspace, ignoring case, naming email', async () => {
    const r = await admin.post('/api/v1/users', { email: 'OLGA@otra.co', name: 'Otra Olga', role: 'sales', password: PASSWORD });
    expect(r.status).toBe(409);
    expect(r.body.errors[0]).toMatchObject({ field: 'email', code: 'taken' });
  });

  it('refuses a short password, a bad role and a team of another workspace, naming each field', async () => {
    const short = await admin.post('/api/v1/users', { email: 'corto@garcia.es', name: 'Corto', role: 'sales', password: 'short' });
    expect(short.status).toBe(422);
    expect(short.body.errors[0]).toMatchObject({ field: 'password', code: 'too_short' });
    const role = await admin.post('/api/v1/users', { email: 'rol@garcia.es', name: 'Rol', role: 'boss', password: PASSWORD });
    expect(fields(role.body)).toEqual(['role']);
    const team = await admin.post('/api/v1/users', { email: 'eq@garcia.es', name: 'Eq', role: 'sales', password: PASSWORD, teamId: otherTeamId });
    expect(team.status).toBe(422);
    expect(fields(team.body)).toEqual(['teamId']);
  });

  it('answers 404 for a user of another workspace', async () => {
    expect((await admin.get(`/api/v1/users/${otherUserId}`)).status).toBe(404);
    expect((await admin.patch(`/api/v1/users/${otherUserId}`, { role: 'sales' })).status).toBe(404);
  });

  it('lets anyone change their own name and language, but not their role', async () => {
    const r = await sales.patch('/api/v1/users/me', { name: 'Sergio Ruiz', locale: 'en' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: salesId, name: 'Sergio Ruiz', locale: 'en', role: 'sales' });
    expect(r.body.passwordHash).toBeUndefined();
    const role = await sales.patch('/api/v1/users/me', { role: 'admin' });
    expect(role.status).toBe(422);
    expect(role.body.errors[0]).toMatchObject({ field: 'role', code: 'unknown_field' });
  });

  it('changes the own password only with the current one, and logs out the other sessions', async () => {
    const elsewhere = await loggedIn('sergio@garcia.es');
    const wrong = await sales.post('/api/v1/users/me/password', { currentPassword: 'not my password', newPassword: 'a brand new secret' });
    expect(wrong.status).toBe(422);
    expect(wrong.body.errors[0]).toMatchObject({ field: 'currentPassword', code: 'wrong_password' });
    const weak = await sales.post('/api/v1/users/me/password', { currentPassword: PASSWORD, newPassword: 'short' });
    expect(fields(weak.body)).toEqual(['newPassword']);
    expect((await sales.post('/api/v1/users/me/password', { currentPassword: PASSWORD, newPassword: 'a brand new secret' })).status).toBe(204);

    expect((await new Client(t).post('/api/v1/auth/login', { email: 'sergio@garcia.es', password: PASSWORD })).status).toBe(401);
    await loggedIn('sergio@garcia.es', 'a brand new secret');
    await afterRevalidation(async () => {
      expect((await elsewhere.get('/api/v1/users')).status).toBe(401);
      expect((await sales.get('/api/v1/users')).status).toBe(200);
    });
  });

  it('deactivating a user ends their sessions and stops their logins', async () => {
    await addUser({ email: 'baja@garcia.es', name: 'Baja', role: 'sales' });
    const leaving = await loggedIn('baja@garcia.es');
    const id = (await leaving.get('/api/v1/auth/me')).body.user.id as string;
    const r = await admin.patch(`/api/v1/users/${id}`, { isActive: false });
    expect(r.status).toBe(200);
    expect(r.body.isActive).toBe(false);
    const [sessions] = await t.deps.database.query<{ n: number }>('SELECT count(*)::int AS n FROM session WHERE user_id = $1', [id]);
    expect(sessions!.n).toBe(0);
    await afterRevalidation(async () => {
      expect((await leaving.get('/api/v1/users')).status).toBe(401);
    });
    expect((await new Client(t).post('/api/v1/auth/login', { email: 'baja@garcia.es', password: PASSWORD })).status).toBe(401);
  });

  it('never demotes or deactivates the last active admin', async () => {
    const demote = await admin.patch(`/api/v1/users/${adminId}`, { role: 'manager' });
    expect(demote.status).toBe(409);
    expect(demote.body).toMatchObject({ reason: 'last_admin' });
    const off = await admin.patch(`/api/v1/users/${adminId}`, { isActive: false });
    expect(off.status).toBe(409);
    expect(off.body.errors[0].field).toBe('isActive');
    expect((await admin.get(`/api/v1/users/${adminId}`)).body).toMatchObject({ role: 'admin', isActive: true });

    // With a second admin, the first may step down.
    const second = await addUser({ email: 'admin2@garcia.es', name: 'Segunda', role: 'admin' });
    expect((await admin.patch(`/api/v1/users/${adminId}`, { role: 'manager' })).status).toBe(200);
    const secondAdmin = await loggedIn('admin2@garcia.es');
    expect((await secondAdmin.patch(`/api/v1/users/${second.id}`, { isActive: false })).status).toBe(409);
    expect((await secondAdmin.patch(`/api/v1/users/${adminId}`, { role: 'admin' })).status).toBe(200);
  });

  it('keeps an admin when two admins demote each other at the same moment', async () => {
    const a = await addUser({ email: 'dual-a@garcia.es', name: 'Dual A', role: 'admin' });
    const b = await addUser({ email: 'dual-b@garcia.es', name: 'Dual B', role: 'admin' });
    const [ca, cb] = [await loggedIn('dual-a@garcia.es'), await loggedIn('dual-b@garcia.es')];
    // The workspace's other admins step down first, leaving exactly these two.
    for (const id of [adminId, (await admin.get('/api/v1/users?role=admin')).body.data.find((u: { email: string }) => u.email === 'admin2@garcia.es')?.id]) {
      if (id) expect((await ca.patch(`/api/v1/users/${id}`, { role: 'manager' })).status).toBe(200);
    }
    const results = await Promise.all([ca.patch(`/api/v1/users/${b.id}`, { role: 'sales' }), cb.patch(`/api/v1/users/${a.id}`, { role: 'sales' })]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const [left] = await t.deps.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM app_user WHERE workspace_id = (SELECT workspace_id FROM app_user WHERE id = $1) AND role = 'admin' AND is_active`, [a.id]);
    expect(left!.n).toBe(1);
    // Restore the first admin for the tests that follow.
    const survivor = results[0]!.status === 200 ? ca : cb;
    expect((await survivor.patch(`/api/v1/users/${adminId}`, { role: 'admin' })).status).toBe(200);
  });

  it('refuses a stale version with 409 and the current record', async () => {
    const u = await addUser({ email: 'version@garcia.es', name: 'Ver', role: 'sales' });
    expect((await admin.patch(`/api/v1/users/${u.id}`, { name: 'Ver 2', version: u.version })).status).toBe(200);
    const stale = await admin.patch(`/api/v1/users/${u.id}`, { name: 'Ver 3', version: u.version });
    expect(stale.status).toBe(409);
    expect(stale.body.current.name).toBe('Ver 2');
    expect(JSON.stringify(stale.body)).not.toMatch(/passwordHash|scrypt/);
    const me = await loggedIn('version@garcia.es');
    const staleMe = await me.patch('/api/v1/users/me', { name: 'Yo', version: 1 });
    expect(staleMe.status).toBe(409);
    expect(JSON.stringify(staleMe.body)).not.toMatch(/passwordHash|scrypt/);
  });
});

describe('teams', () => {
  let managerId: string;
  let salesId: string;

  beforeAll(async () => {
    managerId = (await addUser({ email: 'jefa@garcia.es', name: 'Jefa', role: 'manager' })).id;
    salesId = (await addUser({ email: 'rep@garcia.es', name: 'Rep', role: 'sales' })).id;
  });

  it('lets an admin create a team led by a manager, and everyone read it', async () => {
    const r = await admin.post('/api/v1/teams', { name: 'Tienda Centro', managerId });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'Tienda Centro', managerId });
    const rep = await loggedIn('rep@garcia.es');
    expect((await rep.get('/api/v1/teams')).body.data.map((x: { name: string }) => x.name)).toEqual(['Tienda Centro']);
    expect((await rep.post('/api/v1/teams', { name: 'Mío' })).status).toBe(403);
    expect((await rep.patch(`/api/v1/teams/${r.body.id}`, { name: 'Mío' })).status).toBe(403);
  });

  it('refuses a sales rep or another workspace\'s user as manager, naming managerId', async () => {
    const bySales = await admin.post('/api/v1/teams', { name: 'Norte', managerId: salesId });
    expect(bySales.status).toBe(422);
    expect(bySales.body.errors[0]).toMatchObject({ field: 'managerId', code: 'not_a_manager' });
    const foreign = await admin.post('/api/v1/teams', { name: 'Sur', managerId: otherUserId });
    expect(foreign.body.errors[0]).toMatchObject({ field: 'managerId', code: 'not_found' });
  });

  it('puts users in a team, and the team\'s manager then sees it', async () => {
    const team = (await admin.post('/api/v1/teams', { name: 'Online', managerId })).body;
    const r = await admin.patch(`/api/v1/users/${salesId}`, { teamId: team.id });
    expect(r.body.teamId).toBe(team.id);
    expect((await admin.get(`/api/v1/users?teamId=${team.id}`)).body.data.map((u: { id: string }) => u.id)).toEqual([salesId]);
    expect((await admin.del(`/api/v1/teams/${team.id}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/users/${salesId}`)).body.teamId).toBeNull();
  });

  it('answers 404 for a team of another workspace', async () => {
    expect((await admin.get(`/api/v1/teams/${otherTeamId}`)).status).toBe(404);
    expect((await admin.del(`/api/v1/teams/${otherTeamId}`)).status).toBe(404);
  });
});

describe('workspace settings', () => {
  it('shows the profile and default settings to everyone', async () => {
    const rep = await loggedIn('rep@garcia.es');
    const r = await rep.get('/api/v1/workspace');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      name: 'Muebles García', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
      settings: { cadenceDays: 7, followUpWindow: { minDays: 2, maxDays: 7, dueTime: '10:00' }, retentionDays: 365 },
    });
    expect((await rep.patch('/api/v1/workspace', { name: 'Mía' })).status).toBe(403);
  });

  it('validates currency, time zone, country and each setting, naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ currency: 'euro' }, 'currency'],
      [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ defaultCountry: 'ESP' }, 'defaultCountry'],
      [{ settings: { cadenceDays: 0 } }, 'settings.cadenceDays'],
      [{ settings: { retentionDays: 1.5 } }, 'settings.retentionDays'],
      [{ settings: { followUpWindow: { minDays: 9, maxDays: 3 } } }, 'settings.followUpWindow.maxDays'],
      [{ settings: { followUpWindow: { minDays: 9 } } }, 'settings.followUpWindow.maxDays'],
      [{ settings: { followUpWindow: { dueTime: '25:00' } } }, 'settings.followUpWindow.dueTime'],
      [{ settings: { retentionDays: 99999 } }, 'settings.retentionDays'],
      [{ settings: { colour: 'blue' } }, 'settings.colour'],
    ];
    for (const [body, field] of cases) {
      const r = await admin.patch('/api/v1/workspace', body);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(fields(r.body), JSON.stringify(body)).toEqual([field]);
    }
  });

  it('saves the profile and merges settings key by key, with optimistic locking', async () => {
    const before = (await admin.get('/api/v1/workspace')).body;
    const r = await admin.patch('/api/v1/workspace', {
      currency: 'MXN', timeZone: 'America/Mexico_City', locale: 'en', settings: { cadenceDays: 14 }, version: before.version,
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ currency: 'MXN', timeZone: 'America/Mexico_City', locale: 'en', version: before.version + 1 });
    expect(r.body.settings).toEqual({ cadenceDays: 14, followUpWindow: { minDays: 2, maxDays: 7, dueTime: '10:00' }, profile: { formerAfterMonths: 18, potentialProbability: 50, sensitiveRoles: ['admin', 'manager'] }, retentionDays: 365 });
    const r2 = await admin.patch('/api/v1/workspace', { settings: { followUpWindow: { maxDays: 10, dueTime: '09:30' } } });
    expect(r2.body.settings).toEqual({ cadenceDays: 14, followUpWindow: { minDays: 2, maxDays: 10, dueTime: '09:30' }, profile: { formerAfterMonths: 18, potentialProbability: 50, sensitiveRoles: ['admin', 'manager'] }, retentionDays: 365 });
    // What the features read is what the API showed.
    const [stored] = await t.deps.database.query<{ settings: Record<string, unknown> }>('SELECT settings FROM workspace WHERE name = $1', ['Muebles García']);
    expect(cadenceDaysOf(stored!.settings)).toBe(14);
    expect(followUpWindowOf(stored!.settings, 'UTC')).toMatchObject({ minDays: 2, maxDays: 10, dueTime: '09:30' });
    const stale = await admin.patch('/api/v1/workspace', { name: 'Tarde', version: before.version });
    expect(stale.status).toBe(409);
    expect((await other.get('/api/v1/workspace')).body).toMatchObject({ name: 'Otra', currency: 'USD' });
  });
});

describe('API contract', () => {
  it('documents the administration routes without exposing any secret field', async () => {
    const doc = (await new Client(t).get('/api/openapi.json')).body;
    for (const path of ['/users', '/users/me', '/users/me/password', '/teams', '/workspace', '/pipelines/{id}/stages/order', '/custom-fields', '/api-tokens', '/audit-events', '/products', '/sources', '/campaigns']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.User.properties)).not.toContain('passwordHash');
    expect(Object.keys(schemas.ApiToken.properties)).not.toContain('tokenHash');
    expect(JSON.stringify(schemas.CreatedApiToken)).toContain('"token"');
    expect(schemas.UserInput.additionalProperties).toBe(false);
  });
});
