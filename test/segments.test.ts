import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { complaint, contact, contactSaleStats, feedback, lead, pipeline, sale, segment, stage } from '../src/db/schema.js';
import { refreshContactSaleStats, segmentCondition } from '../src/db/queries/segments.js';
import type { SegmentDefinition } from '../src/domain/segment.js';
import { addLoggedInUser, Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let adminId: string;
let luis: { id: string; c: Client };
const c: Record<string, string> = {};

const db = () => t.deps.database.db;
const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000);
const all = (...children: unknown[]) => ({ type: 'group', combinator: 'and', children }) as SegmentDefinition;
const any = (...children: unknown[]) => ({ type: 'group', combinator: 'or', children }) as SegmentDefinition;
const cond = (field: string, operator: string, value?: unknown) => ({ type: 'condition', field, operator, ...(value === undefined ? {} : { value }) });

/** The contacts (by first name) of a stored segment, through segmentCondition as other features call it. */
async function membersOf(segmentId: string): Promise<string[]> {
  const values: unknown[] = [workspaceId];
  const p = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const where = await segmentCondition(t.deps.database, workspaceId, segmentId, p, 'contact.id');
  const rows = await t.deps.database.query<{ firstName: string }>(
    `SELECT first_name AS "firstName" FROM contact WHERE workspace_id = $1 AND ${where} ORDER BY first_name`, values);
  return rows.map((r) => r.firstName);
}

async function store(definition: SegmentDefinition): Promise<string> {
  const [row] = await db().insert(segment).values({ workspaceId, name: `s${Math.random()}`, definition: definition as never, ownerId: adminId }).returning();
  return row!.id;
}

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  luis = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@garcia.es', role: 'sales' });
  const people: [string, Partial<typeof contact.$inferInsert>][] = [
    ['Ana', { lifecycle: 'client', city: 'Málaga' }],
    ['Bruno', { lifecycle: 'client', city: 'Sevilla', doNotContact: true }],
    ['Carmen', { lifecycle: 'prospect', city: 'malaga' }],
    ['Diego', { lifecycle: 'former' }],
    ['Elena', { lifecycle: 'client', customFields: { budget: 1500 } }],
  ];
  for (const [firstName, extra] of people) {
    const [row] = await db().insert(contact).values({ workspaceId, firstName, ownerId: adminId, ...extra }).returning();
    c[firstName] = row!.id;
  }
  // Ana buys often and a lot; Bruno twice, long ago (at risk); Elena once, recently.
  const sales: [string, number, number][] = [
    ['Ana', 5, 900], ['Ana', 40, 1200], ['Ana', 80, 700],
    ['Bruno', 300, 100], ['Bruno', 200, 150],
    ['Elena', 10, 50],
  ];
  for (const [who, d, total] of sales) {
    await db().insert(sale).values({ workspaceId, contactId: c[who], soldAt: daysAgo(d), total, currency: 'EUR', ownerId: adminId });
  }
  await db().insert(feedback).values([
    { workspaceId, contactId: c['Ana']!, nps: 3, channel: 'phone', answeredAt: daysAgo(30) },
    { workspaceId, contactId: c['Ana']!, nps: 10, channel: 'phone', answeredAt: daysAgo(2) },
    { workspaceId, contactId: c['Bruno']!, nps: 5, channel: 'phone', answeredAt: daysAgo(3) },
  ]);
  await db().insert(complaint).values({ workspaceId, contactId: c['Bruno']!, category: 'durability', description: 'Se rompió' });
  const [pl] = await db().select().from(pipeline).where(eq(pipeline.workspaceId, workspaceId));
  const stages = await db().select().from(stage).where(and(eq(stage.workspaceId, workspaceId), eq(stage.pipelineId, pl!.id)));
  const hot = stages.find((s) => s.temperature === 'hot')!;
  const cold = stages.find((s) => s.temperature === 'cold')!;
  await db().insert(lead).values([
    { workspaceId, title: 'Sofá', contactId: c['Carmen'], pipelineId: pl!.id, stageId: cold.id, probability: 10, currency: 'EUR', score: 40 },
    { workspaceId, title: 'Mesa', contactId: c['Carmen'], pipelineId: pl!.id, stageId: hot.id, probability: 70, currency: 'EUR', score: 80 },
    { workspaceId, title: 'Silla', contactId: c['Diego'], pipelineId: pl!.id, stageId: cold.id, probability: 10, currency: 'EUR', score: 20 },
  ]);
});
afterAll(async () => { await t.close(); });

