import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { lead, source, stage } from '../src/db/schema.js';
import { buildLeadListQuery } from '../src/db/queries/leads.js';
import { Client, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let luis: { id: string; c: Client };
let sara: { id: string; c: Client };
const db = () => t.deps.database.db;
type Row = { id: string; title: string };
const titles = (r: { body: { data: Row[] } }) => r.body.data.map((x) => x.title);

// Four leads whose contact, company, owner, source and stage orders all differ.
const made: Record<string, string> = {};
beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  luis = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@ejemplo.es', role: 'sales' });
  sara = await addLoggedInUser(t, workspaceId, { name: 'Ángela Sanz', email: 'angela@ejemplo.es', role: 'sales' });
  const stages = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
  const [web] = await db().insert(source).values({ workspaceId, name: 'Web', kind: 'website' }).returning();
  const [feria] = await db().insert(source).values({ workspaceId, name: 'Feria', kind: 'fair' }).returning();
  const people = [
    { key: 'A', first: 'Zoe', last: 'Álvarez', company: 'Muebles Sur', owner: luis.id, source: web!.id, stage: stages[2]!.id },
    { key: 'B', first: 'Ana', last: 'Bravo', company: 'Cocinas Norte', owner: sara.id, source: feria!.id, stage: stages[0]!.id },
    { key: 'C', first: 'Bea', last: 'Castro', company: 'Baños Este', owner: luis.id, source: feria!.id, stage: stages[1]!.id },
  ];
  for (const p of people) {
    const co = await admin.post('/api/v1/companies', { name: p.company });
    const ct = await admin.post('/api/v1/contacts', { firstName: p.first, lastName: p.last, companyId: co.body.id });
    const l = await admin.post('/api/v1/leads', { title: `Lead ${p.key}`, contactId: ct.body.id, companyId: co.body.id, ownerId: p.owner, sourceId: p.source, stageId: p.stage });
    expect(l.status).toBe(201);
    made[p.key] = l.body.id;
    made[`contact${p.key}`] = ct.body.id;
    made[`company${p.key}`] = co.body.id;
  }
  made['feria'] = feria!.id;
});
afterAll(async () => { await t.close(); });

