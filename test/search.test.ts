import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkspace } from '../src/db/queries/workspaces.js';
import { hashPassword } from '../src/auth/password.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

let t: TestApp;
let admin: Client;
let luis: { id: string; c: Client };
let other: Client;
const ids: Record<string, string> = {};
// Noon in Madrid, so "in one hour" is still today whenever the suite runs.
const NOW = new Date('2026-06-10T10:00:00Z');
const inHours = (h: number) => new Date(NOW.getTime() + h * 3_600_000).toISOString();

type Hit = { kind: string; id: string; name: string; ownerName: string | null; companyName: string | null; today: { title: string; ownerName: string }[]; recent: { subject: string; userName: string }[] };
const search = async (c: Client, q: string) => {
  const r = await c.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
  expect(r.status).toBe(200);
  return r.body as { kind: string | null; results: Hit[] };
};
const names = async (c: Client, q: string) => (await search(c, q)).results.map((h) => h.name);

beforeAll(async () => {
  t = await testApp();
  t.setNow(NOW);
  let workspaceId: string;
  ({ admin, workspaceId } = await setupWorkspace(t));
  luis = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@ejemplo.es', role: 'sales' });
  const co = await admin.post('/api/v1/companies', { name: 'Ferretería Núñez', phone: '+34 911 22 33 44' });
  ids['company'] = co.body.id;
  const garcia = await admin.post('/api/v1/contacts', { firstName: 'María', lastName: 'García', secondLastName: 'Oñate', email: 'maria.garcia@ejemplo.es', phone: '+34612345678', companyId: co.body.id, ownerId: luis.id });
  expect(garcia.status).toBe(201);
  ids['garcia'] = garcia.body.id;
  ids['other'] = (await admin.post('/api/v1/contacts', { firstName: 'Jorge', lastName: 'Marcial', email: 'jorge@otro.es', phone: '+34699000111' })).body.id;
  // She is expected today (Luis's lead) and was called yesterday.
  const lead = await luis.c.post('/api/v1/leads', { title: 'Reforma baño García', contactId: ids['garcia'], companyId: co.body.id, nextActionAt: inHours(1), nextActionType: 'call' });
  expect(lead.status).toBe(201);
  const logged = await luis.c.post('/api/v1/activities', { type: 'call', leadId: lead.body.id, subject: 'Pidió presupuesto', nextAction: { at: inHours(1), type: 'call' } });
  expect(logged.status).toBe(201);
  // Another workspace's García must never show.
  await createWorkspace(t.deps.database, {
    workspaceName: 'Otra', currency: 'EUR', timeZone: 'Europe/Madrid', locale: 'es', defaultCountry: 'ES',
    admin: { name: 'Jefa Otra', email: 'jefa@otra.es', passwordHash: await hashPassword(PASSWORD) },
  }, { onlyIfFirst: false });
  other = new Client(t);
  await other.login('jefa@otra.es', PASSWORD);
  await other.post('/api/v1/contacts', { firstName: 'María', lastName: 'García', phone: '+34612345678' });
});
afterAll(async () => { await t.close(); });

describe('instant search', () => {
  it('finds a person by part of the name without accents or case, and by words in any order', async () => {
    expect(await names(luis.c, 'garcia')).toEqual(['María García Oñate']);
    expect(await names(luis.c, 'GARC')).toEqual(['María García Oñate']);
    expect(await names(luis.c, 'onate maria')).toEqual(['María García Oñate']);
    expect(await names(luis.c, 'garcia jorge')).toEqual([]);
  });

  it('finds a person by phone in any format and by email', async () => {
    for (const q of ['612 34 56 78', '+34 612-345-678', '0034612345678', '612345678']) {
      const r = await search(luis.c, q);
      expect(r.kind, q).toBe('phone');
      expect(r.results.map((h) => h.name), q).toEqual(['María García Oñate']);
    }
    const byMail = await search(luis.c, 'Maria.Garcia@ejemplo.es');
    expect(byMail.kind).toBe('email');
    expect(byMail.results.map((h) => h.id)).toEqual([ids['garcia']]);
  });

  it('finds a company by name and by a phone stored with spaces', async () => {
    expect((await search(luis.c, 'nunez')).results.map((h) => [h.kind, h.name])).toEqual([['company', 'Ferretería Núñez']]);
    expect((await search(luis.c, '911 223 344')).results.map((h) => h.id)).toEqual([ids['company']]);
  });

  it('shows the owner, today\'s appointment and the last interactions to anyone in the team', async () => {
    const [hit] = (await search(admin, 'garcia')).results;
    expect(hit).toMatchObject({ kind: 'contact', ownerName: 'Luis Pérez', companyName: 'Ferretería Núñez' });
    expect(hit!.today).toEqual([expect.objectContaining({ title: 'Reforma baño García', ownerName: 'Luis Pérez', type: 'call' })]);
    expect(hit!.recent).toEqual([expect.objectContaining({ subject: 'Pidió presupuesto', userName: 'Luis Pérez' })]);
    const [company] = (await search(admin, 'ferreteria')).results;
    expect(company!.today.map((x) => x.title)).toEqual(['Reforma baño García']);
  });

  it('stays inside the workspace and answers nothing for a query too short', async () => {
    expect((await search(other, 'garcia')).results).toHaveLength(1);
    expect((await search(other, 'garcia')).results[0]!.id).not.toBe(ids['garcia']);
    expect(await search(luis.c, ' g ')).toEqual({ kind: null, results: [] });
    expect((await luis.c.get('/api/v1/search')).status).toBe(422);
    expect((await new Client(t).get('/api/v1/search?q=garcia')).status).toBe(401);
  });
});