describe('segmentCondition', () => {
  it('selects the contacts that meet a stored definition, as a condition on any contact id expression', async () => {
    const id = await store(all(cond('contact.lifecycle', 'eq', 'client'), cond('contact.doNotContact', 'eq', false)));
    expect(await membersOf(id)).toEqual(['Ana', 'Elena']);
  });

  it('compares texts without regard to accents or case', async () => {
    expect(await membersOf(await store(all(cond('contact.city', 'eq', 'MALAGA'))))).toEqual(['Ana', 'Carmen']);
    expect(await membersOf(await store(all(cond('contact.city', 'contains', 'láG'))))).toEqual(['Ana', 'Carmen']);
  });

  it('combines AND and OR groups', async () => {
    const def = any(all(cond('contact.lifecycle', 'eq', 'client'), cond('contact.city', 'eq', 'Sevilla')), cond('contact.lifecycle', 'eq', 'former'));
    expect(await membersOf(await store(def))).toEqual(['Bruno', 'Diego']);
  });

  it('answers 404 naming segmentId for a segment that does not exist', async () => {
    await expect(segmentCondition(t.deps.database, workspaceId, '00000000-0000-4000-8000-000000000000', () => '$2', 'contact.id'))
      .rejects.toMatchObject({ code: 'not_found', fields: [{ field: 'segmentId', code: 'not_found' }] });
  });
});

describe('computed values', () => {
  it('reads RFM: frequency and revenue over 12 months, recency in days', async () => {
    expect(await membersOf(await store(all(cond('computed.frequency', 'gte', 3))))).toEqual(['Ana']);
    expect(await membersOf(await store(all(cond('computed.monetary', 'gt', 100))))).toEqual(['Ana', 'Bruno']);
    expect(await membersOf(await store(all(cond('computed.recencyDays', 'lte', 10))))).toEqual(['Ana', 'Elena']);
    expect(await membersOf(await store(all(cond('computed.purchases', 'isEmpty'))))).toEqual([]);
    expect(await membersOf(await store(all(cond('computed.recencyDays', 'isEmpty'))))).toEqual(['Carmen', 'Diego']);
  });

  it('scores monetary by quintile among the last 12 months\' buyers (5 = the top 20%)', async () => {
    expect(await membersOf(await store(all(cond('computed.monetaryScore', 'eq', 5))))).toEqual(['Ana']);
  });

  it('finds the buyers overdue: no purchase in twice their usual interval', async () => {
    expect(await membersOf(await store(all(cond('computed.purchaseOverdue', 'eq', true))))).toEqual(['Bruno']);
  });

  it('reads the last NPS answer, open complaints and the hottest open lead', async () => {
    expect(await membersOf(await store(all(cond('computed.lastNps', 'between', [0, 6]))))).toEqual(['Bruno']);
    expect(await membersOf(await store(all(cond('computed.openComplaints', 'gt', 0))))).toEqual(['Bruno']);
    expect(await membersOf(await store(all(cond('computed.openLeadTemperature', 'eq', 'hot'))))).toEqual(['Carmen']);
    expect(await membersOf(await store(all(cond('computed.openLeadTemperature', 'eq', 'cold'))))).toEqual(['Diego']);
    expect(await membersOf(await store(all(cond('computed.leadScore', 'gte', 50))))).toEqual(['Carmen']);
  });

  it('reads typed custom fields', async () => {
    await admin.post('/api/v1/custom-fields', { entity: 'contact', key: 'budget', label: 'Presupuesto', type: 'number' });
    expect(await membersOf(await store(all(cond('contact.customFields.budget', 'gt', 1000))))).toEqual(['Elena']);
  });
});

const names = (r: { body: { data: { firstName: string }[] } }) => r.body.data.map((x) => x.firstName);

