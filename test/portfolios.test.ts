import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import {
  activity, appUser, auditEvent, company, complaint, contact, followUp, lead, notification, pipeline, sale, segment, stage, team, workspace,
} from '../src/db/schema.js';
import { ownerPortfolios, portfolioWindows } from '../src/domain/portfolio-owner.js';
import { contactLifecycles } from '../src/db/queries/portfolios.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let adminId: string;
const now = new Date('2026-11-23T10:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * 86_400_000);
const db = () => t.deps.database.db;

type U = { id: string; c: Client };
let marta: U; let sara: U; let pablo: U; let eva: U;
let olgaId: string;
let strangerId: string;
const ids: Record<string, string> = {};

async function addUser(name: string, email: string, role: 'manager' | 'sales', teamId: string | null, isActive = true): Promise<U> {
  const [row] = await db().insert(appUser).values({ workspaceId, email, name, role, teamId, isActive, passwordHash: await hashPassword(PASSWORD) }).returning();
  const c = new Client(t);
  if (isActive) await c.login(email, PASSWORD);
  return { id: row!.id, c };
}

async function addContact(key: string, ownerId: string, lifecycle: 'prospect' | 'client' | 'former', city: string, lastActivityAt: Date | null, extra: Partial<typeof contact.$inferInsert> = {}) {
  const [row] = await db().insert(contact).values({ workspaceId, firstName: key, lastName: 'Prueba', ownerId, lifecycle, city, lastActivityAt, ...extra }).returning();
  ids[key] = row!.id;
}

const ownerOf = async (table: typeof contact | typeof lead | typeof company | typeof complaint, id: string) =>
  (await db().select().from(table).where(and(eq(table.workspaceId, workspaceId), eq(table.id, id))))[0] as { ownerId: string | null; version: number };
const userOf = async (table: typeof activity | typeof followUp, id: string) =>
  (await db().select().from(table).where(and(eq(table.workspaceId, workspaceId), eq(table.id, id))))[0]!.userId;

beforeAll(async () => {
  t = await testApp();
  t.setNow(now);
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  const [north] = await db().insert(team).values({ workspaceId, name: 'Norte' }).returning();
  marta = await addUser('Marta Jefa', 'marta@garcia.es', 'manager', null);
  await db().update(team).set({ managerId: marta.id }).where(and(eq(team.workspaceId, workspaceId), eq(team.id, north!.id)));
  sara = await addUser('Sara Comercial', 'sara@garcia.es', 'sales', north!.id);
  pablo = await addUser('Pablo Comercial', 'pablo@garcia.es', 'sales', north!.id);
  eva = await addUser('Eva Sur', 'eva@garcia.es', 'sales', null);
  olgaId = (await addUser('Olga Baja', 'olga@garcia.es', 'sales', north!.id, false)).id;
  const [other] = await db().insert(workspace).values({ name: 'Otra empresa' }).returning();
  const [stranger] = await db().insert(appUser).values({ workspaceId: other!.id, email: 'x@otra.es', name: 'Ajeno', role: 'sales' }).returning();
  strangerId = stranger!.id;

  const [co1] = await db().insert(company).values({ workspaceId, name: 'Talleres Norte', ownerId: sara.id }).returning();
  ids['co1'] = co1!.id;
  await addContact('k1', sara.id, 'client', 'Sevilla', daysAgo(10), { companyId: co1!.id });
  await addContact('k2', sara.id, 'client', 'Madrid', daysAgo(100));
  await addContact('k3', sara.id, 'prospect', 'Sevilla', null);
  await addContact('k4', sara.id, 'former', 'Madrid', daysAgo(400), { status: 'cancelled', cancelledAt: daysAgo(30) });
  await addContact('k5', pablo.id, 'client', 'Bilbao', daysAgo(1));

  const sales = [
    { key: 's1', contactId: ids['k1']!, companyId: co1!.id, soldAt: daysAgo(20), total: 100 },
    { key: 's2', contactId: ids['k1']!, companyId: null, soldAt: daysAgo(300), total: 50.5 },
    { key: 's3', contactId: ids['k2']!, companyId: null, soldAt: daysAgo(500), total: 200 },
    { key: 's4', contactId: null, companyId: co1!.id, soldAt: daysAgo(40), total: 30 },
    { key: 's5', contactId: ids['k5']!, companyId: null, soldAt: daysAgo(5), total: 70 },
  ];
  for (const s of sales) {
    const [row] = await db().insert(sale).values({ workspaceId, contactId: s.contactId, companyId: s.companyId, ownerId: sara.id, soldAt: s.soldAt, total: s.total, currency: 'EUR' }).returning();
    ids[s.key] = row!.id;
  }

  const [pipe] = await db().select().from(pipeline).where(eq(pipeline.workspaceId, workspaceId));
  const stages = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId));
  const open = stages.find((s) => s.kind === 'open')!;
  const won = stages.find((s) => s.kind === 'won')!;
  const leads = [
    { key: 'L1', ownerId: sara.id, contactId: ids['k1']!, companyId: null, status: 'open' as const, amount: 1000, probability: 20 },
    { key: 'L2', ownerId: sara.id, contactId: ids['k2']!, companyId: null, status: 'open' as const, amount: 500, probability: 50 },
    { key: 'L3', ownerId: sara.id, contactId: ids['k1']!, companyId: null, status: 'won' as const, amount: 800, probability: 100 },
    { key: 'L4', ownerId: sara.id, contactId: null, companyId: co1!.id, status: 'open' as const, amount: 300, probability: 10 },
    { key: 'L5', ownerId: pablo.id, contactId: ids['k5']!, companyId: null, status: 'open' as const, amount: 250, probability: 40 },
  ];
  for (const l of leads) {
    const [row] = await db().insert(lead).values({
      workspaceId, title: l.key, contactId: l.contactId, companyId: l.companyId, ownerId: l.ownerId, status: l.status, amount: l.amount, probability: l.probability,
      pipelineId: pipe!.id, stageId: l.status === 'won' ? won.id : open.id, currency: 'EUR',
      nextActionAt: l.status === 'open' ? daysAgo(-2) : null, nextActionType: l.status === 'open' ? 'call' : null, closedAt: l.status === 'won' ? daysAgo(3) : null,
    }).returning();
    ids[l.key] = row!.id;
  }

  const acts = [
    { key: 'A1', leadId: ids['L1']!, contactId: ids['k1']!, dueAt: daysAgo(-1), doneAt: null },
    { key: 'A2', leadId: ids['L1']!, contactId: ids['k1']!, dueAt: null, doneAt: daysAgo(10) },
    { key: 'A3', leadId: null, contactId: null, dueAt: daysAgo(-1), doneAt: null },
  ];
  for (const a of acts) {
    const [row] = await db().insert(activity).values({ workspaceId, type: 'task', subject: a.key, leadId: a.leadId, contactId: a.contactId, userId: sara.id, dueAt: a.dueAt, doneAt: a.doneAt, occurredAt: a.doneAt }).returning();
    ids[a.key] = row!.id;
  }
  const [f1] = await db().insert(followUp).values({ workspaceId, saleId: ids['s1']!, contactId: ids['k1']!, userId: sara.id, dueAt: daysAgo(-3), status: 'planned' }).returning();
  const [f2] = await db().insert(followUp).values({ workspaceId, saleId: ids['s2']!, contactId: ids['k1']!, userId: sara.id, dueAt: daysAgo(290), status: 'done', doneAt: daysAgo(290) }).returning();
  ids['F1'] = f1!.id; ids['F2'] = f2!.id;
  const [c1] = await db().insert(complaint).values({ workspaceId, contactId: ids['k2']!, category: 'durability', description: 'Se rompe', ownerId: sara.id, status: 'open' }).returning();
  const [c2] = await db().insert(complaint).values({ workspaceId, contactId: ids['k1']!, category: 'other', description: 'Resuelta', ownerId: sara.id, status: 'resolved', resolution: 'repair', resolvedAt: daysAgo(50) }).returning();
  ids['C1'] = c1!.id; ids['C2'] = c2!.id;
  const [seg] = await db().insert(segment).values({
    workspaceId, name: 'Sevilla', ownerId: adminId, shared: true,
    definition: { type: 'group', combinator: 'and', children: [{ type: 'condition', field: 'contact.city', operator: 'eq', value: 'Sevilla' }] },
  }).returning();
  ids['seg'] = seg!.id;
});
afterAll(async () => { await t.close(); });

