import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { hashPassword } from '../src/auth/password.js';

type Event = { id: number; at: string; userId: string | null; userName: string | null; entity: string; entityId: string; action: string; changes: Record<string, unknown> };

let t: TestApp;
let admin: Client;
let adminId: string;
let manager: Client;
let managerId: string;
let sales: Client;
let other: Client;

async function addUser(role: 'manager' | 'sales', email: string, name: string) {
  const r = await admin.post('/api/v1/users', { email, name, role, password: PASSWORD });
  if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return { client: c, id: r.body.id as string };
}
const events = async (c: Client, query: string) => {
  const r = await c.get(`/api/v1/audit-events${query}`);
  if (r.status !== 200) throw new Error(`audit: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { data: Event[]; nextCursor: string | null };
};

beforeAll(async () => {
  t = await testApp();
  ({ admin, adminId } = await setupWorkspace(t));
  ({ client: manager, id: managerId } = await addUser('manager', 'marta@garcia.es', 'Marta Ruiz'));
  ({ client: sales } = await addUser('sales', 'sergio@garcia.es', 'Sergio Gil'));
  await createWorkspace(t.deps.database, {
    workspaceName: 'Otra', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
    admin: { name: 'Olga', email: 'olga@otra.es', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  other = new Client(t);
  await other.login('olga@otra.es', PASSWORD);
});
afterAll(async () => { await t.close(); });

describe('audit log', () => {
  let companyId: string;

  it('records a company\'s creation and then only the fields an update changed, newest first', async () => {
    const created = await admin.post('/api/v1/companies', { name: 'Hotel Sol', city: 'Valencia', sector: 'Hostelería' });
    companyId = created.body.id;
    await manager.patch(`/api/v1/companies/${companyId}`, { name: 'Hotel Sol y Mar', city: 'Valencia', version: 1 });

    const page = await events(admin, `?entity=company&entityId=${companyId}`);
    expect(page.data.map((e) => [e.action, e.userName])).toEqual([['update', 'Marta Ruiz'], ['create', 'Ana García']]);
    const [update, create] = page.data as [Event, Event];
    expect(update.changes).toEqual({ name: ['Hotel Sol', 'Hotel Sol y Mar'] });
    expect(update.userId).toBe(managerId);
    expect(update.entityId).toBe(companyId);
    expect(create.changes).toMatchObject({ name: [null, 'Hotel Sol'], city: [null, 'Valencia'], sector: [null, 'Hostelería'] });
    expect(create.changes).not.toHaveProperty('updatedAt');
    expect(update.id).toBeGreaterThan(create.id);
    expect(new Date(update.at).getTime()).toBeGreaterThanOrEqual(new Date(create.at).getTime());
  });

  it('never records a password hash, not even when a password changes', async () => {
    expect((await sales.post('/api/v1/users/me/password', { currentPassword: PASSWORD, newPassword: 'otra clave segura' })).status).toBe(204);
    const page = await events(admin, '?entity=user&limit=500');
    expect(page.data.map((e) => e.action)).toEqual(expect.arrayContaining(['create', 'password_change']));
    const text = JSON.stringify(page);
    expect(text).not.toMatch(/passwordHash|password_hash|scrypt\$/);
    const stored = await t.deps.database.query<{ changes: unknown }>('SELECT changes FROM audit_event');
    expect(JSON.stringify(stored)).not.toMatch(/passwordHash|scrypt\$/);
  });

  it('is open to admins and managers, not to sales reps', async () => {
    expect((await sales.get('/api/v1/audit-events')).status).toBe(403);
    expect((await manager.get('/api/v1/audit-events')).status).toBe(200);
  });

  it('filters by user and by time', async () => {
    const byManager = await events(admin, `?userId=${managerId}`);
    expect(byManager.data.length).toBeGreaterThan(0);
    expect(byManager.data.every((e) => e.userId === managerId)).toBe(true);
    expect((await events(admin, `?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)).data).toEqual([]);
    const upToNow = await events(admin, `?to=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}&entity=company`);
    expect(upToNow.data.map((e) => e.entityId)).toContain(companyId);
    expect((await events(admin, `?userId=${adminId}&entity=company`)).data.map((e) => e.action)).toEqual(['create']);
  });

  it('pages newest first with a cursor, without gaps or repeats', async () => {
    for (let i = 0; i < 5; i++) await admin.post('/api/v1/products', { name: `Producto ${i}` });
    const all = (await events(admin, '?limit=500')).data.map((e) => e.id);
    expect([...all].sort((a, b) => b - a)).toEqual(all);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Event[]; nextCursor: string | null } = await events(admin, `?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all);
  });

  it('shows nothing of another workspace', async () => {
    expect((await events(other, `?entityId=${companyId}`)).data).toEqual([]);
    const theirs = (await events(other, '?limit=500')).data;
    expect(theirs.length).toBeGreaterThan(0);
    expect(theirs.every((e) => e.userName === 'Olga')).toBe(true);
  });

  it('has an index for one user\'s changes and one kind of record, newest first', async () => {
    const plans = await t.deps.database.session(async (conn) => {
      // On a tiny table the planner prefers a scan; forbidding it shows whether an index can serve the page.
      await conn.query('SET enable_seqscan = off');
      try {
        const plan = async (where: string) => (await conn.query<{ 'QUERY PLAN': string }>(
          `EXPLAIN SELECT id FROM audit_event WHERE workspace_id = $1 AND ${where} ORDER BY id DESC LIMIT 51`, [adminId, managerId]))
          .map((r) => r['QUERY PLAN']).join('\n');
        return [await plan('user_id = $2'), await plan("entity = 'company' AND $2::uuid IS NOT NULL")];
      } finally {
        await conn.query('RESET enable_seqscan');
      }
    });
    expect(plans[0]).toContain('audit_event_user_idx');
    expect(plans[0]).not.toMatch(/Sort/);
    expect(plans[1]).toContain('audit_event_entity_kind_idx');
  });

  it('names the bad query parameter', async () => {
    const bad = await admin.get('/api/v1/audit-events?entityId=nope');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('entityId');
    expect((await admin.get('/api/v1/audit-events?limit=0')).body.errors[0].field).toBe('limit');
    expect((await admin.get('/api/v1/audit-events?cursor=!!')).body.errors[0].field).toBe('cursor');
    expect((await admin.get('/api/v1/audit-events?colour=red')).status).toBe(422);
  });
});
