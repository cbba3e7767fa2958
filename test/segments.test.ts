import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { complaint, contact, feedback, lead, pipeline, sale, segment, stage } from '../src/db/schema.js';
import { segmentCondition } from '../src/db/queries/segments.js';
import type { SegmentDefinition } from '../src/domain/segment.js';
import { Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let adminId: string;
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