/** The same portfolios computed by the pure domain functions from the stored rows. */
async function domainPortfolios(userIds: string[]) {
  const where = eq(contact.workspaceId, workspaceId);
  const [contacts, companies, sales, leads] = await Promise.all([
    db().select().from(contact).where(where),
    db().select().from(company).where(eq(company.workspaceId, workspaceId)),
    db().select().from(sale).where(eq(sale.workspaceId, workspaceId)),
    db().select().from(lead).where(eq(lead.workspaceId, workspaceId)),
  ]);
  return ownerPortfolios(userIds, { contacts, companies, sales, leads }, portfolioWindows(now, 'Europe/Madrid'), contactLifecycles);
}
const asJson = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

describe('portfolios per salesperson', () => {
  it('give every figure as the domain computes it from the same rows, for every user an admin sees', async () => {
    const r = await admin.get('/api/v1/portfolios');
    expect(r.status).toBe(200);
    const got = r.body.data as { userId: string; name: string }[];
    expect(got.map((p) => p.name)).toEqual(['Ana García', 'Eva Sur', 'Marta Jefa', 'Pablo Comercial', 'Sara Comercial', 'Olga Baja']);
    const expected = await domainPortfolios(got.map((p) => p.userId));
    expect(got.map(({ userId, ...rest }) => ({ userId, ...Object.fromEntries(Object.entries(rest).filter(([k]) => k in expected[0]!)) })))
      .toEqual(asJson(expected));
    const s = got.find((p) => p.userId === sara.id) as unknown as Record<string, unknown>;
    // k1's two sales and the company-only sale of co1 this year; k2's sale the year before.
    expect(s).toMatchObject({ clients: 2, prospects: 1, contacts: 3, purchases: 3, buyingClients: 2, revenue: 180.5, previousRevenue: 200, openLeads: 3, openAmount: 1800, weightedAmount: 480, quietClients30: 1, quietClients90: 1 });
    expect(s['growth']).toBeCloseTo(-0.0975, 4);
    expect(s['lastContactAt']).toBe(daysAgo(10).toISOString());
    expect(r.body.window.from).toBe('2025-11-23T23:00:00.000Z');
  });

  it('show a salesperson only their own, and a manager their team (a deactivated member too) and themselves', async () => {
    const mine = await sara.c.get('/api/v1/portfolios');
    expect(mine.body.data.map((p: { userId: string }) => p.userId)).toEqual([sara.id]);
    const team = await marta.c.get('/api/v1/portfolios');
    expect(team.body.data.map((p: { name: string }) => p.name)).toEqual(['Marta Jefa', 'Pablo Comercial', 'Sara Comercial', 'Olga Baja']);
    expect((await marta.c.get(`/api/v1/portfolios/${eva.id}`)).status).toBe(403);
    expect((await sara.c.get(`/api/v1/portfolios/${pablo.id}`)).status).toBe(403);
    expect((await admin.get(`/api/v1/portfolios/${strangerId}`)).status).toBe(404);
    const one = await marta.c.get(`/api/v1/portfolios/${sara.id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject({ userId: sara.id, revenue: 180.5 });
  });
});

describe('reassigning a portfolio', () => {
  const reassign = (c: Client, from: string, body: Record<string, unknown>, key?: string) =>
    c.post(`/api/v1/portfolios/${from}/reassign`, body, key ? { 'idempotency-key': key } : {});
  const fieldOf = (r: { body: { errors?: { field: string; code: string }[] } }) => r.body.errors?.map(({ field, code }) => ({ field, code }));

  it('is refused before anything moves, naming the field and the reason', async () => {
    const sales = await reassign(sara.c, sara.id, { toUserId: pablo.id });
    expect(sales.status).toBe(403);
    const inactive = await reassign(admin, sara.id, { toUserId: olgaId });
    expect([inactive.status, fieldOf(inactive)]).toEqual([422, [{ field: 'toUserId', code: 'inactive' }]]);
    const elsewhere = await reassign(admin, sara.id, { toUserId: strangerId });
    expect([elsewhere.status, fieldOf(elsewhere)]).toEqual([422, [{ field: 'toUserId', code: 'not_found' }]]);
    const outside = await reassign(marta.c, sara.id, { toUserId: eva.id });
    expect([outside.status, fieldOf(outside)]).toEqual([403, [{ field: 'toUserId', code: 'not_managed' }]]);
    const notHers = await reassign(marta.c, eva.id, { toUserId: sara.id });
    expect([notHers.status, fieldOf(notHers)]).toEqual([403, [{ field: 'userId', code: 'not_managed' }]]);
    const same = await reassign(admin, sara.id, { toUserId: sara.id });
    expect([same.status, fieldOf(same)]).toEqual([422, [{ field: 'toUserId', code: 'same_user' }]]);
    const empty = await reassign(admin, eva.id, { toUserId: pablo.id });
    expect([empty.status, fieldOf(empty)]).toEqual([422, [{ field: 'userId', code: 'empty_selection' }]]);
    const ghostSegment = await reassign(admin, sara.id, { toUserId: pablo.id, segmentId: '00000000-0000-4000-8000-000000000000' });
    expect(ghostSegment.status).toBe(404);
    const unknownField = await reassign(admin, sara.id, { toUserId: pablo.id, everything: true });
    expect(unknownField.status).toBe(422);
    expect((await ownerOf(contact, ids['k1']!)).ownerId).toBe(sara.id);
    const moved = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.action, 'reassign')));
    expect(moved).toEqual([]);
  });

  it('previews a segment of it, then moves exactly that with its open leads and open actions, in one audited batch', async () => {
    const preview = await marta.c.post(`/api/v1/portfolios/${sara.id}/reassign/preview`, { toUserId: pablo.id, segmentId: ids['seg'] });
    expect(preview.status).toBe(200);
    // k1 and k3 (Sevilla); co1 (k1's company); L1 (k1) and L4 (co1, no contact); A1 on L1; F1 for k1.
    const counts = { contacts: 2, companies: 1, leads: 2, activities: 1, followUps: 1, complaints: 0 };
    expect(preview.body.counts).toEqual(counts);
    expect((await ownerOf(contact, ids['k1']!)).ownerId).toBe(sara.id);

    const before = await ownerOf(contact, ids['k1']!);
    const r = await reassign(marta.c, sara.id, { toUserId: pablo.id, segmentId: ids['seg'] }, 'retry-1');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ fromUserId: sara.id, toUserId: pablo.id, segmentId: ids['seg'], counts, replayed: false, createdBy: marta.id });

    for (const k of ['k1', 'k3']) expect((await ownerOf(contact, ids[k]!)).ownerId).toBe(pablo.id);
    expect((await ownerOf(contact, ids['k1']!)).version).toBe(before.version + 1);
    expect((await ownerOf(contact, ids['k2']!)).ownerId).toBe(sara.id);
    expect((await ownerOf(company, ids['co1']!)).ownerId).toBe(pablo.id);
    for (const k of ['L1', 'L4']) expect((await ownerOf(lead, ids[k]!)).ownerId).toBe(pablo.id);
    // History keeps its people: the won lead, the done activity, the done follow-up, the resolved complaint.
    expect((await ownerOf(lead, ids['L3']!)).ownerId).toBe(sara.id);
    expect(await userOf(activity, ids['A1']!)).toBe(pablo.id);
    expect(await userOf(activity, ids['A2']!)).toBe(sara.id);
    expect(await userOf(activity, ids['A3']!)).toBe(sara.id);
    expect(await userOf(followUp, ids['F1']!)).toBe(pablo.id);
    expect(await userOf(followUp, ids['F2']!)).toBe(sara.id);
    expect((await ownerOf(complaint, ids['C2']!)).ownerId).toBe(sara.id);

    const events = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), inArray(auditEvent.action, ['reassign', 'create']), inArray(auditEvent.entity, ['contact', 'lead', 'company', 'activity', 'follow_up', 'complaint', 'portfolio_transfer'])));
    const perRecord = events.filter((e) => e.action === 'reassign');
    expect(perRecord).toHaveLength(7);
    expect(perRecord.find((e) => e.entityId === ids['k1'])!.changes).toEqual({ ownerId: [sara.id, pablo.id], _meta: { transferId: r.body.id } });
    const batch = events.filter((e) => e.entity === 'portfolio_transfer');
    expect(batch).toHaveLength(1);
    expect(batch[0]!.changes).toMatchObject({ fromUserId: [null, sara.id], toUserId: [null, pablo.id], counts: [null, counts], _meta: { filter: { segmentId: ids['seg'] } } });

    const notes = await db().select().from(notification).where(and(eq(notification.workspaceId, workspaceId), eq(notification.userId, pablo.id)));
    expect(notes).toHaveLength(1);
    expect(notes[0]!.title).toBe('Has recibido la cartera de Sara Comercial');

    // The capital moved with the clients: k1's and co1's sales now count for Pablo.
    const p = await admin.get(`/api/v1/portfolios/${pablo.id}`);
    expect(p.body.data).toMatchObject({ revenue: 250.5, purchases: 4, clients: 2 });
  });

  it('answers a retried request with the first result and moves nothing again', async () => {
    const again = await reassign(marta.c, sara.id, { toUserId: pablo.id, segmentId: ids['seg'] }, 'retry-1');
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ replayed: true, counts: { contacts: 2 } });
    const batches = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entity, 'portfolio_transfer')));
    expect(batches).toHaveLength(1);
    const notes = await db().select().from(notification).where(and(eq(notification.workspaceId, workspaceId), eq(notification.userId, pablo.id)));
    expect(notes).toHaveLength(1);
    const otherUse = await reassign(marta.c, sara.id, { toUserId: marta.id, segmentId: ids['seg'] }, 'retry-1');
    expect([otherUse.status, fieldOf(otherUse)]).toEqual([409, [{ field: 'Idempotency-Key', code: 'reused' }]]);
  });

  it('moves the rest of a portfolio, cancelled contacts and open complaints included; a second try finds nothing', async () => {
    const r = await reassign(admin, sara.id, { toUserId: eva.id });
    expect(r.status).toBe(201);
    expect(r.body.counts).toEqual({ contacts: 2, companies: 0, leads: 1, activities: 0, followUps: 0, complaints: 1 });
    expect((await ownerOf(contact, ids['k4']!)).ownerId).toBe(eva.id);
    expect((await ownerOf(complaint, ids['C1']!)).ownerId).toBe(eva.id);
    const retry = await reassign(admin, sara.id, { toUserId: eva.id });
    expect([retry.status, fieldOf(retry)]).toEqual([422, [{ field: 'userId', code: 'empty_selection' }]]);
    const list = await admin.get('/api/v1/portfolios/transfers');
    expect(list.body.data.map((x: { toUserId: string }) => x.toUserId)).toEqual([eva.id, pablo.id]);
    const hers = await sara.c.get('/api/v1/portfolios/transfers');
    expect(hers.body.data).toHaveLength(2);
    const evas = await eva.c.get('/api/v1/portfolios/transfers');
    expect(evas.body.data).toHaveLength(1);
  });

  it('moves once when the same request arrives twice at the same moment', async () => {
    const [a, b] = await Promise.all([
      reassign(admin, eva.id, { toUserId: pablo.id }, 'race-1'),
      reassign(admin, eva.id, { toUserId: pablo.id }, 'race-1'),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.body.id).toBe(b.body.id);
    expect((await ownerOf(contact, ids['k2']!)).ownerId).toBe(pablo.id);
    const batches = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entity, 'portfolio_transfer')));
    expect(batches).toHaveLength(3);
    const notes = await db().select().from(notification).where(and(eq(notification.workspaceId, workspaceId), eq(notification.userId, pablo.id)));
    expect(notes).toHaveLength(2);
  });
});
