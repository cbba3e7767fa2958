import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import ICAL from 'ical.js';
import { hashPassword } from '../src/auth/password.js';
import { activity, appUser, auditEvent, company, contact, lead, stage } from '../src/db/schema.js';
import { calendarItemsQuery } from '../src/db/queries/calendar.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let cold: { id: string; pipelineId: string; probability: number };
let won: { id: string; pipelineId: string; probability: number };

const NOW = new Date('2026-11-23T08:00:00Z');
const days = (n: number) => new Date(NOW.getTime() + n * 86_400_000);
const db = () => t.deps.database.db;

async function addUser(name: string, email: string, locale: 'es' | 'en' | null = null) {
  const [u] = await db().insert(appUser).values({ workspaceId, email, name, role: 'sales', locale, passwordHash: await hashPassword(PASSWORD) }).returning();
  const c = new Client(t);
  await c.login(email, PASSWORD);
  return { id: u!.id, c };
}

async function addLead(o: { title: string; ownerId: string; at: Date | null; type?: string | null; note?: string; contactId?: string; companyId?: string; won?: boolean }) {
  const s = o.won ? won : cold;
  const [row] = await db().insert(lead).values({
    workspaceId, title: o.title, contactId: o.contactId ?? null, companyId: o.companyId ?? null, pipelineId: s.pipelineId, stageId: s.id, probability: s.probability,
    currency: 'EUR', ownerId: o.ownerId, status: o.won ? 'won' : 'open', closedAt: o.won ? NOW : null,
    nextActionAt: o.at, nextActionType: (o.at && o.type !== null ? o.type ?? 'call' : null) as never, nextActionNote: o.note ?? null,
  }).returning();
  return row!.id;
}

async function addActivity(o: { userId: string; type: string; dueAt: Date; subject: string; body?: string; leadId?: string; done?: boolean }) {
  const [row] = await db().insert(activity).values({
    workspaceId, userId: o.userId, type: o.type as never, dueAt: o.dueAt, subject: o.subject, body: o.body ?? null,
    leadId: o.leadId ?? null, doneAt: o.done ? NOW : null,
  }).returning();
  return row!.id;
}

type ParsedEvent = { uid: string; start: string; minutes: number; summary: string; description: string | null; url: string | null; sequence: number };

/** Parses a feed with ical.js, a parser independent of the library that wrote it. */
function parseFeed(text: string): { name: string | null; events: ParsedEvent[] } {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      start: e.startDate.toJSDate().toISOString(),
      minutes: (e.endDate.toJSDate().getTime() - e.startDate.toJSDate().getTime()) / 60_000,
      summary: e.summary,
      description: (e.description as string | null) ?? null,
      url: (v.getFirstPropertyValue('url') as string | null) ?? null,
      sequence: e.sequence,
    };
  });
  return { name: (cal.getFirstPropertyValue('x-wr-calname') as string | null) ?? null, events };
}

async function fetchFeed(url: string) {
  const res = await t.app.request(new URL(url).pathname);
  return { status: res.status, type: res.headers.get('content-type'), cache: res.headers.get('cache-control'), text: await res.text() };
}

let ids: Record<string, string>;

