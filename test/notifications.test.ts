import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { appUser, contact, lead, stage } from '../src/db/schema.js';
import { hashPassword } from '../src/auth/password.js';
import { createNotification } from '../src/db/queries/notifications.js';
import { findJob } from '../src/db/queries/jobs.js';
import { createScheduler } from '../src/jobs/index.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let adminId: string;
let workspaceId: string;
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
const db = () => t.deps.database.db;

async function addUser(name: string, email: string, locale: 'es' | 'en' | null = null) {
  const [u] = await db().insert(appUser).values({ workspaceId, email, name, role: 'sales', locale, passwordHash: await hashPassword(PASSWORD) }).returning();
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return { id: u!.id, c };
}

const notify = (userId: string, title: string, dedupeKey?: string) =>
  createNotification(db(), { workspaceId, userId, kind: 'test', title, body: `cuerpo ${title}`, link: '/leads', ...(dedupeKey ? { dedupeKey } : {}) });

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  luis = await addUser('Luis Pérez', 'luis@garcia.es');
  marta = await addUser('Marta Ruiz', 'marta@garcia.es', 'en');
});
afterAll(async () => { await t.close(); });

describe('notifications API', () => {
  it('lists only your own notifications, newest first, with your unread count', async () => {
    await notify(luis.id, 'primera');
    await notify(luis.id, 'segunda');
    await notify(marta.id, 'de Marta');
    const r = await luis.c.get('/api/v1/notifications');
    expect(r.status).toBe(200);
    expect(r.body.data.map((n: { title: string }) => n.title)).toEqual(['segunda', 'primera']);
    expect(r.body.unreadCount).toBe(2);
    expect(r.body.data[0]).toMatchObject({ kind: 'test', body: 'cuerpo segunda', link: '/leads', readAt: null });
    expect(r.body.data[0]).not.toHaveProperty('userId');
    expect((await marta.c.get('/api/v1/notifications')).body.data.map((n: { title: string }) => n.title)).toEqual(['de Marta']);
  });

  it('marks one read; unread=true then leaves it out', async () => {
    const list = await luis.c.get('/api/v1/notifications');
    const first = list.body.data.find((n: { title: string }) => n.title === 'primera');
    const r = await luis.c.post(`/api/v1/notifications/${first.id}/read`);
    expect(r.status).toBe(200);
    expect(r.body.readAt).toEqual(expect.any(String));
    const unread = await luis.c.get('/api/v1/notifications?unread=true');
    expect(unread.body.data.map((n: { title: string }) => n.title)).toEqual(['segunda']);
    expect(unread.body.unreadCount).toBe(1);
    // Reading again keeps the first read time.
    const again = await luis.c.post(`/api/v1/notifications/${first.id}/read`);
    expect(again.body.readAt).toBe(r.body.readAt);
  });

  it("answers 404 to marking someone else's notification and leaves it unread", async () => {
    const mine = (await marta.c.get('/api/v1/notifications')).body.data[0];
    const r = await luis.c.post(`/api/v1/notifications/${mine.id}/read`);
    expect(r.status).toBe(404);
    expect((await marta.c.get('/api/v1/notifications?unread=true')).body.data).toHaveLength(1);
  });

  it('marks all your notifications read and says how many were unread, without touching others', async () => {
    await notify(luis.id, 'tercera');
    const r = await luis.c.post('/api/v1/notifications/read-all');
    expect(r.status).toBe(200);
    expect(r.body.updated).toBe(2);
    expect((await luis.c.get('/api/v1/notifications?unread=true')).body).toMatchObject({ data: [], unreadCount: 0 });
    expect((await marta.c.get('/api/v1/notifications')).body.unreadCount).toBe(1);
    expect((await luis.c.post('/api/v1/notifications/read-all')).body.updated).toBe(0);
  });

  it('pages with a cursor without repeating or skipping', async () => {
    for (let i = 0; i < 5; i++) await notify(adminId, `aviso ${i}`);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await admin.get(`/api/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(r.status).toBe(200);
      expect(r.body.data.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.data.map((n: { title: string }) => n.title));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['aviso 4', 'aviso 3', 'aviso 2', 'aviso 1', 'aviso 0']);
  });

  it('pages correctly through notifications created within the same millisecond', async () => {
    for (let i = 1; i <= 5; i++) {
      await t.deps.database.query(
        `INSERT INTO notification (workspace_id, user_id, kind, title, created_at) VALUES ($1, $2, 'test', $3, $4)`,
        [workspaceId, marta.id, `micro ${i}`, `2030-01-01 10:00:00.000${i}1+00`]);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r = await marta.c.get(`/api/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...r.body.data.map((n: { title: string }) => n.title));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 5)).toEqual(['micro 5', 'micro 4', 'micro 3', 'micro 2', 'micro 1']);
  });

  it('names bad query values', async () => {
    const r = await luis.c.get('/api/v1/notifications?unread=yes');
    expect(r.status).toBe(422);
    expect(r.body.errors[0].field).toBe('unread');
    expect((await luis.c.get('/api/v1/notifications?cursor=garbage')).body.errors[0]).toMatchObject({ field: 'cursor', code: 'invalid_cursor' });
    expect((await luis.c.get('/api/v1/notifications?limit=0')).status).toBe(422);
  });

  it('requires a session', async () => {
    expect((await new Client(t).get('/api/v1/notifications')).status).toBe(401);
  });

  it('creates a notification once per dedupe key and user, however often it is asked', async () => {
    expect(await notify(marta.id, 'una vez', 'k:1')).toBe(true);
    expect(await notify(marta.id, 'una vez', 'k:1')).toBe(false);
    expect(await notify(luis.id, 'una vez', 'k:1')).toBe(true);
    const titles = (await marta.c.get('/api/v1/notifications')).body.data.map((n: { title: string }) => n.title);
    expect(titles.filter((x: string) => x === 'una vez')).toHaveLength(1);
  });
});