describe('segments API', () => {
  it('creates a segment, counts it live and lists its members a page at a time', async () => {
    const created = await luis.c.post('/api/v1/segments', { name: 'Clientes', definition: all(cond('contact.lifecycle', 'eq', 'client')) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Clientes', ownerId: luis.id, shared: false, builtin: null, canEdit: true, problems: [] });
    const id = created.body.id as string;
    expect((await luis.c.get(`/api/v1/segments/${id}/count`)).body).toEqual({ count: 3, reachable: 2 });
    const first = await luis.c.get(`/api/v1/segments/${id}/members?limit=2&sort=name`);
    expect(first.status).toBe(200);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await luis.c.get(`/api/v1/segments/${id}/members?limit=2&sort=name&cursor=${first.body.nextCursor as string}`);
    expect([...names(first), ...names(second)].sort()).toEqual(['Ana', 'Bruno', 'Elena']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('refuses at save time a condition on an unknown field, a wrong value or a contradiction, naming the condition', async () => {
    const unknown = await luis.c.post('/api/v1/segments', { name: 'x', definition: all(cond('contact.customFields.gone', 'eq', 'x')) });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'definition.children.0.field', code: 'unknown_field' })]);
    const contradiction = await luis.c.post('/api/v1/segments', {
      name: 'x', definition: all(cond('computed.monetary', 'gt', 10), cond('computed.monetary', 'lt', 5)),
    });
    expect(contradiction.status).toBe(422);
    expect(contradiction.body.errors[0]).toMatchObject({ field: 'definition.children.1', code: 'contradiction' });
    const stage = await luis.c.post('/api/v1/segments', { name: 'x', definition: all(cond('computed.openLeadStage', 'eq', '00000000-0000-4000-8000-000000000000')) });
    expect(stage.body.errors).toEqual([expect.objectContaining({ field: 'definition.children.0.value', code: 'not_found' })]);
  });

  it('previews an unsaved definition: count, reachable and first contacts', async () => {
    const r = await luis.c.post('/api/v1/segments/preview', { definition: all(cond('contact.city', 'contains', 'malaga')), limit: 1 });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ count: 2, reachable: 2 });
    expect(r.body.data).toHaveLength(1);
    expect((await luis.c.post('/api/v1/segments/preview', { definition: all(cond('contact.city', 'gt', 'x')) })).status).toBe(422);
  });

  it('keeps a private segment to its owner; a shared one is seen but not changed by others', async () => {
    const mine = await luis.c.post('/api/v1/segments', { name: 'Mis clientes', definition: all(cond('contact.ownerId', 'eq', luis.id)) });
    const other = await addLoggedInUser(t, workspaceId, { name: 'Eva Ruiz', email: 'eva@garcia.es', role: 'sales' });
    expect((await other.c.get(`/api/v1/segments/${mine.body.id as string}`)).status).toBe(404);
    expect((await other.c.get(`/api/v1/contacts?segmentId=${mine.body.id as string}`)).status).toBe(404);
    expect((await other.c.get('/api/v1/segments')).body.data.map((x: { name: string }) => x.name)).not.toContain('Mis clientes');
    await luis.c.patch(`/api/v1/segments/${mine.body.id as string}`, { shared: true });
    expect((await other.c.get(`/api/v1/segments/${mine.body.id as string}`)).body).toMatchObject({ canEdit: false, canDelete: false });
    expect((await other.c.patch(`/api/v1/segments/${mine.body.id as string}`, { name: 'Mío' })).status).toBe(403);
    expect((await other.c.del(`/api/v1/segments/${mine.body.id as string}`)).status).toBe(403);
    expect((await luis.c.del(`/api/v1/segments/${mine.body.id as string}`)).status).toBe(204);
  });

  it('offers the built-in segments in every workspace, read-only except the VIP rule an admin sets', async () => {
    const list = (await luis.c.get('/api/v1/segments')).body.data as { id: string; builtin: string | null }[];
    const builtins = list.filter((x) => x.builtin).map((x) => x.builtin);
    expect(builtins.sort()).toEqual(['at_risk', 'best_clients', 'cold_prospects', 'detractors', 'hot_prospects', 'vip', 'warm_prospects']);
    const byKey = (k: string) => list.find((x) => x.builtin === k)!.id;
    const members = async (k: string) => names(await luis.c.get(`/api/v1/segments/${byKey(k)}/members?sort=name`));
    expect(await members('best_clients')).toEqual(['Ana']);
    expect(await members('at_risk')).toEqual(['Bruno']);
    expect(await members('hot_prospects')).toEqual(['Carmen']);
    expect(await members('cold_prospects')).toEqual(['Diego']);
    expect(await members('detractors')).toEqual(['Bruno']);
    expect(await members('vip')).toEqual([]);
    expect((await admin.patch(`/api/v1/segments/${byKey('at_risk')}`, { definition: all() })).status).toBe(403);
    expect((await admin.del(`/api/v1/segments/${byKey('vip')}`)).status).toBe(403);
    expect((await luis.c.patch(`/api/v1/segments/${byKey('vip')}`, { definition: all() })).status).toBe(403);
    expect((await admin.patch(`/api/v1/segments/${byKey('vip')}`, { name: 'Mis VIP' })).status).toBe(422);
    const vip = await admin.patch(`/api/v1/segments/${byKey('vip')}`, { definition: all(cond('computed.totalRevenue', 'gte', 2000)) });
    expect(vip.status).toBe(200);
    expect(await members('vip')).toEqual(['Ana']);
  });

  it('filters the contacts list and its export by segment; a campaign export leaves out doNotContact people', async () => {
    const seg = await admin.post('/api/v1/segments', { name: 'Sevilla o Málaga', shared: true, definition: any(cond('contact.city', 'eq', 'sevilla'), cond('contact.city', 'eq', 'malaga')) });
    const id = seg.body.id as string;
    expect(names(await luis.c.get(`/api/v1/contacts?segmentId=${id}&sort=name`))).toEqual(['Ana', 'Bruno', 'Carmen']);
    const csv = await luis.c.get(`/api/v1/contacts/export?segmentId=${id}`);
    expect(csv.status).toBe(200);
    expect(String(csv.body)).toContain('Bruno');
    const campaignCsv = await luis.c.get(`/api/v1/contacts/export?segmentId=${id}&purpose=campaign`);
    expect(String(campaignCsv.body)).toContain('Carmen');
    expect(String(campaignCsv.body)).not.toContain('Bruno');
    expect((await luis.c.get('/api/v1/contacts?segmentId=00000000-0000-4000-8000-000000000000')).body.errors).toEqual([expect.objectContaining({ field: 'segmentId' })]);
  });

  it('lets a campaign target a segment the user can see, and loses the target when the segment is deleted', async () => {
    const seg = await admin.post('/api/v1/segments', { name: 'Clientes de campaña', definition: all(cond('contact.lifecycle', 'eq', 'client')) });
    const ok = await admin.post('/api/v1/campaigns', { name: 'Rebajas', segmentId: seg.body.id });
    expect(ok.status).toBe(201);
    expect(ok.body.segmentId).toBe(seg.body.id);
    const missing = await admin.post('/api/v1/campaigns', { name: 'Otra', segmentId: '00000000-0000-4000-8000-000000000000' });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].field).toBe('segmentId');
    expect((await admin.del(`/api/v1/segments/${seg.body.id as string}`)).status).toBe(204);
    expect((await admin.get(`/api/v1/campaigns/${ok.body.id as string}`)).body.segmentId).toBeNull();
  });
});

