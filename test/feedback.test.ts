import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { sha256 } from '../src/auth/tokens.js';
import { auditEvent, contact, feedback, sale, satisfactionRequest, workspace } from '../src/db/schema.js';
import { Client, setupWorkspace, testApp, type TestApp } from './harness.js';
import { startSmtpServer, type TestSmtpServer } from './smtp-server.js';

let t: TestApp;
let admin: Client;
let adminId: string;
let workspaceId: string;
let rosa: string;
let jaime: string;
let rosaSale: string;
let foreignSale: string;

const NOW = new Date('2026-11-25T11:30:00Z');
const db = () => t.deps.database.db;

async function addContact(wsId: string, firstName: string, lastName: string) {
  const [row] = await db().insert(contact).values({ workspaceId: wsId, firstName, lastName, email: `${firstName.toLowerCase()}@cliente.es` }).returning();
  return row!.id;
}

async function addSale(wsId: string, contactId: string) {
  const [row] = await db().insert(sale).values({ workspaceId: wsId, contactId, soldAt: new Date('2026-11-20T10:00:00Z'), total: 300, currency: 'EUR' }).returning();
  return row!.id;
}

beforeAll(async () => {
  t = await testApp();
  t.setNow(NOW);
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  rosa = await addContact(workspaceId, 'Rosa', 'Martín');
  jaime = await addContact(workspaceId, 'Jaime', 'Sanz');
  rosaSale = await addSale(workspaceId, rosa);
  // Another company on the same installation, with its own client and sale.
  const [other] = await db().insert(workspace).values({ name: 'Otra Tienda' }).returning();
  foreignSale = await addSale(other!.id, await addContact(other!.id, 'Ajeno', 'Otro'));
});
afterAll(async () => { await t.close(); });

