import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq } from 'drizzle-orm';
import { contact, lead } from '../src/db/schema.js';
import { verifySignature } from '../src/domain/webhook.js';
import { runImport } from '../src/jobs/import.js';
import '../src/jobs/webhooks.js';
import { drainJobs } from '../src/jobs/worker.js';
import { Client, setupWorkspace, testApp, type TestApp } from './harness.js';

/**
 * What other write paths do after a write, an import does too: imported leads raise the webhook
 * events a lead created through the API raises, and imported records are scored as the API scores them.
 */
type Received = { headers: Record<string, string | string[] | undefined>; body: string };
type Event = { id: string; event: string; workspaceId: string; data: Record<string, unknown> };

let t: TestApp;
let admin: Client;
let workspaceId: string;
let adminId: string;
let server: Server;
let secret: string;
let feriaId: string;
const received: Received[] = [];
const events = () => received.map((r) => JSON.parse(r.body) as Event);

const db = () => t.deps.database.db;
const rules = [
  { label: 'viene de feria', weight: 30, condition: { type: 'source', sourceIds: [] as string[] } },
  { label: 'zona Madrid', weight: 10, condition: { type: 'postalCode', prefixes: ['28'] } },
  { label: 'sin contacto en 30 días', weight: -10, condition: { type: 'noContact', days: 30 } },
  { label: 'respondió en 7 días', weight: 15, condition: { type: 'replied', days: 7 } },
];
const inHours = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();

