import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import { activity, appUser, contact, lead, stage, team, workspace } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

// Tuesday 10 March 2026, 09:00 in Madrid (UTC+1).
const T0 = new Date('2026-03-10T08:00:00Z');
const at = (iso: string) => new Date(iso);
const daysAgo = (n: number) => new Date(T0.getTime() - n * 86_400_000);

let t: TestApp;
let admin: Client;
let workspaceId: string;
let wonStage: string;
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let pedro: { id: string; c: Client };

const db = () => t.deps.database.db;
const itemIds = (s: { items: { id: string }[] }) => s.items.map((x) => x.id);

const addUser = (name: string, email: string, role: 'manager' | 'sales', teamId: string | null = null) =>
  addLoggedInUser(t, workspaceId, { name, email, role, teamId });

async function newLead(c: Client, title: string, nextActionAt?: string) {
  const r = await c.post('/api/v1/leads', { title, ...(nextActionAt ? { nextActionAt, nextActionType: 'call' } : {}) });
  if (r.status !== 201) throw new Error(JSON.stringify(r.body));
  return r.body.id as string;
}

/** Next actions already in the past cannot be scheduled through the API; they happen by time passing. */
const backdateNextAction = (id: string, when: Date) =>
  db().update(lead).set({ nextActionAt: when, nextActionType: 'call' }).where(and(eq(lead.workspaceId, workspaceId), eq(lead.id, id)));

async function newContact(values: Partial<typeof contact.$inferInsert> & { firstName: string }) {
  const [row] = await db().insert(contact).values({ workspaceId, ...values }).returning();
  return row!.id;
}

async function newTask(userId: string, dueAt: Date, doneAt: Date | null = null) {
  const [row] = await db().insert(activity).values({ workspaceId, type: 'task', subject: 'Tarea', dueAt, doneAt, userId }).returning();
  return row!.id;
}

const L: Record<string, string> = {};
const C: Record<string, string> = {};
const A: Record<string, string> = {};

beforeAll(async () => {
  t = await testApp();
  t.setNow(T0);
  ({ admin, workspaceId } = await setupWorkspace(t));
  wonStage = (await db().select().from(stage).where(and(eq(stage.workspaceId, workspaceId), eq(stage.kind, 'won'))))[0]!.id;
  const [tm] = await db().insert(team).values({ workspaceId, name: 'Sur' }).returning();
  pedro = await addUser('Pedro Ruiz', 'pedro@garcia.es', 'manager');
  await db().update(team).set({ managerId: pedro.id }).where(eq(team.id, tm!.id));
  luis = await addUser('Luis Pérez', 'luis@garcia.es', 'sales', tm!.id);
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'sales');

  L['afternoon'] = await newLead(luis.c, 'Hoy 17:00', '2026-03-10T16:00:00Z');
  L['noon'] = await newLead(luis.c, 'Hoy 12:00', '2026-03-10T11:00:00Z');
  L['lastMinute'] = await newLead(luis.c, 'Hoy 23:59', '2026-03-10T22:59:00Z');
  L['tomorrow'] = await newLead(luis.c, 'Mañana 00:00', '2026-03-10T23:00:00Z');
  L['yesterday'] = await newLead(luis.c, 'Ayer', '2026-03-12T10:00:00Z');
  await backdateNextAction(L['yesterday'], at('2026-03-09T10:00:00Z'));
  L['earlierToday'] = await newLead(luis.c, 'Hoy 08:30', '2026-03-12T10:00:00Z');
  await backdateNextAction(L['earlierToday'], at('2026-03-10T07:30:00Z'));
  L['none'] = await newLead(luis.c, 'Sin próxima acción');
  L['won'] = await newLead(luis.c, 'Ganado');
  await luis.c.post(`/api/v1/leads/${L['won']}/move`, { stageId: wonStage });
  L['cancelled'] = await newLead(luis.c, 'Cancelado');
  await luis.c.post(`/api/v1/leads/${L['cancelled']}/cancel`, { reason: 'Duplicado' });
  L['marta'] = await newLead(marta.c, 'De Marta hoy', '2026-03-10T12:00:00Z');

  C['never'] = await newContact({ firstName: 'Nunca', ownerId: luis.id, lifecycle: 'prospect' });
  C['old'] = await newContact({ firstName: 'Hace diez días', ownerId: luis.id, lifecycle: 'client', lastActivityAt: daysAgo(10) });
  C['recent'] = await newContact({ firstName: 'Hace dos días', ownerId: luis.id, lifecycle: 'client', lastActivityAt: daysAgo(2) });
  C['dnc'] = await newContact({ firstName: 'No llamar', ownerId: luis.id, doNotContact: true });
  C['former'] = await newContact({ firstName: 'Antiguo', ownerId: luis.id, lifecycle: 'former' });
  C['cancelled'] = await newContact({ firstName: 'Cancelado', ownerId: luis.id, status: 'cancelled', cancelReason: 'x', cancelledAt: T0 });
  C['marta'] = await newContact({ firstName: 'De Marta', ownerId: marta.id });

  A['today'] = await newTask(luis.id, at('2026-03-10T15:00:00Z'));
  A['yesterday'] = await newTask(luis.id, at('2026-03-09T15:00:00Z'));
  A['done'] = await newTask(luis.id, at('2026-03-09T16:00:00Z'), at('2026-03-09T17:00:00Z'));
  A['tomorrow'] = await newTask(luis.id, at('2026-03-11T09:00:00Z'));
  A['marta'] = await newTask(marta.id, at('2026-03-10T09:00:00Z'));
});
afterAll(async () => { await t.close(); });