describe('recording feedback', () => {
  it('records an answer about a sale, taking the sale\'s client as the contact', async () => {
    const r = await admin.post('/api/v1/feedback', { saleId: rosaSale, nps: 10, satisfaction: 5, comment: 'Encantada', channel: 'phone' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      saleId: rosaSale, contactId: rosa, contactName: 'Rosa Martín', userId: adminId, nps: 10, satisfaction: 5,
      comment: 'Encantada', channel: 'phone', answeredAt: NOW.toISOString(), version: 1,
    });
    expect(r.headers.get('location')).toBe(`/api/v1/feedback/${r.body.id}`);
    const got = await admin.get(`/api/v1/feedback/${r.body.id}`);
    expect(got.body).toEqual(r.body);
    const audit = await db().select().from(auditEvent).where(and(eq(auditEvent.entity, 'feedback'), eq(auditEvent.entityId, r.body.id)));
    expect(audit).toHaveLength(1);
  });

  it('records an answer about a contact alone, with its own date', async () => {
    const r = await admin.post('/api/v1/feedback', { contactId: jaime, nps: 4, channel: 'web', answeredAt: '2026-11-24T18:00:00+01:00' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ saleId: null, contactId: jaime, nps: 4, satisfaction: null, answeredAt: '2026-11-24T17:00:00.000Z' });
  });

  it('refuses scores out of range, naming each field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ nps: 11 }, 'nps'], [{ nps: -1 }, 'nps'], [{ nps: 7.5 }, 'nps'], [{ satisfaction: 0 }, 'satisfaction'], [{ satisfaction: 6 }, 'satisfaction'],
    ];
    for (const [body, field] of cases) {
      const r = await admin.post('/api/v1/feedback', { contactId: rosa, channel: 'phone', ...body });
      expect(r.status).toBe(422);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      expect(r.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
  });

  it('refuses an unknown channel, an unknown field and an empty answer', async () => {
    const ch = await admin.post('/api/v1/feedback', { contactId: rosa, channel: 'fax', nps: 5 });
    expect(ch.body.errors[0].field).toBe('channel');
    const unknown = await admin.post('/api/v1/feedback', { contactId: rosa, channel: 'phone', nps: 5, stars: 3 });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors[0].code).toBe('unknown_field');
    const empty = await admin.post('/api/v1/feedback', { contactId: rosa, channel: 'phone', comment: '  ' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors[0]).toMatchObject({ field: 'nps', code: 'required' });
  });

  it('needs a sale or a contact', async () => {
    const r = await admin.post('/api/v1/feedback', { channel: 'phone', nps: 8 });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'saleId', code: 'required' });
  });

  it('answers 422 naming saleId for a sale of another workspace', async () => {
    const r = await admin.post('/api/v1/feedback', { saleId: foreignSale, channel: 'phone', nps: 8 });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'saleId', code: 'not_found' })]);
  });

  it('refuses a contact who is not the sale\'s client', async () => {
    const r = await admin.post('/api/v1/feedback', { saleId: rosaSale, contactId: jaime, channel: 'phone', nps: 8 });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'contactId', code: 'not_matching_sale' });
  });

  it('refuses an answer dated in the future', async () => {
    const r = await admin.post('/api/v1/feedback', { contactId: rosa, channel: 'phone', nps: 8, answeredAt: '2026-11-26T10:00:00Z' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'answeredAt', code: 'in_the_future' });
  });

  it('answers 404 to an id of another workspace or none', async () => {
    expect((await admin.get('/api/v1/feedback/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('listing and summarising feedback', () => {
  it('lists newest answer first and filters by contact, sale and channel', async () => {
    const all = await admin.get('/api/v1/feedback');
    expect(all.status).toBe(200);
    const dates = all.body.data.map((f: { answeredAt: string }) => f.answeredAt);
    expect(dates).toEqual([...dates].sort().reverse());
    const byContact = await admin.get(`/api/v1/feedback?contactId=${jaime}`);
    expect(byContact.body.data.map((f: { contactId: string }) => f.contactId)).toEqual([jaime]);
    expect((await admin.get(`/api/v1/feedback?saleId=${rosaSale}`)).body.data).toHaveLength(1);
    expect((await admin.get('/api/v1/feedback?channel=web')).body.data.map((f: { nps: number }) => f.nps)).toEqual([4]);
  });

  it('summarises NPS as % promoters − % detractors with the average satisfaction', async () => {
    // So far: one promoter (10, satisfaction 5) and one detractor (4). Add a passive (8, satisfaction 3).
    await admin.post('/api/v1/feedback', { contactId: jaime, nps: 8, satisfaction: 3, channel: 'email' });
    const r = await admin.get('/api/v1/feedback/summary');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      promoters: 1, passives: 1, detractors: 1, npsAnswers: 3, nps: 0, satisfactionAnswers: 2, averageSatisfaction: 4,
    });
  });

  it('gives a null NPS, not 0 or NaN, for a period without answers', async () => {
    const r = await admin.get('/api/v1/feedback/summary?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z');
    expect(r.status).toBe(200);
    expect(r.body.nps).toBeNull();
    expect(r.body.averageSatisfaction).toBeNull();
    expect(r.body.npsAnswers).toBe(0);
  });

  it('summarises one period only', async () => {
    const r = await admin.get('/api/v1/feedback/summary?from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z');
    expect(r.body).toMatchObject({ npsAnswers: 1, detractors: 1, nps: -100 });
  });
});

describe('satisfaction links answered on a public page', () => {
  let smtp: TestSmtpServer;
  let linkSale: string;
  const pathOf = (url: string) => new URL(url).pathname;
  const page = (path: string, form?: Record<string, string>) => t.app.request(path, form
    ? { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }
    : { method: 'GET' });

  beforeAll(async () => {
    smtp = await startSmtpServer();
    linkSale = await addSale(workspaceId, await addContact(workspaceId, 'Lucia', '<b>Pons</b>'));
  });
  afterAll(async () => {
    t.deps.config = { ...t.deps.config, smtp: { ...t.deps.config.smtp, host: undefined, from: undefined } };
    await smtp.close();
  });

  it('creates a single-use link, stores only its hash, and emails it to the client when email is set up', async () => {
    t.deps.config = {
      ...t.deps.config, publicUrl: 'https://crm.garcia.es',
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, user: undefined, password: undefined, from: 'Seguimiento <crm@garcia.es>' },
    };
    const r = await admin.post('/api/v1/satisfaction-links', { saleId: linkSale });
    expect(r.status).toBe(201);
    expect(r.body.url).toMatch(/^https:\/\/crm\.garcia\.es\/satisfaction\/[A-Za-z0-9_-]{43}$/);
    expect(r.body.expiresAt).toBe('2026-12-25T11:30:00.000Z');
    expect(r.body.emailedTo).toBe('lucia@cliente.es');
    expect(smtp.messages).toHaveLength(1);
    expect(smtp.messages[0]!.to).toEqual(['lucia@cliente.es']);
    expect(smtp.messages[0]!.text).toContain(r.body.url);
    const [row] = await db().select().from(satisfactionRequest).where(eq(satisfactionRequest.id, r.body.id));
    expect(row!.tokenHash).toBe(sha256(r.body.url.split('/').at(-1)));
    expect(row!.emailedAt?.toISOString()).toBe(NOW.toISOString());
  });

  it('shows the form without logging in, escaping names, and never caches it', async () => {
    const { body } = await admin.post('/api/v1/satisfaction-links', { saleId: linkSale, send: false });
    expect(body.emailedTo).toBeNull();
    const res = await page(pathOf(body.url));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('Muebles García');
    expect(html).toContain('name="nps" value="10"');
    expect(html).not.toContain('<b>Pons</b>');
  });

  it('records the answer once, as a web answer by nobody, and then says it was answered', async () => {
    const { body } = await admin.post('/api/v1/satisfaction-links', { saleId: linkSale, send: false });
    const path = pathOf(body.url);
    const bad = await page(path, { nps: '12', satisfaction: '', comment: '' });
    expect(bad.status).toBe(422);
    const ok = await page(path, { nps: '9', satisfaction: '4', comment: 'Muy amables' });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Gracias');
    const rows = await db().select().from(feedback).where(and(eq(feedback.saleId, linkSale), eq(feedback.comment, 'Muy amables')));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ nps: 9, satisfaction: 4, channel: 'web', userId: null });
    const audit = await db().select().from(auditEvent).where(and(eq(auditEvent.entity, 'feedback'), eq(auditEvent.entityId, rows[0]!.id)));
    expect(audit[0]!.userId).toBeNull();
    const again = await page(path, { nps: '0' });
    expect(again.status).toBe(410);
    expect((await page(path)).status).toBe(410);
    expect(await db().select().from(feedback).where(eq(feedback.saleId, linkSale))).toHaveLength(1);
  });

  it('refuses an expired link and an unknown one', async () => {
    const { body } = await admin.post('/api/v1/satisfaction-links', { saleId: linkSale, send: false });
    t.setNow(new Date(NOW.getTime() + 31 * 24 * 3600_000));
    try {
      expect((await page(pathOf(body.url))).status).toBe(410);
      expect((await page(pathOf(body.url), { nps: '10' })).status).toBe(410);
    } finally {
      t.setNow(NOW);
    }
    expect((await page('/satisfaction/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await page('/satisfaction/short')).status).toBe(404);
  });

  it('answers 422 naming saleId for a sale of another workspace', async () => {
    const r = await admin.post('/api/v1/satisfaction-links', { saleId: foreignSale, send: false });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'saleId', code: 'not_found' });
  });
});
