import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import type { Actor } from '../src/domain/access.js';
import { buildFollowUpListQuery, followUpsDueSql, scheduleFollowUpInTx } from '../src/db/queries/follow-ups.js';
import { activity, auditEvent, contact, feedback, followUp, sale, team } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

let t: TestApp;
let admin: Client;
let adminId: string;
let workspaceId: string;
// Luis and Marta sell; Pedro manages Luis's team (not Marta's).
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let pedro: { id: string; c: Client };
let rosa: string;
let jaime: string;

// Monday 23 November 2026, 17:00 in Madrid (the workspace's zone, UTC+1).
const SOLD_AT = new Date('2026-11-23T16:00:00Z');
const NOW = new Date('2026-11-25T11:30:00Z');
const db = () => t.deps.database.db;

const addUser = (name: string, email: string, role: 'manager' | 'sales', teamId: string | null = null) =>
  addLoggedInUser(t, workspaceId, { name, email, role, teamId });

async function addContact(firstName: string, lastName: string) {
  const [row] = await db().insert(contact).values({ workspaceId, firstName, lastName }).returning();
  return row!.id;
}

const actorOf = (userId: string, role: Actor['role'] = 'sales'): Actor => ({ workspaceId, userId, role, teamId: null });

/** A sale stored directly plus the follow-up scheduling the sales API runs in the same transaction. */
async function sell(ownerId: string, contactId: string, soldAt = SOLD_AT) {
  return t.deps.database.transaction(async (tx) => {
    const [s] = await tx.insert(sale).values({ workspaceId, contactId, ownerId, soldAt, total: 1200, currency: 'EUR' }).returning();
    const f = await scheduleFollowUpInTx(tx, actorOf(ownerId), s!, NOW);
    if (!f) throw new Error('no follow-up planned');
    return { saleId: s!.id, followUpId: f['id'] as string };
  });
}

beforeAll(async () => {
  t = await testApp();
  // The clock is fixed before anyone logs in, so sessions live on the same clock as the tests.
  t.setNow(NOW);
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  const [tm] = await db().insert(team).values({ workspaceId, name: 'Norte' }).returning();
  pedro = await addUser('Pedro Ruiz', 'pedro@garcia.es', 'manager');
  await db().update(team).set({ managerId: pedro.id }).where(eq(team.id, tm!.id));
  luis = await addUser('Luis Pérez', 'luis@garcia.es', 'sales', tm!.id);
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'sales');
  rosa = await addContact('Rosa', 'Martín');
  jaime = await addContact('Jaime', 'Sanz');
});
afterAll(async () => { await t.close(); });