describe('sorting leads by the names the board shows', () => {
  it('sorts by contact surname, company, owner, source and stage order, both directions', async () => {
    const by = async (sort: string) => titles(await admin.get(`/api/v1/leads?sort=${sort}`));
    expect(await by('contactName')).toEqual(['Lead A', 'Lead B', 'Lead C']);
    expect(await by('-contactName')).toEqual(['Lead C', 'Lead B', 'Lead A']);
    expect(await by('companyName')).toEqual(['Lead C', 'Lead B', 'Lead A']);
    expect((await by('ownerName'))[0]).toBe('Lead B'); // "ángela" sorts before "luis"
    expect((await by('sourceName')).slice(-1)).toEqual(['Lead A']);
    expect(await by('stage')).toEqual(['Lead B', 'Lead C', 'Lead A']);
  });

  it('follows a rename of the contact, the company and the owner, and a stage reorder, in the same write', async () => {
    await admin.patch(`/api/v1/contacts/${made['contactA']}`, { lastName: 'Zapata' });
    expect(titles(await admin.get('/api/v1/leads?sort=contactName')).at(-1)).toBe('Lead A');
    await admin.patch(`/api/v1/companies/${made['companyA']}`, { name: 'Aaa Muebles' });
    expect(titles(await admin.get('/api/v1/leads?sort=companyName'))[0]).toBe('Lead A');
    await admin.patch(`/api/v1/users/${sara.id}`, { name: 'Zulema Sanz' });
    expect(titles(await admin.get('/api/v1/leads?sort=ownerName')).at(-1)).toBe('Lead B');
    const [row] = await db().select().from(lead).where(and(eq(lead.workspaceId, workspaceId), eq(lead.id, made['B']!)));
    await db().update(stage).set({ position: 99 }).where(and(eq(stage.workspaceId, workspaceId), eq(stage.id, row!.stageId)));
    expect(titles(await admin.get('/api/v1/leads?sort=stage')).at(-1)).toBe('Lead B');
  });

  it('follows a lead moved to another contact', async () => {
    // Before: Bravo (B), Castro (C), Zapata (A). C moves to Zapata's contact.
    await admin.patch(`/api/v1/leads/${made['C']}`, { contactId: made['contactA'] });
    const order = titles(await admin.get('/api/v1/leads?sort=contactName'));
    expect(order[0]).toBe('Lead B');
    expect(order.slice(1).sort()).toEqual(['Lead A', 'Lead C']);
  });

  it('pages by a name sort without gaps or repeats', async () => {
    const first = await admin.get('/api/v1/leads?sort=companyName&limit=2');
    const second = await admin.get(`/api/v1/leads?sort=companyName&limit=2&cursor=${first.body.nextCursor}`);
    expect([...titles(first), ...titles(second)].sort()).toEqual(['Lead A', 'Lead B', 'Lead C']);
    expect(second.body.nextCursor).toBeNull();
  });

  it('keeps the copied sort keys out of the API shape', async () => {
    const r = await admin.get(`/api/v1/leads/${made['A']}`);
    expect(r.body).not.toHaveProperty('contactSort');
    expect(r.body).not.toHaveProperty('stageSort');
    expect(r.body.contactName).toContain('Zoe');
  });

  it('walks an index for a name sort instead of sorting every lead', async () => {
    const built = buildLeadListQuery({ workspaceId, userId: luis.id, role: 'admin', teamId: null }, { sort: 'contactName' });
    // Three rows would make any planner scan the table; forbid that to see which index it can walk.
    const plan = await t.deps.database.session(async (conn) => {
      await conn.exec('SET enable_seqscan = off');
      const rows = await conn.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${built.text}`, built.params);
      await conn.exec('SET enable_seqscan = on');
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('lead_contact_sort_idx');
    expect(plan).not.toMatch(/\bSort\b/);
  });
});

describe('filtering leads by probability and last interaction', () => {
  it('bounds the probability and finds leads never contacted or contacted in a window', async () => {
    await admin.patch(`/api/v1/leads/${made['A']}`, { probability: 80 });
    await admin.patch(`/api/v1/leads/${made['B']}`, { probability: 20 });
    expect(titles(await admin.get('/api/v1/leads?probabilityMin=50&sort=title'))).toEqual(['Lead A']);
    expect(titles(await admin.get('/api/v1/leads?probabilityMax=50&sort=title'))).not.toContain('Lead A');
    const logged = await admin.post('/api/v1/activities', {
      type: 'call', leadId: made['B'], subject: 'Llamada', nextAction: { at: new Date(Date.now() + 86_400_000).toISOString(), type: 'call' },
    });
    expect(logged.status).toBe(201);
    const since = new Date(Date.now() - 3_600_000).toISOString();
    expect(titles(await admin.get(`/api/v1/leads?lastActivityFrom=${since}`))).toEqual(['Lead B']);
    expect(titles(await admin.get('/api/v1/leads?withoutActivity=true&sort=title'))).toEqual(['Lead A', 'Lead C']);
    const bad = await admin.get('/api/v1/leads?probabilityMin=mucho');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ field: 'probabilityMin', code: 'invalid_number' });
  });
});

describe('saved views', () => {
  const definition = { filters: { status: 'open', scoreMin: '50' }, sort: { column: 'contact', descending: false }, columns: ['contact', 'stage'] };

  it('are private to their author until shared, and only the author changes them', async () => {
    const created = await luis.c.post('/api/v1/saved-views', { entity: 'lead', name: 'Calientes', definition });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userId: luis.id, name: 'Calientes', shared: false, definition });
    expect((await sara.c.get('/api/v1/saved-views?entity=lead')).body.data).toEqual([]);
    expect((await sara.c.get(`/api/v1/saved-views/${created.body.id}`)).status).toBe(404);

    const shared = await luis.c.patch(`/api/v1/saved-views/${created.body.id}`, { shared: true, version: 1 });
    expect(shared.status).toBe(200);
    expect((await sara.c.get('/api/v1/saved-views?entity=lead')).body.data.map((v: { name: string }) => v.name)).toEqual(['Calientes']);
    expect((await sara.c.patch(`/api/v1/saved-views/${created.body.id}`, { name: 'Mío' })).status).toBe(403);
    expect((await sara.c.del(`/api/v1/saved-views/${created.body.id}`)).status).toBe(403);
    expect((await admin.del(`/api/v1/saved-views/${created.body.id}`)).status).toBe(204);
  });

  it('refuses a second view with the same name for the same list, an unknown list, and an empty name', async () => {
    expect((await luis.c.post('/api/v1/saved-views', { entity: 'lead', name: 'Semana', definition })).status).toBe(201);
    const taken = await luis.c.post('/api/v1/saved-views', { entity: 'lead', name: 'semana', definition });
    expect(taken.status).toBe(409);
    expect(taken.body.errors).toEqual([expect.objectContaining({ field: 'name', code: 'already_exists' })]);
    expect((await luis.c.post('/api/v1/saved-views', { entity: 'contact', name: 'Semana', definition })).status).toBe(201);
    const bad = await luis.c.post('/api/v1/saved-views', { entity: 'deal', name: ' ', definition });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['entity', 'name']);
  });
});
