import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvent, lead } from '../src/db/schema.js';
import { addLoggedInUser, Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let sourceId: string;
let campaignId: string;
let productId: string;

// 10:00:20 in Madrid: a minute window has 40 s left, and "today" is 2026-11-23 locally.
const NOW = new Date('2026-11-23T09:00:20Z');

const baseForm = () => ({
  name: 'Pide presupuesto',
  fields: [
    { key: 'firstName', label: 'Nombre', required: true },
    { key: 'lastName', label: 'Apellidos', required: false },
    { key: 'email', label: 'Correo', required: true },
    { key: 'phone', label: 'Teléfono', required: false },
    { key: 'message', label: '¿Qué necesitas?', required: false },
  ],
  sourceId, campaignId, productId,
  assignment: 'fixed', ownerId: luis.id,
});

async function createForm(overrides: Record<string, unknown> = {}) {
  const r = await admin.post('/api/v1/web-forms', { ...baseForm(), ...overrides });
  if (r.status !== 201) throw new Error(`form: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body as { id: string; publicId: string };
}

/** Posts to the public endpoint as a visitor at `ip`: JSON by default, or as the hosted page's browser form. */
async function submit(publicId: string, values: Record<string, string>, opts: { ip?: string; asBrowser?: boolean; forwardedFor?: string } = {}) {
  const headers: Record<string, string> = opts.asBrowser
    ? { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html,application/xhtml+xml' }
    : { 'content-type': 'application/json' };
  if (opts.forwardedFor) headers['x-forwarded-for'] = opts.forwardedFor;
  const body = opts.asBrowser ? new URLSearchParams(values).toString() : JSON.stringify(values);
  const res = await t.app.request(`/api/public/forms/${publicId}/submissions`, { method: 'POST', headers, body },
    { incoming: { socket: { remoteAddress: opts.ip ?? '198.51.100.7' } } });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience over arbitrary JSON
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, body: json };
}

const allLeads = async () => (await admin.get('/api/v1/leads?limit=200')).body.data as { id: string; title: string; ownerId: string | null; contactId: string }[];

beforeAll(async () => {
  t = await testApp();
  t.setNow(NOW);
  ({ admin, workspaceId } = await setupWorkspace(t));
  luis = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@garcia.es', role: 'sales' });
  marta = await addLoggedInUser(t, workspaceId, { name: 'Marta Gil', email: 'marta@garcia.es', role: 'sales' });
  sourceId = (await admin.post('/api/v1/sources', { name: 'Web', kind: 'website' })).body.id;
  campaignId = (await admin.post('/api/v1/campaigns', { name: 'Navidad 2026', sourceId })).body.id;
  productId = (await admin.post('/api/v1/products', { name: 'Cocina Ébano', unitPrice: 1000 })).body.id;
});
afterAll(async () => { await t.close(); });

describe('web form administration', () => {
  it('an admin creates a form with an unguessable public id; a salesperson may neither read nor create forms', async () => {
    const form = await createForm();
    expect(form.publicId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await luis.c.get('/api/v1/web-forms')).status).toBe(403);
    expect((await luis.c.post('/api/v1/web-forms', baseForm())).status).toBe(403);
    const list = await admin.get('/api/v1/web-forms');
    expect(list.body.data.map((f: { id: string }) => f.id)).toContain(form.id);
    expect(list.body.data[0]).not.toHaveProperty('roundRobinCursor');
  });

  it('refuses a form without a required first name or a way to reach the person, naming each problem', async () => {
    const r = await admin.post('/api/v1/web-forms', { ...baseForm(), fields: [{ key: 'firstName', label: 'Nombre', required: false }], assignment: 'round_robin', assigneeIds: [] });
    expect(r.status).toBe(422);
    expect(r.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual([
      'fields:first_name_required', 'fields:contact_channel_required', 'assigneeIds:required',
    ]);
  });

  it('refuses an owner or a source from another workspace as if it did not exist', async () => {
    const r = await admin.post('/api/v1/web-forms', { ...baseForm(), ownerId: '00000000-0000-4000-8000-000000000000' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'ownerId', code: 'not_found' });
  });

  it('changes to a form are audited', async () => {
    const form = await createForm();
    const r = await admin.patch(`/api/v1/web-forms/${form.id}`, { name: 'Contacto' });
    expect(r.status).toBe(200);
    const events = await t.deps.database.db.select().from(auditEvent)
      .where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entityId, form.id)));
    expect(events.map((e) => e.action).sort()).toEqual(['create', 'update']);
  });
});

describe('a submission', () => {
  it('creates the contact and a lead with the form source, campaign, product, owner and a call due today, and notifies the owner', async () => {
    const form = await createForm();
    const r = await submit(form.publicId, { firstName: 'Carmen', lastName: 'Ruiz Soler', email: 'Carmen@Example.ES', phone: '612 345 678', message: 'Quiero una cocina' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ received: true });
    expect(r.headers.get('access-control-allow-origin')).toBe('*');

    const created = (await allLeads()).find((l) => l.title === 'Carmen Ruiz Soler · Pide presupuesto')!;
    const full = (await admin.get(`/api/v1/leads/${created.id}`)).body;
    expect(full).toMatchObject({
      sourceId, campaignId, productIds: [productId], ownerId: luis.id, status: 'open', nextActionType: 'call', nextActionNote: 'Quiero una cocina',
    });
    expect(new Date(full.nextActionAt).toISOString()).toBe('2026-11-23T10:00:20.000Z');
    const contact = (await admin.get(`/api/v1/contacts/${full.contactId}`)).body;
    expect(contact).toMatchObject({ firstName: 'Carmen', email: 'carmen@example.es', phone: '+34612345678', ownerId: luis.id });

    const notes = (await luis.c.get('/api/v1/notifications')).body.data.filter((n: { kind: string }) => n.kind === 'web_form_lead');
    expect(notes[0]).toMatchObject({ link: `/leads/${created.id}` });
    expect(notes[0].title).toContain('Carmen Ruiz Soler');

    // The contact and the lead are audited as created by nobody in particular (the public).
    const audits = await t.deps.database.db.select().from(auditEvent).where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entityId, created.id)));
    expect(audits).toEqual([expect.objectContaining({ action: 'create', userId: null, entity: 'lead' })]);
  });

  it('from a known email or phone reuses the contact instead of duplicating it', async () => {
    const form = await createForm();
    await submit(form.publicId, { firstName: 'Jorge', email: 'jorge@example.es' }, { ip: '198.51.100.20' });
    await submit(form.publicId, { firstName: 'Jorge', email: 'JORGE@example.es', phone: '600111222' }, { ip: '198.51.100.20' });
    const contacts = (await admin.get('/api/v1/contacts?q=jorge')).body.data;
    expect(contacts).toHaveLength(1);
    const leads = (await admin.get(`/api/v1/leads?contactId=${contacts[0].id}`)).body.data;
    expect(leads).toHaveLength(2);
  });

  it('round robin gives the leads to the listed users in turns', async () => {
    const form = await createForm({ assignment: 'round_robin', ownerId: null, assigneeIds: [luis.id, marta.id], name: 'Turnos' });
    for (const [i, name] of ['Uno', 'Dos', 'Tres'].entries()) {
      expect((await submit(form.publicId, { firstName: name, email: `rr${i}@example.es` }, { ip: `198.51.100.${30 + i}` })).status).toBe(201);
    }
    const leads = await allLeads();
    const ownerOf = (n: string) => leads.find((l) => l.title === `${n} · Turnos`)?.ownerId;
    expect(['Uno', 'Dos', 'Tres'].map(ownerOf)).toEqual([luis.id, marta.id, luis.id]);
  });

  it('with the honeypot filled is answered like any other but makes no contact or lead, and is logged as spam', async () => {
    const form = await createForm();
    const before = (await t.deps.database.db.select().from(lead).where(eq(lead.workspaceId, workspaceId))).length;
    const r = await submit(form.publicId, { firstName: 'Bot', email: 'bot@spam.example', website: 'http://spam.example' }, { ip: '198.51.100.50' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ received: true });
    expect((await t.deps.database.db.select().from(lead).where(eq(lead.workspaceId, workspaceId))).length).toBe(before);
    expect((await admin.get('/api/v1/contacts?q=bot@spam')).body.data).toHaveLength(0);
    const log = (await admin.get(`/api/v1/web-forms/${form.id}/submissions`)).body.data;
    expect(log).toEqual([expect.objectContaining({ isSpam: true, leadId: null, contactId: null })]);
  });

  it('a flood from one address is throttled with Retry-After while another address still gets through', async () => {
    const form = await createForm({ name: 'Inundada' });
    const flood = [];
    for (let i = 0; i < 6; i++) flood.push(await submit(form.publicId, { firstName: `F${i}`, email: `flood${i}@example.es` }, { ip: '203.0.113.9' }));
    expect(flood.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429]);
    expect(flood[5]!.headers.get('retry-after')).toBe('40');
    expect(flood[5]!.body).toMatchObject({ code: 'rate_limited' });
    const other = await submit(form.publicId, { firstName: 'Real', email: 'real@example.es' }, { ip: '203.0.113.10' });
    expect(other.status).toBe(201);
    // The next window lets the first address in again.
    t.setNow(new Date(NOW.getTime() + 60_000));
    try {
      expect((await submit(form.publicId, { firstName: 'F6', email: 'flood6@example.es' }, { ip: '203.0.113.9' })).status).toBe(201);
    } finally {
      t.setNow(NOW);
    }
    const log = (await admin.get(`/api/v1/web-forms/${form.id}/submissions`)).body.data;
    expect(log).toHaveLength(7);
  });

  it('ignores X-Forwarded-For unless TRUST_PROXY is on: a flood cannot dodge the limit by inventing addresses', async () => {
    expect(t.deps.config.trustProxy).toBe(false);
    const form = await createForm({ name: 'Sin proxy' });
    const flood = [];
    for (let i = 0; i < 6; i++) {
      flood.push(await submit(form.publicId, { firstName: `X${i}`, email: `xff${i}@example.es` }, { ip: '203.0.113.20', forwardedFor: `198.51.100.${100 + i}` }));
    }
    expect(flood.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429]);
  });

  it('with TRUST_PROXY on, limits by the right-most X-Forwarded-For hop that is not a proxy, whatever the client wrote left of it', async () => {
    const form = await createForm({ name: 'Tras proxy' });
    t.deps.config.trustProxy = true;
    try {
      // All through one proxy (the socket); the visitor at 203.0.113.40 varies what it sends itself.
      const flood = [];
      for (let i = 0; i < 6; i++) {
        flood.push(await submit(form.publicId, { firstName: `P${i}`, email: `proxy${i}@example.es` },
          { ip: '10.0.0.2', forwardedFor: `198.51.100.${150 + i}, 203.0.113.40, 10.0.0.7` }));
      }
      expect(flood.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429]);
      // Another visitor behind the same proxy is a different address (IPv4-mapped and with a port, as some proxies write it).
      expect((await submit(form.publicId, { firstName: 'Otro', email: 'otro@example.es' }, { ip: '10.0.0.2', forwardedFor: '::ffff:203.0.113.41' })).status).toBe(201);
      expect((await submit(form.publicId, { firstName: 'Otro2', email: 'otro2@example.es' }, { ip: '10.0.0.2', forwardedFor: '203.0.113.40:51000' })).status).toBe(429);
      // Without the header the socket address is used.
      expect((await submit(form.publicId, { firstName: 'Directo', email: 'directo@example.es' }, { ip: '203.0.113.42' })).status).toBe(201);
    } finally {
      t.deps.config.trustProxy = false;
    }
  });

  it('submissions arriving at the same moment are counted exactly: five of eight get through', async () => {
    const form = await createForm({ name: 'A la vez' });
    const all = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      submit(form.publicId, { firstName: `S${i}`, email: `same${i}@example.es` }, { ip: '203.0.113.77' })));
    expect(all.filter((r) => r.status === 201)).toHaveLength(5);
    expect(all.filter((r) => r.status === 429)).toHaveLength(3);
  });

  it('round robin turns taken at the same moment are never shared', async () => {
    const form = await createForm({ assignment: 'round_robin', ownerId: null, assigneeIds: [luis.id, marta.id], name: 'Turnos a la vez' });
    await Promise.all(['Cuatro', 'Cinco'].map((n, i) => submit(form.publicId, { firstName: n, email: `rr-c${i}@example.es` }, { ip: `198.51.100.${40 + i}` })));
    const owners = (await allLeads()).filter((l) => l.title.endsWith('· Turnos a la vez')).map((l) => l.ownerId).sort();
    expect(owners).toEqual([luis.id, marta.id].sort());
  });

  it('that breaks the capture policy is refused naming the field, and nothing is created', async () => {
    const form = await createForm();
    const r = await submit(form.publicId, { firstName: 'Pepe', email: 'pepe@example.es', phone: 'llámame' }, { ip: '198.51.100.60' });
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'phone', code: 'invalid_phone' })]);
    expect((await admin.get('/api/v1/contacts?q=pepe')).body.data).toHaveLength(0);
  });

  it('from the hosted page re-renders the form with the message beside the field and the typed values kept', async () => {
    const form = await createForm();
    const r = await submit(form.publicId, { firstName: 'Pepa', email: 'pepa@example.es', phone: 'no tengo' }, { ip: '198.51.100.61', asBrowser: true });
    expect(r.status).toBe(422);
    expect(r.text).toContain('id="f-phone-error"');
    expect(r.text).toContain('El teléfono no es válido.');
    expect(r.text).toMatch(/id="f-firstName"[^>]*value="Pepa"/);
  });

  it('from the hosted page goes on to the redirect URL when the form has one', async () => {
    const form = await createForm({ redirectUrl: 'https://shop.example/gracias' });
    const r = await submit(form.publicId, { firstName: 'Rosa', email: 'rosa@example.es' }, { ip: '198.51.100.62', asBrowser: true });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('https://shop.example/gracias');
  });

  it('stores the UTM parameters carried by the hosted page and the referrer', async () => {
    const form = await createForm();
    const page = await t.app.request(`/f/${form.publicId}?utm_source=google&utm_medium=cpc&utm_campaign=navidad`, { headers: { referer: 'https://blog.example/post' } });
    const html = await page.text();
    expect(html).toContain('<input type="hidden" name="utm_source" value="google">');
    const hidden = Object.fromEntries([...html.matchAll(/type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    const r = await submit(form.publicId, { firstName: 'Lola', email: 'lola@example.es', ...hidden }, { ip: '198.51.100.63', asBrowser: true });
    expect(r.status).toBe(200);
    expect(r.text).toContain('¡Gracias!');
    const log = (await admin.get(`/api/v1/web-forms/${form.id}/submissions`)).body.data;
    expect(log[0]).toMatchObject({ utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'navidad', referrer: 'https://blog.example/post', isSpam: false });
    expect(log[0]).not.toHaveProperty('ipHash');
  });

  it('to an inactive or unknown form is not found', async () => {
    const form = await createForm();
    await admin.patch(`/api/v1/web-forms/${form.id}`, { isActive: false });
    expect((await submit(form.publicId, { firstName: 'Ana', email: 'ana2@example.es' })).status).toBe(404);
    expect((await t.app.request(`/f/${form.publicId}`)).status).toBe(404);
    expect((await t.app.request('/f/AAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
  });
});

describe('the hosted page', () => {
  it('escapes every text of the form, runs no script and may be framed by any site', async () => {
    const form = await createForm({
      name: 'Hola <b>amigo</b>',
      fields: [{ key: 'firstName', label: '<script>alert(1)</script>Nombre', required: true }, { key: 'email', label: 'Correo "x"', required: true }],
    });
    const res = await t.app.request(`/f/${form.publicId}`, { headers: { 'accept-language': 'es-ES,es;q=0.9' } });
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;Nombre');
    expect(html).toContain('Hola &lt;b&gt;amigo&lt;/b&gt;');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('frame-ancestors *');
    expect(csp).not.toContain('script-src');
    expect(html).toContain('<html lang="es">');
  });

  it('speaks English to a browser that prefers it, unless the form fixes its language', async () => {
    const form = await createForm();
    const en = await (await t.app.request(`/f/${form.publicId}`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('>Send<');
    await admin.patch(`/api/v1/web-forms/${form.id}`, { locale: 'es' });
    const es = await (await t.app.request(`/f/${form.publicId}`, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    expect(es).toContain('>Enviar<');
  });

  it('answers the cross-origin preflight of an embed', async () => {
    const form = await createForm();
    const res = await t.app.request(`/api/public/forms/${form.publicId}/submissions`, {
      method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('the workspace capture policy', () => {
  it('applies to web submissions: a rule the form cannot satisfy is named on the page, and casing rules clean the contact', async () => {
    const current = (await admin.get('/api/v1/capture/policy')).body;
    const { version: _v, updatedAt: _u, ...policy } = current;
    const saved = await admin.req('PUT', '/api/v1/capture/policy', {
      ...policy, required: { ...policy.required, contact: ['firstName', 'postalCode'] }, casing: { ...policy.casing, 'contact.lastName': 'upper' },
    });
    expect(saved.status).toBe(200);

    const short = await createForm({ name: 'Sin código postal' });
    const json = await submit(short.publicId, { firstName: 'Nuria', email: 'nuria@example.es' }, { ip: '198.51.100.90' });
    expect(json.status).toBe(422);
    expect(json.body.errors).toEqual([expect.objectContaining({ field: 'postalCode', code: 'required' })]);
    const html = await submit(short.publicId, { firstName: 'Nuria', email: 'nuria@example.es' }, { ip: '198.51.100.90', asBrowser: true });
    expect(html.status).toBe(422);
    expect(html.text).toContain('Código postal: Este campo es obligatorio.');

    const full = await createForm({ name: 'Con código postal', fields: [...baseForm().fields, { key: 'postalCode', label: 'CP', required: true }] });
    const ok = await submit(full.publicId, { firstName: 'Nuria', lastName: 'Sanz', email: 'nuria@example.es', postalCode: '28001' }, { ip: '198.51.100.91' });
    expect(ok.status).toBe(201);
    const nuria = (await admin.get('/api/v1/contacts?q=nuria')).body.data;
    expect(nuria).toEqual([expect.objectContaining({ lastName: 'SANZ', postalCode: '28001' })]);
  });
});