beforeAll(async () => {
  t = await testApp();
  t.setNow(NOW);
  ({ admin, workspaceId } = await setupWorkspace(t));
  const rows = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
  const pick = (i: number) => ({ id: rows[i]!.id, pipelineId: rows[i]!.pipelineId, probability: rows[i]!.probability });
  cold = pick(0);
  won = pick(3);
  luis = await addUser('Luis Ortega', 'luis@garcia.es');
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'en');
  const [c] = await db().insert(contact).values({ workspaceId, firstName: 'Elena', lastName: 'Pérez', secondLastName: 'Soto' }).returning();
  ids = {
    kitchen: await addLead({ title: 'Reforma cocina', ownerId: luis.id, at: new Date('2026-11-24T09:30:00Z'), note: 'Llevar catálogo', contactId: c!.id }),
    recent: await addLead({ title: 'Armario empotrado', ownerId: luis.id, at: days(-10), type: 'visit' }),
    tooOld: await addLead({ title: 'Mesa antigua', ownerId: luis.id, at: days(-40) }),
    closed: await addLead({ title: 'Sofá vendido', ownerId: luis.id, at: null, won: true }),
    none: await addLead({ title: 'Sin fecha', ownerId: luis.id, at: null }),
    martas: await addLead({ title: 'Dormitorio', ownerId: marta.id, at: days(2), type: 'meeting', note: 'Bring samples' }),
  };
  // Imported data: a next action without a type, on a company without a contact.
  const [sur] = await db().insert(company).values({ workspaceId, name: 'Muebles Sur' }).returning();
  ids['office'] = await addLead({ title: 'Oficina central', ownerId: luis.id, at: new Date('2026-11-26T08:00:00Z'), type: null, companyId: sur!.id });
  ids['task'] = await addActivity({ userId: luis.id, type: 'task', dueAt: new Date('2026-11-25T15:00:00Z'), subject: 'Preparar presupuesto', body: 'Con IVA', leadId: ids['kitchen'] });
  ids['freeTask'] = await addActivity({ userId: luis.id, type: 'call', dueAt: days(1), subject: 'Llamar al proveedor' });
  ids['doneTask'] = await addActivity({ userId: luis.id, type: 'task', dueAt: days(1), subject: 'Ya hecha', done: true });
  ids['martasTask'] = await addActivity({ userId: marta.id, type: 'task', dueAt: days(1), subject: 'Not Luis' });
});
afterAll(async () => { await t.close(); });

describe('calendar feed URL', () => {
  it('needs a logged-in user', async () => {
    expect((await new Client(t).get('/api/v1/calendar/feed')).status).toBe(401);
  });

  it('is created on the first call and the same URL is shown on the next ones', async () => {
    const first = await luis.c.get('/api/v1/calendar/feed');
    expect(first.status).toBe(200);
    expect(first.body.url).toMatch(/^http:\/\/localhost\/ical\/[A-Za-z0-9_-]{43}\.ics$/);
    expect(first.body.webcalUrl).toBe(first.body.url.replace('http:', 'webcal:'));
    expect(first.headers.get('cache-control')).toBe('no-store');
    const again = await luis.c.get('/api/v1/calendar/feed');
    expect(again.body.url).toBe(first.body.url);
    const other = await marta.c.get('/api/v1/calendar/feed');
    expect(other.body.url).not.toBe(first.body.url);
  });

  it('is documented in the OpenAPI document', async () => {
    const doc = (await new Client(t).get('/api/openapi.json')).body;
    expect(doc.paths).toHaveProperty(['/calendar/feed']);
    expect(doc.paths).toHaveProperty(['/calendar/feed/reset']);
    expect(Object.keys(doc.components.schemas.CalendarFeed.properties).sort()).toEqual(['createdAt', 'lastUsedAt', 'url', 'webcalUrl']);
  });

  it('stores only a hash of the token, and audits the creation without it', async () => {
    const { body } = await luis.c.get('/api/v1/calendar/feed');
    const token = /\/ical\/(.+)\.ics$/.exec(body.url)![1]!;
    const stored = await t.deps.database.query<{ token_hash: string }>('SELECT token_hash FROM calendar_feed WHERE workspace_id = $1 AND user_id = $2', [workspaceId, luis.id]);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.token_hash).not.toContain(token);
    const audits = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entity, 'calendar_feed'), eq(auditEvent.userId, luis.id)));
    expect(audits.map((a) => a.action)).toEqual(['create']);
    expect(JSON.stringify(audits[0]!.changes)).not.toContain(token);
  });
});