describe('scheduling after a sale', () => {
  it('plans the follow-up for the seller on day 2 at 10:00 workspace time, and audits it', async () => {
    const { saleId, followUpId } = await sell(luis.id, rosa);
    const r = await luis.c.get(`/api/v1/follow-ups/${followUpId}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      saleId, contactId: rosa, contactName: 'Rosa Martín', userId: luis.id, userName: 'Luis Pérez', status: 'planned',
      dueAt: '2026-11-25T09:00:00.000Z', doneAt: null, feedbackId: null, saleTotal: 1200, soldAt: SOLD_AT.toISOString(),
    });
    expect(r.headers.get('etag')).toBe('"1"');
    const audit = await db().select().from(auditEvent).where(and(eq(auditEvent.entity, 'followUp'), eq(auditEvent.entityId, followUpId)));
    expect(audit.map((a) => a.action)).toEqual(['create']);
  });

  it('plans none for a sale recorded after its window closed (entered late or imported)', async () => {
    const planned = await t.deps.database.transaction(async (tx) => {
      const [s] = await tx.insert(sale).values({ workspaceId, contactId: jaime, ownerId: luis.id, soldAt: new Date('2026-11-10T10:00:00Z'), total: 50, currency: 'EUR' }).returning();
      return scheduleFollowUpInTx(tx, actorOf(luis.id), s!, NOW);
    });
    expect(planned).toBeNull();
  });

  it('plans at most one follow-up per sale', async () => {
    const { saleId } = await sell(luis.id, jaime);
    await expect(t.deps.database.transaction(async (tx) => {
      const [s] = await tx.select().from(sale).where(eq(sale.id, saleId));
      await scheduleFollowUpInTx(tx, actorOf(luis.id), s!, NOW);
    })).rejects.toThrow();
    expect(await db().select().from(followUp).where(eq(followUp.saleId, saleId))).toHaveLength(1);
  });
});

describe('listing follow-ups', () => {
  let martaFollowUp: string;
  beforeAll(async () => {
    ({ followUpId: martaFollowUp } = await sell(marta.id, jaime, new Date('2026-11-20T09:00:00Z')));
  });

  it('shows a seller only their own follow-ups, sorted by due date', async () => {
    const r = await luis.c.get('/api/v1/follow-ups');
    expect(r.status).toBe(200);
    expect(r.body.data.length).toBeGreaterThan(0);
    expect(r.body.data.every((f: { userId: string }) => f.userId === luis.id)).toBe(true);
    const dues = r.body.data.map((f: { dueAt: string }) => f.dueAt);
    expect(dues).toEqual([...dues].sort());
    expect((await luis.c.get(`/api/v1/follow-ups/${martaFollowUp}`)).status).toBe(403);
  });

  it('shows a manager their team, not other teams, and an admin everyone', async () => {
    const mine = await pedro.c.get('/api/v1/follow-ups');
    expect(mine.body.data.some((f: { userId: string }) => f.userId === luis.id)).toBe(true);
    expect(mine.body.data.some((f: { userId: string }) => f.userId === marta.id)).toBe(false);
    const all = await admin.get('/api/v1/follow-ups');
    expect(new Set(all.body.data.map((f: { userId: string }) => f.userId))).toEqual(new Set([luis.id, marta.id]));
  });

  it('filters by user, contact, sale, status and due range', async () => {
    const byUser = await admin.get(`/api/v1/follow-ups?userId=${marta.id}`);
    expect(byUser.body.data.map((f: { id: string }) => f.id)).toEqual([martaFollowUp]);
    const byContact = await admin.get(`/api/v1/follow-ups?contactId=${rosa}`);
    expect(byContact.body.data.every((f: { contactId: string }) => f.contactId === rosa)).toBe(true);
    expect(byContact.body.data.length).toBeGreaterThan(0);
    const saleId = byUser.body.data[0].saleId as string;
    expect((await admin.get(`/api/v1/follow-ups?saleId=${saleId}`)).body.data).toHaveLength(1);
    // Marta's sale on Friday 20 November: due Sunday 22 at 10:00 Madrid.
    const range = await admin.get('/api/v1/follow-ups?dueFrom=2026-11-22T00:00:00Z&dueTo=2026-11-23T00:00:00Z');
    expect(range.body.data.map((f: { id: string }) => f.id)).toEqual([martaFollowUp]);
    expect((await admin.get('/api/v1/follow-ups?status=done')).body.data).toEqual([]);
    const bad = await admin.get('/api/v1/follow-ups?status=finished');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('status');
  });

  it('sorts descending on request', async () => {
    const r = await admin.get('/api/v1/follow-ups?sort=-dueAt');
    const dues = r.body.data.map((f: { dueAt: string }) => f.dueAt);
    expect(dues).toEqual([...dues].sort().reverse());
  });
});

describe('moving a follow-up', () => {
  let id: string;
  beforeAll(async () => { ({ followUpId: id } = await sell(luis.id, rosa)); });

  it('accepts a new date inside the window', async () => {
    const r = await luis.c.patch(`/api/v1/follow-ups/${id}`, { dueAt: '2026-11-27T16:00:00+01:00', version: 1 });
    expect(r.status).toBe(200);
    expect(r.body.dueAt).toBe('2026-11-27T15:00:00.000Z');
    expect(r.body.version).toBe(2);
  });

  it('refuses a date outside the window, naming dueAt and the allowed range', async () => {
    const r = await luis.c.patch(`/api/v1/follow-ups/${id}`, { dueAt: '2026-12-01T10:00:00+01:00' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'dueAt', code: 'outside_window' })]);
    expect(r.body.errors[0].message).toContain('between 2026-11-25 and 2026-11-30');
    expect(r.body.allowedFrom).toBe('2026-11-24T23:00:00.000Z');
    expect(r.body.allowedTo).toBe('2026-11-30T23:00:00.000Z');
    const tooEarly = await luis.c.patch(`/api/v1/follow-ups/${id}`, { dueAt: '2026-11-24T12:00:00+01:00' });
    expect(tooEarly.body.errors[0].code).toBe('outside_window');
  });

  it('accepts that date once an admin widens the window', async () => {
    const w = await admin.patch('/api/v1/workspace', { settings: { followUpWindow: { minDays: 1, maxDays: 14 } } });
    expect(w.status).toBe(200);
    try {
      const r = await luis.c.patch(`/api/v1/follow-ups/${id}`, { dueAt: '2026-12-01T10:00:00+01:00' });
      expect(r.status).toBe(200);
      expect(r.body.dueAt).toBe('2026-12-01T09:00:00.000Z');
    } finally {
      await admin.patch('/api/v1/workspace', { settings: { followUpWindow: { minDays: 2, maxDays: 7 } } });
    }
  });

  it('answers 409 with the current record to a stale version', async () => {
    const r = await luis.c.patch(`/api/v1/follow-ups/${id}`, { dueAt: '2026-11-26T10:00:00+01:00' }, { 'if-match': '"1"' });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('version_conflict');
    expect(r.body.current.id).toBe(id);
  });

  it('does not let a seller hand a follow-up to someone else, but lets their manager and an admin', async () => {
    expect((await luis.c.patch(`/api/v1/follow-ups/${id}`, { userId: marta.id })).status).toBe(403);
    const r = await pedro.c.patch(`/api/v1/follow-ups/${id}`, { userId: pedro.id });
    expect(r.status).toBe(200);
    expect(r.body.userId).toBe(pedro.id);
    expect((await admin.patch(`/api/v1/follow-ups/${id}`, { userId: marta.id })).body.userId).toBe(marta.id);
    expect((await luis.c.get(`/api/v1/follow-ups/${id}`)).status).toBe(403);
    const unknown = await admin.patch(`/api/v1/follow-ups/${id}`, { userId: '00000000-0000-4000-8000-000000000000' });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0]).toMatchObject({ field: 'userId', code: 'not_found' });
  });

  it('makes a follow-up done only through completion', async () => {
    const r = await admin.patch(`/api/v1/follow-ups/${id}`, { status: 'done' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'status', code: 'use_complete' });
  });

  it('cancels, refuses to complete a cancelled one, then plans it again', async () => {
    expect((await admin.patch(`/api/v1/follow-ups/${id}`, { status: 'cancelled' })).body.status).toBe('cancelled');
    const c = await admin.post(`/api/v1/follow-ups/${id}/complete`, { channel: 'phone', nps: 10 });
    expect(c.status).toBe(409);
    expect(c.body.reason).toBe('cancelled');
    expect((await admin.patch(`/api/v1/follow-ups/${id}`, { status: 'planned' })).body.status).toBe('planned');
  });

  it('answers 404 for an unknown follow-up', async () => {
    expect((await admin.get('/api/v1/follow-ups/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('completing a follow-up', () => {
  let id: string;
  let saleId: string;
  let contactId: string;
  beforeAll(async () => {
    contactId = await addContact('Carmen', 'López');
    ({ followUpId: id, saleId } = await sell(luis.id, contactId));
  });

  it('refuses an out-of-range answer, naming the field, and records nothing', async () => {
    const r = await luis.c.post(`/api/v1/follow-ups/${id}/complete`, { channel: 'phone', nps: 11, satisfaction: 0 });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['nps', 'satisfaction']);
    const empty = await luis.c.post(`/api/v1/follow-ups/${id}/complete`, { channel: 'phone' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0]).toMatchObject({ field: 'nps', code: 'required' });
    expect((await luis.c.get(`/api/v1/follow-ups/${id}`)).body.status).toBe('planned');
    expect(await db().select().from(feedback).where(eq(feedback.saleId, saleId))).toEqual([]);
  });

  it('records the feedback, marks the follow-up done and logs a call on the contact, together', async () => {
    const r = await luis.c.post(`/api/v1/follow-ups/${id}/complete`, {
      channel: 'phone', nps: 9, satisfaction: 5, comment: 'Muy contenta con el sofá', outcome: 'Quiere ver butacas',
    });
    expect(r.status).toBe(200);
    expect(r.body.followUp).toMatchObject({ id, status: 'done', doneAt: NOW.toISOString(), outcome: 'Quiere ver butacas', version: 2 });
    expect(r.body.feedback).toMatchObject({
      saleId, contactId, userId: luis.id, nps: 9, satisfaction: 5, comment: 'Muy contenta con el sofá', channel: 'phone', answeredAt: NOW.toISOString(),
    });
    expect(r.body.followUp.feedbackId).toBe(r.body.feedback.id);

    const timeline = await luis.c.get(`/api/v1/activities?contactId=${contactId}`);
    expect(timeline.body.data).toHaveLength(1);
    expect(timeline.body.data[0]).toMatchObject({
      id: r.body.activityId, type: 'call', subject: 'Seguimiento post-venta', userId: luis.id, occurredAt: NOW.toISOString(),
    });
    expect(timeline.body.data[0].body).toContain('NPS 9');
    const [c] = await db().select().from(contact).where(eq(contact.id, contactId));
    expect(c!.lastActivityAt?.toISOString()).toBe(NOW.toISOString());
  });

  it('refuses to complete it twice', async () => {
    const r = await luis.c.post(`/api/v1/follow-ups/${id}/complete`, { channel: 'phone', nps: 3 });
    expect(r.status).toBe(409);
    expect(r.body.reason).toBe('already_done');
    expect(await db().select().from(feedback).where(eq(feedback.saleId, saleId))).toHaveLength(1);
  });

  it('logs a WhatsApp answer as a message', async () => {
    const { followUpId } = await sell(marta.id, contactId);
    const r = await marta.c.post(`/api/v1/follow-ups/${followUpId}/complete`, { channel: 'whatsapp', satisfaction: 4 });
    expect(r.status).toBe(200);
    const [a] = await db().select().from(activity).where(eq(activity.id, r.body.activityId));
    expect(a!.type).toBe('message');
  });

  it('does not let another seller complete someone else\'s follow-up', async () => {
    const { followUpId } = await sell(luis.id, contactId);
    const r = await marta.c.post(`/api/v1/follow-ups/${followUpId}/complete`, { channel: 'phone', nps: 8 });
    expect(r.status).toBe(403);
    const ok = await admin.post(`/api/v1/follow-ups/${followUpId}/complete`, { channel: 'visit', nps: 8 });
    expect(ok.status).toBe(200);
    expect(ok.body.feedback.userId).toBe(adminId);
  });
});

describe('with the sales API and Today', () => {
  let contactId: string;
  let saleId: string;
  beforeAll(async () => { contactId = await addContact('Elena', 'Vidal'); });

  it('plans the follow-up when a sale is recorded through the API, in the same transaction', async () => {
    const r = await luis.c.post('/api/v1/sales', { contactId, soldAt: SOLD_AT.toISOString(), lines: [{ description: 'Sofá chaise longue', quantity: 1, unitPrice: 890 }] });
    expect(r.status).toBe(201);
    saleId = r.body.id;
    const f = await luis.c.get(`/api/v1/follow-ups?saleId=${saleId}`);
    expect(f.body.data).toHaveLength(1);
    expect(f.body.data[0]).toMatchObject({ contactId, userId: luis.id, status: 'planned', dueAt: '2026-11-25T09:00:00.000Z', saleTotal: 890 });
  });

  it('plans nothing when the sale is refused', async () => {
    const before = (await db().select().from(followUp).where(eq(followUp.workspaceId, workspaceId))).length;
    const r = await luis.c.post('/api/v1/sales', { contactId, lines: [{ description: 'Mesa', quantity: 0, unitPrice: 100 }] });
    expect(r.status).toBe(422);
    expect((await db().select().from(followUp).where(eq(followUp.workspaceId, workspaceId))).length).toBe(before);
  });

  it('shows the seller\'s planned follow-ups due by the end of today in Today, not later or done ones', async () => {
    const today = await luis.c.post('/api/v1/sales', { contactId, lines: [{ description: 'Cojín', quantity: 2, unitPrice: 20 }] });
    expect(today.status).toBe(201);
    const r = await luis.c.get('/api/v1/today');
    expect(r.status).toBe(200);
    const items = r.body.followUpsDue.items as { saleId: string; status: string; dueAt: string; userId: string; contactName: string | null }[];
    expect(items.map((i) => i.saleId)).toContain(saleId);
    expect(items.map((i) => i.saleId)).not.toContain(today.body.id);
    expect(items.every((i) => i.status === 'planned' && i.userId === luis.id && i.dueAt < r.body.dayEnd)).toBe(true);
    expect(items.find((i) => i.saleId === saleId)?.contactName).toBe('Elena Vidal');
    expect(r.body.followUpsDue.total).toBe(items.length);
    const dues = items.map((i) => i.dueAt);
    expect(dues).toEqual([...dues].sort());

    const id = (await luis.c.get(`/api/v1/follow-ups?saleId=${saleId}`)).body.data[0].id as string;
    await luis.c.post(`/api/v1/follow-ups/${id}/complete`, { channel: 'phone', nps: 10 });
    const after = await luis.c.get('/api/v1/today');
    expect(after.body.followUpsDue.items.map((i: { saleId: string }) => i.saleId)).not.toContain(saleId);
    expect(after.body.followUpsDue.total).toBe(r.body.followUpsDue.total - 1);
  });
});

describe('query plans', () => {
  it('walk an index for Today\'s follow-ups and for the due-date list, without sorting', async () => {
    await t.deps.database.query(`INSERT INTO sale (workspace_id, contact_id, owner_id, sold_at, total, currency)
      SELECT $1, $2, ($3::uuid[])[1 + g % 2], now() - g * interval '1 hour', 10, 'EUR' FROM generate_series(1, 2000) g`, [workspaceId, rosa, [luis.id, marta.id]]);
    await t.deps.database.query(`INSERT INTO follow_up (workspace_id, sale_id, contact_id, user_id, due_at, status, done_at)
      SELECT s.workspace_id, s.id, s.contact_id, s.owner_id, s.sold_at + interval '2 days',
             CASE WHEN row_number() OVER () % 3 = 0 THEN 'done' ELSE 'planned' END,
             CASE WHEN row_number() OVER () % 3 = 0 THEN now() END
        FROM sale s WHERE s.workspace_id = $1 AND NOT EXISTS (SELECT 1 FROM follow_up f WHERE f.workspace_id = s.workspace_id AND f.sale_id = s.id)`, [workspaceId]);
    const explain = (text: string, params: unknown[]) => t.deps.database.session(async (conn) => {
      await conn.query('ANALYZE follow_up');
      await conn.query('SET enable_seqscan = off');
      try {
        return (await conn.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, params)).map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await conn.query('RESET enable_seqscan');
      }
    });
    const today = await explain(followUpsDueSql, [workspaceId, luis.id, NOW, 100]);
    expect(today).toContain('follow_up_user_planned_idx');
    expect(today).not.toMatch(/\bSort\b/);
    const built = buildFollowUpListQuery(actorOf(adminId, 'admin'), {});
    const list = await explain(built.text, built.params);
    expect(list).toContain('follow_up_due_idx');
    expect(list).not.toMatch(/\bSort\b/);
  });
});