describe('purchase figures', () => {
  const statsOf = async (who: string) => (await db().select().from(contactSaleStats)
    .where(and(eq(contactSaleStats.workspaceId, workspaceId), eq(contactSaleStats.contactId, c[who]!))))[0];

  it('follow a sale that is added, moved to another contact or removed, in the same transaction', async () => {
    const [s] = await db().insert(sale).values({ workspaceId, contactId: c['Diego'], soldAt: daysAgo(1), total: 500, currency: 'EUR', ownerId: adminId }).returning();
    expect(await statsOf('Diego')).toMatchObject({ purchases: 1, revenue: 500, purchases12m: 1, revenue12m: 500 });
    await db().update(sale).set({ contactId: c['Carmen'] }).where(and(eq(sale.workspaceId, workspaceId), eq(sale.id, s!.id)));
    expect(await statsOf('Diego')).toBeUndefined();
    expect(await statsOf('Carmen')).toMatchObject({ purchases: 1, revenue: 500 });
    await db().delete(sale).where(and(eq(sale.workspaceId, workspaceId), eq(sale.id, s!.id)));
    expect(await statsOf('Carmen')).toBeUndefined();
  });

  it('are recomputed for the whole workspace by the nightly refresh, leaving the same figures', async () => {
    const before = await statsOf('Ana');
    await refreshContactSaleStats(t.deps.database, workspaceId);
    expect(await statsOf('Ana')).toMatchObject({ purchases: before!.purchases, revenue: before!.revenue, purchases12m: 3, revenue12m: 2800 });
  });
});