describe('calendar feed content', () => {
  it('serves text/calendar with one event per next action and planned activity of the user, from 30 days ago on', async () => {
    const feed = await fetchFeed((await luis.c.get('/api/v1/calendar/feed')).body.url);
    expect(feed.status).toBe(200);
    expect(feed.type).toBe('text/calendar; charset=utf-8');
    expect(feed.cache).toContain('private');
    const { name, events } = parseFeed(feed.text);
    expect(name).toBe('Seguimiento — Luis Ortega');
    expect(events.map((e) => e.uid)).toEqual([
      `next-action-${ids['recent']}@seguimiento`,
      `activity-${ids['freeTask']}@seguimiento`,
      `next-action-${ids['kitchen']}@seguimiento`,
      `activity-${ids['task']}@seguimiento`,
      `next-action-${ids['office']}@seguimiento`,
    ]);
    expect(events.map((e) => e.start)).toEqual([
      days(-10).toISOString(), days(1).toISOString(), '2026-11-24T09:30:00.000Z', '2026-11-25T15:00:00.000Z', '2026-11-26T08:00:00.000Z',
    ]);
    expect(events.every((e) => e.minutes === 30)).toBe(true);
  });

  it('titles each event with the action type, the lead and the contact, in the user language', async () => {
    const { events } = parseFeed((await fetchFeed((await luis.c.get('/api/v1/calendar/feed')).body.url)).text);
    const kitchen = events.find((e) => e.uid.includes(ids['kitchen']!))!;
    expect(kitchen.summary).toBe('Llamada: Reforma cocina — Elena Pérez Soto');
    expect(kitchen.description).toBe('Llevar catálogo');
    expect(kitchen.url).toBe(`http://localhost/leads/${ids['kitchen']}`);
    expect(events.find((e) => e.uid.includes(ids['recent']!))!.summary).toBe('Visita: Armario empotrado');
    const task = events.find((e) => e.uid.includes(ids['task']!))!;
    expect(task.summary).toBe('Tarea: Reforma cocina');
    expect(task.description).toBe('Preparar presupuesto\n\nCon IVA');
    expect(task.url).toBe(`http://localhost/leads/${ids['kitchen']}`);
    const free = events.find((e) => e.uid.includes(ids['freeTask']!))!;
    expect(free.summary).toBe('Llamada: Llamar al proveedor');
    expect(free.url).toBeNull();
    expect(events.find((e) => e.uid.includes(ids['office']!))!.summary).toBe('Próxima acción: Oficina central — Muebles Sur');

    const english = parseFeed((await fetchFeed((await marta.c.get('/api/v1/calendar/feed')).body.url)).text);
    expect(english.events.map((e) => e.summary)).toEqual(['Task: Not Luis', 'Meeting: Dormitorio']);
  });

  it('keeps an event UID when its next action moves, with a higher SEQUENCE and the new time', async () => {
    const url = (await luis.c.get('/api/v1/calendar/feed')).body.url;
    const before = parseFeed((await fetchFeed(url)).text).events.find((e) => e.uid.includes(ids['kitchen']!))!;
    await db().update(lead).set({ nextActionAt: new Date('2026-11-26T10:00:00Z'), version: 2 }).where(and(eq(lead.workspaceId, workspaceId), eq(lead.id, ids['kitchen']!)));
    const after = parseFeed((await fetchFeed(url)).text).events.find((e) => e.uid.includes(ids['kitchen']!))!;
    expect(after.uid).toBe(before.uid);
    expect(after.start).toBe('2026-11-26T10:00:00.000Z');
    expect(after.sequence).toBeGreaterThan(before.sequence);
  });

  it('uses PUBLIC_URL for the feed and lead links when it is set', async () => {
    const saved = t.deps.config;
    t.deps.config = { ...saved, publicUrl: 'https://crm.example.com' };
    try {
      const { body } = await luis.c.get('/api/v1/calendar/feed');
      expect(body.url).toMatch(/^https:\/\/crm\.example\.com\/ical\//);
      expect(body.webcalUrl).toMatch(/^webcal:\/\/crm\.example\.com\/ical\//);
      const { events } = parseFeed((await fetchFeed(body.url)).text);
      expect(events.find((e) => e.uid.includes(ids['kitchen']!))!.url).toBe(`https://crm.example.com/leads/${ids['kitchen']}`);
    } finally {
      t.deps.config = saved;
    }
  });
});

describe('calendar feed access', () => {
  it('answers 404 to an unknown or malformed token', async () => {
    expect((await fetchFeed(`http://localhost/ical/${'A'.repeat(43)}.ics`)).status).toBe(404);
    expect((await fetchFeed('http://localhost/ical/short.ics')).status).toBe(404);
    expect((await fetchFeed('http://localhost/ical/whatever')).status).toBe(404);
  });

  it('stops serving the old URL once the feed is reset, and serves the new one', async () => {
    const old = (await luis.c.get('/api/v1/calendar/feed')).body.url;
    expect((await fetchFeed(old)).status).toBe(200);
    const reset = await luis.c.post('/api/v1/calendar/feed/reset');
    expect(reset.status).toBe(200);
    expect(reset.body.url).not.toBe(old);
    expect((await fetchFeed(old)).status).toBe(404);
    const fresh = await fetchFeed(reset.body.url);
    expect(fresh.status).toBe(200);
    expect(parseFeed(fresh.text).events).toHaveLength(5);
    expect((await luis.c.get('/api/v1/calendar/feed')).body.url).toBe(reset.body.url);
    const audits = await db().select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entity, 'calendar_feed'), eq(auditEvent.action, 'reset')));
    expect(audits).toHaveLength(1);
  });

  it('records when a calendar app last fetched the feed', async () => {
    const { body } = await marta.c.get('/api/v1/calendar/feed');
    await fetchFeed(body.url);
    expect((await marta.c.get('/api/v1/calendar/feed')).body.lastUsedAt).toBe(NOW.toISOString());
  });

  it('stops serving the feed of a deactivated user', async () => {
    const url = (await marta.c.get('/api/v1/calendar/feed')).body.url;
    await db().update(appUser).set({ isActive: false }).where(and(eq(appUser.workspaceId, workspaceId), eq(appUser.id, marta.id)));
    try {
      expect((await fetchFeed(url)).status).toBe(404);
    } finally {
      await db().update(appUser).set({ isActive: true }).where(and(eq(appUser.workspaceId, workspaceId), eq(appUser.id, marta.id)));
    }
  });

  it('gives a new URL when the app secret changes, and the old one stops working', async () => {
    const before = (await luis.c.get('/api/v1/calendar/feed')).body.url;
    const saved = t.deps.secret;
    t.deps.secret = 'another secret of at least thirty-two characters';
    try {
      // The session cookie is signed with the secret too, so authenticate with an admin session made now.
      const c = new Client(t);
      await c.login('luis@garcia.es', PASSWORD);
      const after = (await c.get('/api/v1/calendar/feed')).body.url;
      expect(after).not.toBe(before);
      expect((await fetchFeed(before)).status).toBe(404);
      expect((await fetchFeed(after)).status).toBe(200);
    } finally {
      t.deps.secret = saved;
    }
  });

  it('lets admin manage only their own feed (the URL is per user)', async () => {
    const a = await admin.get('/api/v1/calendar/feed');
    const { events } = parseFeed((await fetchFeed(a.body.url)).text);
    expect(events).toEqual([]);
  });
});