async function importCsv(lines: string[]): Promise<string> {
  const res = await t.app.request('/api/v1/imports?fileName=ferias.csv', {
    method: 'POST', body: lines.join('\n'), headers: { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/octet-stream' },
  });
  const id = ((await res.json()) as { id: string }).id;
  expect(res.status).toBe(201);
  expect((await admin.patch(`/api/v1/imports/${id}`, { createLeads: true, upsertKey: 'email' })).status).toBe(200);
  const done = await runImport(t.deps, workspaceId, id, adminId);
  expect(done.status).toBe('done');
  return id;
}

const leadOf = async (email: string) => {
  const [c] = await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.email, email)));
  const [l] = await db().select().from(lead).where(and(eq(lead.workspaceId, workspaceId), eq(lead.contactId, c!.id)));
  return { contact: c!, lead: l! };
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString('utf8'); });
    req.on('end', () => { received.push({ headers: req.headers, body }); res.end('ok'); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t = await testApp();
  ({ admin, workspaceId, adminId } = await setupWorkspace(t));
  const s = await admin.post('/api/v1/sources', { name: 'Feria', kind: 'fair' });
  expect(s.status).toBe(201);
  feriaId = s.body.id;
  rules[0]!.condition.sourceIds = [feriaId];
  expect((await admin.req('PUT', '/api/v1/score/rules', { rules })).status).toBe(200);
  const hook = await admin.post('/api/v1/webhooks', {
    name: 'ERP', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/erp`, events: ['lead.created', 'lead.updated'],
  });
  expect(hook.status).toBe(201);
  secret = hook.body.secret;
  // The rules change queued a rescoring of the workspace; run it now so it does not mix with what follows.
  await drainJobs(t.deps);
});
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('records created by an import', () => {
  it('raise lead.created for each imported lead, signed, with the lead as stored and its score', async () => {
    await importCsv([
      'Nombre;Apellidos;Correo;C.P.;Origen;Importe',
      'María;García López;maria@ferias.es;28001;Feria;1200',
      'José;Martínez;jose@ferias.es;41001;Feria;300',
      'Ana;Ruiz;ana@ferias.es;08001;;',
    ]);
    // Outbox: nothing is sent before the worker runs, then one delivery per imported lead.
    expect(received).toHaveLength(0);
    await drainJobs(t.deps);
    expect(events().map((e) => e.event)).toEqual(['lead.created', 'lead.created', 'lead.created']);
    for (const r of received) {
      expect(verifySignature(secret, Number(r.headers['x-seguimiento-timestamp']), r.body, String(r.headers['x-seguimiento-signature']))).toBe(true);
    }
    const maria = await leadOf('maria@ferias.es');
    const sent = events().find((e) => e.data['id'] === maria.lead.id)!;
    expect(sent).toMatchObject({ workspaceId, data: { contactId: maria.contact.id, sourceId: feriaId, status: 'open', score: 40, amount: 1200 } });
    expect(sent.data['searchText']).toBeUndefined();
    expect(new Set(events().map((e) => e.id)).size).toBe(3);
  });

  it('are scored as the same lead and contact created through the API are, explanation included', async () => {
    const c = await admin.post('/api/v1/contacts', { firstName: 'María', lastName: 'García', email: 'maria.api@ferias.es', postalCode: '28001' });
    expect(c.status).toBe(201);
    const l = await admin.post('/api/v1/leads', {
      title: 'Por API', contactId: c.body.id, sourceId: feriaId, amount: 1200, nextActionAt: new Date(Date.now() + 86_400_000).toISOString(), nextActionType: 'call',
    });
    expect(l.status).toBe(201);
    for (const [email, score] of [['maria@ferias.es', 40], ['jose@ferias.es', 30], ['ana@ferias.es', 0]] as const) {
      const imported = await leadOf(email);
      expect(imported.lead.score).toBe(score);
    }
    const maria = await leadOf('maria@ferias.es');
    expect(maria.lead.score).toBe(l.body.score);
    expect(maria.lead.scoreExplanation).toEqual(l.body.scoreExplanation);
    const apiContact = await admin.get(`/api/v1/contacts/${c.body.id}`);
    expect(maria.contact.score).toBe(10);
    expect(maria.contact.score).toBe(apiContact.body.score);
    expect(maria.contact.scoreExplanation).toEqual(apiContact.body.scoreExplanation);
    // The webhook receiver gets the same shape of lead from both paths.
    await drainJobs(t.deps);
    const fromApi = events().find((e) => e.data['id'] === l.body.id)!;
    const fromImport = events().find((e) => e.data['id'] === maria.lead.id)!;
    expect(Object.keys(fromImport.data).sort()).toEqual(Object.keys(fromApi.data).sort());
  });

  it('rescores the open lead of a contact a re-import changes, and raises no second lead.created', async () => {
    const before = received.length;
    await importCsv([
      'Nombre;Apellidos;Correo;C.P.;Origen;Importe',
      'José;Martínez;jose@ferias.es;28004;Feria;300',
    ]);
    const jose = await leadOf('jose@ferias.es');
    expect(jose.contact.postalCode).toBe('28004');
    expect(jose.lead.score).toBe(40);
    expect(jose.contact.score).toBe(10);
    await drainJobs(t.deps);
    expect(received.length).toBe(before);
  });

  it('score a lead imported for an existing contact from that contact\'s interactions, as the API scores it', async () => {
    const c = await admin.post('/api/v1/contacts', { firstName: 'Pilar', lastName: 'Soto', email: 'pilar@ferias.es', postalCode: '41001' });
    expect(c.status).toBe(201);
    const reply = await admin.post('/api/v1/activities', { type: 'email', direction: 'inbound', subject: 'Re: catálogo', contactId: c.body.id, occurredAt: inHours(-48) });
    expect(reply.status).toBe(201);
    await importCsv(['Nombre;Apellidos;Correo;C.P.;Origen;Importe', 'Pilar;Soto;pilar@ferias.es;41001;Feria;10']);
    const imported = await leadOf('pilar@ferias.es');
    expect(imported.lead.score).toBe(45);
    const api = await admin.post('/api/v1/leads', { title: 'Por API', contactId: c.body.id, sourceId: feriaId, nextActionAt: inHours(24), nextActionType: 'call' });
    expect(api.status).toBe(201);
    expect(api.body.score).toBe(45);
    expect(imported.lead.scoreExplanation).toEqual(api.body.scoreExplanation);
  });

  it('get time-ordered ids (UUID version 7), so a later import\'s records sort after an earlier one\'s', async () => {
    const earlier = await Promise.all(['maria@ferias.es', 'jose@ferias.es', 'ana@ferias.es'].map(leadOf));
    await importCsv(['Nombre;Apellidos;Correo;C.P.;Origen;Importe', 'Rocío;Vidal;rocio@ferias.es;28010;Feria;50']);
    const later = await leadOf('rocio@ferias.es');
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const r of [...earlier, later]) {
      expect(r.contact.id).toMatch(v7);
      expect(r.lead.id).toMatch(v7);
    }
    for (const r of earlier) {
      expect(later.contact.id > r.contact.id).toBe(true);
      expect(later.lead.id > r.lead.id).toBe(true);
    }
  });
});