describe('Today for a sales rep', () => {
  it('lists the next actions still ahead today in the workspace time zone, by time', async () => {
    const r = await luis.c.get('/api/v1/today');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ userId: luis.id, date: '2026-03-10', timeZone: 'Europe/Madrid', dayStart: '2026-03-09T23:00:00.000Z', dayEnd: '2026-03-10T23:00:00.000Z' });
    expect(itemIds(r.body.dueToday)).toEqual([L['noon'], L['afternoon'], L['lastMinute']]);
    expect(r.body.dueToday.total).toBe(3);
    expect(r.body.dueToday.items[0]).toMatchObject({ title: 'Hoy 12:00', stageName: 'Frío', ownerName: 'Luis Pérez', weightedAmount: 0 });
  });

  it('lists next actions already past as overdue, oldest first, whether from yesterday or earlier today', async () => {
    const r = await luis.c.get('/api/v1/today');
    expect(itemIds(r.body.overdue)).toEqual([L['yesterday'], L['earlierToday']]);
    expect(r.body.overdue.total).toBe(2);
  });

  it('lists open leads without a next action, leaving out closed and cancelled ones', async () => {
    const r = await luis.c.get('/api/v1/today');
    expect(itemIds(r.body.withoutNextAction)).toEqual([L['none']]);
  });

  it('lists prospects and clients not contacted within the cadence, never-contacted first', async () => {
    const r = await luis.c.get('/api/v1/today');
    expect(itemIds(r.body.staleContacts)).toEqual([C['never'], C['old']]);
    expect(r.body.staleContacts.items[0]).toMatchObject({ firstName: 'Nunca', lastActivityAt: null });
  });

  it('follows the workspace cadence setting', async () => {
    await db().update(workspace).set({ settings: { cadenceDays: 1 } }).where(eq(workspace.id, workspaceId));
    try {
      const r = await luis.c.get('/api/v1/today');
      expect(itemIds(r.body.staleContacts)).toEqual([C['never'], C['old'], C['recent']]);
    } finally {
      await db().update(workspace).set({ settings: {} }).where(eq(workspace.id, workspaceId));
    }
  });

  it('lists the user\'s tasks due today or before and not done', async () => {
    const r = await luis.c.get('/api/v1/today');
    expect(itemIds(r.body.tasksDue)).toEqual([A['yesterday'], A['today']]);
    expect(r.body.tasksDue.items[1]).toMatchObject({ type: 'task', dueAt: '2026-03-10T15:00:00.000Z' });
  });

  it('caps each section and still reports the full count', async () => {
    const r = await luis.c.get('/api/v1/today?limit=1');
    expect(r.body.dueToday.items).toHaveLength(1);
    expect(r.body.dueToday.total).toBe(3);
    expect(r.body.tasksDue).toMatchObject({ total: 2 });
    expect((await luis.c.get('/api/v1/today?limit=1000')).status).toBe(422);
  });
});

describe('whose Today one may see', () => {
  it('refuses a sales rep another user\'s Today', async () => {
    const r = await marta.c.get(`/api/v1/today?userId=${luis.id}`);
    expect(r.status).toBe(403);
  });

  it('lets a manager see a member of their team, not someone outside it', async () => {
    const r = await pedro.c.get(`/api/v1/today?userId=${luis.id}`);
    expect(r.status).toBe(200);
    expect(itemIds(r.body.dueToday)).toEqual([L['noon'], L['afternoon'], L['lastMinute']]);
    expect((await pedro.c.get(`/api/v1/today?userId=${marta.id}`)).status).toBe(403);
  });

  it('lets an admin see anyone, and answers 404 for a user that does not exist', async () => {
    const r = await admin.get(`/api/v1/today?userId=${marta.id}`);
    expect(r.status).toBe(200);
    expect(itemIds(r.body.dueToday)).toEqual([L['marta']]);
    expect(itemIds(r.body.staleContacts)).toEqual([C['marta']]);
    expect((await admin.get('/api/v1/today?userId=00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await admin.get('/api/v1/today?user=x')).status).toBe(422);
  });
});

describe('Today across a daylight saving change', () => {
  it('ends the spring-forward day in Madrid after 23 hours', async () => {
    // Sunday 29 March 2026, 22:00 in Madrid (UTC+2 since 02:00 that night).
    t.setNow(new Date('2026-03-29T20:00:00Z'));
    try {
      const [u] = await db().insert(appUser).values({ workspaceId, email: 'iker@garcia.es', name: 'Iker', role: 'sales', passwordHash: await hashPassword(PASSWORD) }).returning();
      const iker = new Client(t);
      await iker.login('iker@garcia.es', PASSWORD);
      const late = await newLead(iker, 'Domingo 23:30', '2026-03-29T21:30:00Z');
      const monday = await newLead(iker, 'Lunes 00:30', '2026-03-29T22:30:00Z');
      const r = await iker.get('/api/v1/today');
      expect(r.body).toMatchObject({ userId: u!.id, date: '2026-03-29', dayStart: '2026-03-28T23:00:00.000Z', dayEnd: '2026-03-29T22:00:00.000Z' });
      expect(itemIds(r.body.dueToday)).toEqual([late]);
      expect(itemIds(r.body.dueToday)).not.toContain(monday);
    } finally {
      t.setNow(T0);
    }
  });
});
