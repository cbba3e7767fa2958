import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import { appUser, sale, team } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let teamId: string;
let otherTeamId: string;
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let sara: { id: string; c: Client };
let pedro: { id: string; c: Client };

const db = () => t.deps.database.db;
async function addUser(name: string, email: string, role: 'manager' | 'sales', team: string | null = null) {
  const [u] = await db().insert(appUser).values({ workspaceId, email, name, role, teamId: team, passwordHash: await hashPassword(PASSWORD) }).returning();
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return { id: u!.id, c };
}
const q1 = { metric: 'sales_amount', periodStart: '2026-01-01', periodEnd: '2026-03-31' };

beforeAll(async () => {
  t = await testApp();
  t.setNow(new Date('2026-01-30T12:00:00Z')); // day 30 of 90
  ({ admin, workspaceId } = await setupWorkspace(t));
  const [tm] = await db().insert(team).values({ workspaceId, name: 'Norte' }).returning();
  const [other] = await db().insert(team).values({ workspaceId, name: 'Sur' }).returning();
  teamId = tm!.id;
  otherTeamId = other!.id;
  pedro = await addUser('Pedro Ruiz', 'pedro@garcia.es', 'manager');
  await db().update(team).set({ managerId: pedro.id }).where(eq(team.id, teamId));
  luis = await addUser('Luis Pérez', 'luis@garcia.es', 'sales', teamId);
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'sales', teamId);
  sara = await addUser('Sara López', 'sara@garcia.es', 'sales', otherTeamId);
  const c = await admin.post('/api/v1/contacts', { firstName: 'Carmen' });
  await db().insert(sale).values([
    { workspaceId, contactId: c.body.id, ownerId: luis.id, soldAt: new Date('2026-01-10T10:00:00Z'), total: 2000, currency: 'EUR' },
    { workspaceId, contactId: c.body.id, ownerId: marta.id, soldAt: new Date('2026-01-20T10:00:00Z'), total: 1500, currency: 'EUR' },
    { workspaceId, contactId: c.body.id, ownerId: sara.id, soldAt: new Date('2026-01-21T10:00:00Z'), total: 9999, currency: 'EUR' },
    { workspaceId, contactId: c.body.id, ownerId: luis.id, soldAt: new Date('2025-12-31T10:00:00Z'), total: 5000, currency: 'EUR' },
  ]);
});
afterAll(async () => { await t.close(); });

describe('objectives', () => {
  it('lets a manager set one for a member of their team, with key results, and audits it', async () => {
    const r = await pedro.c.post('/api/v1/objectives', { ...q1, name: 'Ventas Q1 Luis', userId: luis.id, target: 9000, keyResults: [{ title: '3 ferias' }] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ userId: luis.id, teamId: null, target: 9000, keyResults: [{ title: '3 ferias' }], createdBy: pedro.id, version: 1 });
  });

  it('computes progress live from the sales of the period, with the expected pace', async () => {
    const o = await admin.post('/api/v1/objectives', { ...q1, name: 'Luis', userId: luis.id, target: 9000 });
    const p = await luis.c.get(`/api/v1/objectives/${o.body.id}/progress`);
    expect(p.status).toBe(200);
    expect(p.body).toMatchObject({ actual: 2000, target: 9000, expected: 3000, status: 'behind' });
    expect(p.body.elapsedShare).toBeCloseTo(30 / 90, 10);
  });

  it('counts a team objective over its members only', async () => {
    const o = await pedro.c.post('/api/v1/objectives', { ...q1, name: 'Norte', teamId, target: 3000 });
    expect(o.status).toBe(201);
    const p = await pedro.c.get(`/api/v1/objectives/${o.body.id}/progress`);
    expect(p.body).toMatchObject({ actual: 3500, status: 'achieved' });
  });

  it('measures every metric kind without error, NPS without answers as null', async () => {
    for (const metric of ['sales_count', 'leads_won', 'new_leads', 'activities', 'nps']) {
      const o = await admin.post('/api/v1/objectives', { ...q1, metric, name: metric, userId: luis.id, target: 10 });
      expect(o.status, metric).toBe(201);
      const p = await admin.get(`/api/v1/objectives/${o.body.id}/progress`);
      expect(p.status, metric).toBe(200);
      expect(p.body.actual, metric).toEqual(metric === 'sales_count' ? 1 : metric === 'nps' ? null : 0);
    }
  });

  it('refuses sales users, managers outside their teams, and inconsistent objectives naming the field', async () => {
    expect((await luis.c.post('/api/v1/objectives', { ...q1, name: 'x', userId: luis.id, target: 1 })).status).toBe(403);
    expect((await pedro.c.post('/api/v1/objectives', { ...q1, name: 'x', userId: sara.id, target: 1 })).status).toBe(403);
    expect((await pedro.c.post('/api/v1/objectives', { ...q1, name: 'x', teamId: otherTeamId, target: 1 })).status).toBe(403);
    const both = await admin.post('/api/v1/objectives', { ...q1, name: 'x', userId: luis.id, teamId, target: 1 });
    expect(both.status).toBe(422);
    expect(JSON.stringify(both.body)).toContain('"field":"userId"');
    const reversed = await admin.post('/api/v1/objectives', { ...q1, name: 'x', userId: luis.id, target: 1, periodEnd: '2025-01-01' });
    expect(reversed.status).toBe(422);
    expect(JSON.stringify(reversed.body)).toContain('"field":"periodEnd"');
    expect((await admin.post('/api/v1/objectives', { ...q1, name: 'x', userId: luis.id, target: 1, colour: 'red' })).status).toBe(422);
  });

  it('lets a manager delete objectives of their team but not of others', async () => {
    const others = await admin.post('/api/v1/objectives', { ...q1, name: 'De Sara', userId: sara.id, target: 5 });
    const theirs = await admin.post('/api/v1/objectives', { ...q1, name: 'De Luis', userId: luis.id, target: 5 });
    expect((await pedro.c.del(`/api/v1/objectives/${others.body.id}`)).status).toBe(403);
    expect((await admin.get(`/api/v1/objectives/${others.body.id}`)).status).toBe(200);
    expect((await luis.c.del(`/api/v1/objectives/${theirs.body.id}`)).status).toBe(403);
    expect((await pedro.c.del(`/api/v1/objectives/${theirs.body.id}`)).status).toBe(204);
  });

  it('updates with optimistic locking: a stale version answers 409 with the current record', async () => {
    const o = await admin.post('/api/v1/objectives', { ...q1, name: 'Marta', userId: marta.id, target: 100 });
    const ok = await admin.patch(`/api/v1/objectives/${o.body.id}`, { target: 200, version: 1 });
    expect(ok.status).toBe(200);
    expect(ok.body.target).toBe(200);
    const stale = await admin.patch(`/api/v1/objectives/${o.body.id}`, { target: 300, version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.current.target).toBe(200);
  });
});