describe('calendar feed query', () => {
  it('reads leads through lead_owner_next_action_idx and activities through activity_user_due_idx', async () => {
    // Twenty sellers with a few hundred actions each, so one user's rows are a small part of the table.
    const sellers = [luis.id, ...(await t.deps.database.query<{ id: string }>(`INSERT INTO app_user (workspace_id, email, name, role)
      SELECT $1, 'vol' || g || '@garcia.es', 'Vol ' || g, 'sales' FROM generate_series(1, 19) g RETURNING id`, [workspaceId])).map((r) => r.id)];
    await t.deps.database.query(`INSERT INTO lead (workspace_id, title, pipeline_id, stage_id, probability, currency, owner_id, next_action_at, next_action_type)
      SELECT $1, 'Volumen ' || g, $2, $3, 10, 'EUR', ($4::uuid[])[1 + g % 20], $5::timestamptz + (g % 500 - 100) * interval '1 hour', 'call'
        FROM generate_series(1, 6000) g`, [workspaceId, cold.pipelineId, cold.id, sellers, NOW]);
    await t.deps.database.query(`INSERT INTO activity (workspace_id, type, subject, due_at, user_id, done_at)
      SELECT $1, 'task', 'Tarea ' || g, $3::timestamptz + (g % 500 - 100) * interval '1 hour', ($2::uuid[])[1 + g % 20], CASE WHEN g % 3 = 0 THEN $3::timestamptz END
        FROM generate_series(1, 6000) g`, [workspaceId, sellers, NOW]);
    const q = calendarItemsQuery(workspaceId, luis.id, days(-30), 100);
    const plan = await t.deps.database.session(async (conn) => {
      await conn.query('ANALYZE lead');
      await conn.query('ANALYZE activity');
      await conn.query('SET enable_seqscan = off');
      try {
        return (await conn.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.text}`, q.params)).map((r) => r['QUERY PLAN']).join('\n');
      } finally {
        await conn.query('RESET enable_seqscan');
      }
    });
    expect(plan).toContain('lead_owner_next_action_idx');
    expect(plan).toContain('activity_user_due_idx');
    // Each branch walks its index in order and stops at the limit, rather than fetching the user's whole range.
    expect(plan).not.toMatch(/(Seq|Bitmap Heap) Scan on (lead|activity)\b/);
  });
});