describe('overdue next actions, every morning', () => {
  let clock = new Date();
  let scheduler: ReturnType<typeof createScheduler>;
  const kinds = async (c: Client) => (await c.get('/api/v1/notifications')).body.data.filter((n: { kind: string }) => n.kind === 'overdue_next_actions');

  beforeAll(async () => {
    scheduler = createScheduler(t.deps, { now: () => clock });
    const [open] = await db().select().from(stage).where(and(eq(stage.workspaceId, workspaceId), eq(stage.kind, 'open')));
    const add = (ownerId: string, at: string, status: 'open' | 'won' = 'open') => db().insert(lead).values({
      workspaceId, title: `Lead ${at}`, pipelineId: open!.pipelineId, stageId: open!.id, probability: 10, currency: 'EUR',
      ownerId, status, nextActionAt: new Date(at), nextActionType: 'call',
    });
    await add(luis.id, '2026-11-20T10:00:00Z');
    await add(luis.id, '2026-11-23T06:30:00Z');
    await add(luis.id, '2026-11-24T10:00:00Z'); // not yet due
    await add(luis.id, '2026-11-01T10:00:00Z', 'won'); // closed: no longer a next action
    await add(marta.id, '2026-11-21T10:00:00Z');
    // Overdue too, but the person asked not to be contacted: no reminder about it.
    const [quiet] = await db().insert(contact).values({ workspaceId, firstName: 'Julia', doNotContact: true }).returning();
    await db().insert(lead).values({
      workspaceId, title: 'Lead de Julia', pipelineId: open!.pipelineId, stageId: open!.id, probability: 10, currency: 'EUR',
      ownerId: luis.id, status: 'open', nextActionAt: new Date('2026-11-19T10:00:00Z'), nextActionType: 'call', contactId: quiet!.id,
    });
  });

  it('does nothing before 08:00 workspace time', async () => {
    clock = new Date('2026-11-23T06:59:00Z'); // 07:59 in Madrid
    await scheduler.tick();
    expect(await kinds(luis.c)).toHaveLength(0);
    expect(await findJob(t.deps.database, workspaceId, `overdue:2026-11-23:${luis.id}`)).toBeNull();
  });

  it('at 08:00 tells each user how many of their open leads have an overdue next action, in their language', async () => {
    clock = new Date('2026-11-23T07:00:00Z');
    await scheduler.tick();
    const mine = await kinds(luis.c);
    expect(mine).toHaveLength(1);
    expect(mine[0].title).toBe('Tienes 2 próximas acciones vencidas');
    expect(mine[0].link).toBe('/');
    const hers = await kinds(marta.c);
    expect(hers).toHaveLength(1);
    expect(hers[0].title).toBe('You have 1 overdue next action');
    expect(await findJob(t.deps.database, workspaceId, `overdue:2026-11-23:${luis.id}`)).toMatchObject({ status: 'done' });
  });

  it('does not notify a user without overdue next actions', async () => {
    expect(await kinds(admin)).toHaveLength(0);
    expect(await findJob(t.deps.database, workspaceId, `overdue:2026-11-23:${adminId}`)).toMatchObject({ status: 'done' });
  });

  it('notifies once a day however many ticks follow, and again the next morning', async () => {
    clock = new Date('2026-11-23T15:00:00Z');
    await scheduler.tick();
    await scheduler.tick();
    expect(await kinds(luis.c)).toHaveLength(1);
    clock = new Date('2026-11-24T07:00:00Z');
    await scheduler.tick();
    const mine = await kinds(luis.c);
    expect(mine).toHaveLength(2);
    expect(mine[0].title).toBe('Tienes 2 próximas acciones vencidas');
  });
});
