import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import {
  derivedReferences, findDuplicateCandidates, forgetMergeSnapshots, mergeReferences, scanDuplicatePairs, type ContactValues, type CompanyValues,
} from '../src/db/queries/duplicates.js';
import { auditEvent } from '../src/db/schema.js';
import { DUPLICATE_SCAN_KIND, runDuplicateScanJob, runDuplicatesJob } from '../src/jobs/duplicates.js';
import { registerJob } from '../src/jobs/registry.js';
import { drainJobs } from '../src/jobs/worker.js';
import { addLoggedInUser, Client, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let luis: { id: string; c: Client };
let manager: { id: string; c: Client };

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  luis = await addLoggedInUser(t, workspaceId, { name: 'Luis Pérez', email: 'luis@garcia.es', role: 'sales' });
  manager = await addLoggedInUser(t, workspaceId, { name: 'Marta Gil', email: 'marta@garcia.es', role: 'manager' });
});
afterAll(async () => { await t.close(); });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Polls the latest scan until the job that "Scan now" started in the background has finished. */
async function settledScan(c: Client = manager.c) {
  let last: unknown;
  for (let i = 0; i < 1000; i++) {
    const r = await c.get('/api/v1/duplicates/scan');
    expect(r.status).toBe(200);
    if (r.body.status === 'done' || r.body.status === 'failed') return r.body;
    last = r.body;
    await sleep(20);
  }
  throw new Error(`the duplicate scan did not finish: ${JSON.stringify(last)}`);
}

const find = (entity: 'contact' | 'company', values: ContactValues | CompanyValues, excludeIds: string[] = []) =>
  t.deps.database.transaction((tx) => findDuplicateCandidates(tx, workspaceId, entity, values, { excludeIds }));

async function newContact(body: Record<string, unknown>, c: Client = admin): Promise<string> {
  const r = await c.post('/api/v1/contacts', body);
  if (r.status !== 201) throw new Error(`contact: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}
async function newCompany(body: Record<string, unknown>, c: Client = admin): Promise<string> {
  const r = await c.post('/api/v1/companies', body);
  if (r.status !== 201) throw new Error(`company: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.id as string;
}

describe('duplicate detection', () => {
  it('finds "garcia" for "García" whatever the accents and case, as a name match', async () => {
    const id = await newContact({ firstName: 'José', lastName: 'García', secondLastName: 'Núñez' });
    const found = await find('contact', { firstName: 'jose', lastName: 'garcia', secondLastName: 'nuñez' });
    expect(found[0]).toMatchObject({ id, reasons: ['name'] });
    expect(found[0]!.score).toBeGreaterThanOrEqual(45);
    expect(found[0]!.record).toMatchObject({ firstName: 'José', lastName: 'García' });
  });

  it('matches the same email whatever its case', async () => {
    const id = await newContact({ firstName: 'Lucía', lastName: 'Benítez', email: 'lucia.benitez@ejemplo.es' });
    const found = await find('contact', { firstName: 'Otra', email: 'Lucia.Benitez@EJEMPLO.es' });
    expect(found).toEqual([expect.objectContaining({ id, reasons: ['email'], score: 90 })]);
  });

  it('matches one phone typed in different formats, national or international', async () => {
    const a = await newContact({ firstName: 'Pedro', lastName: 'Sanz', phone: '600 123 456' });
    const b = await newContact({ firstName: 'Pablo', lastName: 'Ruiz', phone: '+34600123456' });
    for (const typed of ['+34 600-12-34-56', '0034 600 123 456', '600123456']) {
      const found = await find('contact', { firstName: 'Nadie', phone: typed });
      expect(found.map((f) => f.id).sort()).toEqual([a, b].sort());
      expect(found.every((f) => f.reasons.includes('phone'))).toBe(true);
    }
  });

  it('scores a similar name in the same company above the same name elsewhere', async () => {
    const co = await newCompany({ name: 'Talleres Ortega' });
    const inCompany = await newContact({ firstName: 'Marta', lastName: 'Vidal', companyId: co });
    const elsewhere = await newContact({ firstName: 'Marta', lastName: 'Vidal' });
    const found = await find('contact', { firstName: 'Marta', lastName: 'Vidal', companyName: 'TALLERES ORTEGA' });
    expect(found.map((f) => f.id)).toEqual([inCompany, elsewhere]);
    expect(found[0]!.reasons).toEqual(['name_company']);
    const byId = await find('contact', { firstName: 'marta', lastName: 'vidal', companyId: co });
    expect(byId[0]).toMatchObject({ id: inCompany, reasons: ['name_company'] });
  });

  it('finds a company by a similar name and leaves out excluded and unrelated records', async () => {
    const id = await newCompany({ name: 'Ferretería Martínez S.L.', email: 'info@ferreteria-martinez.es' });
    const found = await find('company', { name: 'ferreteria martinez sl' });
    expect(found[0]).toMatchObject({ id, reasons: ['name'] });
    expect(await find('company', { name: 'ferreteria martinez sl' }, [id])).toEqual([]);
    expect(await find('company', { name: 'Panadería Sol' })).toEqual([]);
    expect(await find('contact', {})).toEqual([]);
  });
});

const DAY = 86_400_000;

describe('duplicate review', () => {
  let a: string; let b: string; let c: string; let d: string; let e: string; let f: string;
  beforeAll(async () => {
    e = await newContact({ firstName: 'Begoña', lastName: 'Ibáñez', secondLastName: 'Sáez' });
    f = await newContact({ firstName: 'BEGONA', lastName: 'IBANEZ', secondLastName: 'saez' });
    a = await newContact({ firstName: 'Rosario', lastName: 'Quintana', email: 'rosario.q@correo.es' });
    b = await newContact({ firstName: 'Charo', lastName: 'Quintana', email: 'ROSARIO.Q@correo.es', phone: '+34 655 432 100' });
    c = await newContact({ firstName: 'Chelo', lastName: 'Ibarra', phone: '655432100' });
    d = await newCompany({ name: 'Muebles Quintana Hermanos' });
    await newCompany({ name: 'muebles quintana hermanos', phone: '955 123 456' });
    expect(d).toBeTruthy();
  });

  it('scans the workspace in the background and lists the pairs it counted, best score first, with their reasons and both records', async () => {
    // Before any scan the state is there, empty, rather than a 404.
    const never = await manager.c.get('/api/v1/duplicates/scan');
    expect(never.status).toBe(200);
    expect(never.body).toEqual({ id: null, status: null, entity: null, requestedAt: null, requestedBy: null, startedAt: null, finishedAt: null, pairs: null, error: null });
    const scan = await manager.c.post('/api/v1/duplicates/scan', {});
    expect(scan.status).toBe(202);
    expect(scan.body).toMatchObject({ id: expect.any(String), status: 'queued', entity: null, requestedBy: manager.id, requestedAt: expect.any(String), finishedAt: null });
    const done = await settledScan();
    expect(done).toMatchObject({ id: scan.body.id, status: 'done', requestedBy: manager.id, startedAt: expect.any(String), finishedAt: expect.any(String), error: null });
    expect(Date.parse(done.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    expect(done.pairs.contact).toBeGreaterThanOrEqual(2);
    expect(done.pairs.company).toBeGreaterThanOrEqual(1);
    expect((await manager.c.get('/api/v1/duplicates?entity=contact&limit=200')).body.data).toHaveLength(done.pairs.contact);
    expect((await manager.c.get('/api/v1/duplicates?entity=company&limit=200')).body.data).toHaveLength(done.pairs.company);
    const r = await manager.c.get('/api/v1/duplicates?entity=contact');
    expect(r.status).toBe(200);
    const scores = r.body.data.map((p: { score: number }) => p.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    const pair = (x: string, y: string) => r.body.data.find((p: { a: { id: string }; b: { id: string } }) =>
      [p.a.id, p.b.id].sort().join() === [x, y].sort().join());
    expect(pair(a, b)).toMatchObject({ reasons: ['email'], score: 90 });
    // One phone typed nationally, the other internationally.
    expect(pair(b, c)).toMatchObject({ reasons: ['phone'] });
    expect(pair(a, c)).toBeUndefined();
    // Names alone count when nearly identical, accents and case aside.
    expect(pair(e, f)).toMatchObject({ reasons: ['name'] });
    const companies = await manager.c.get('/api/v1/duplicates?entity=company');
    expect(companies.body.data[0]).toMatchObject({ entity: 'company', reasons: ['name'] });
  });

  it('pages the list with a cursor without repeating a pair', async () => {
    const first = await manager.c.get('/api/v1/duplicates?entity=contact&limit=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await manager.c.get(`/api/v1/duplicates?entity=contact&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    expect(second.body.data[0].score).toBeLessThanOrEqual(first.body.data[0].score);
  });

  it('remembers "not a duplicate": a dismissed pair stays out of the list after the next scan', async () => {
    const list = await manager.c.get('/api/v1/duplicates?entity=contact&limit=200');
    const bc = list.body.data.find((p: { a: { id: string }; b: { id: string } }) => [p.a.id, p.b.id].sort().join() === [b, c].sort().join());
    expect((await manager.c.post(`/api/v1/duplicates/${bc.id}/dismiss`)).status).toBe(204);
    expect((await manager.c.post('/api/v1/duplicates/scan', { entity: 'contact' })).status).toBe(202);
    expect(await settledScan()).toMatchObject({ status: 'done', entity: 'contact', pairs: { contact: list.body.data.length } });
    const after = await manager.c.get('/api/v1/duplicates?entity=contact&limit=200');
    expect(after.body.data.map((p: { id: string }) => p.id)).not.toContain(bc.id);
    expect(after.body.data.length).toBe(list.body.data.length - 1);
  });

  it('is for managers and admins: a salesperson may not review or scan', async () => {
    expect((await luis.c.get('/api/v1/duplicates')).status).toBe(403);
    expect((await luis.c.post('/api/v1/duplicates/scan', {})).status).toBe(403);
    expect((await luis.c.get('/api/v1/duplicates/scan')).status).toBe(403);
  });

  it('offers the likely duplicates of one record for "merge with…"', async () => {
    const r = await luis.c.get(`/api/v1/duplicates/candidates?entity=contact&id=${a}`);
    expect(r.status).toBe(200);
    expect(r.body.data.map((x: { id: string }) => x.id)).toEqual([b]);
  });
});

describe('the background scan', () => {
  it('answers the scan already queued or running instead of starting a second one, however many ask at once', async () => {
    // The job waits for the test's signal, so the requests below surely meet it queued or running.
    let release = () => {};
    const held = new Promise<void>((r) => { release = r; });
    registerJob(DUPLICATE_SCAN_KIND, async (ctx) => { await held; await runDuplicateScanJob(ctx); });
    try {
      const first = await manager.c.post('/api/v1/duplicates/scan', { entity: 'contact' });
      expect(first.status).toBe(202);
      expect(first.body.status).toBe('queued');
      const [again, other] = await Promise.all([manager.c.post('/api/v1/duplicates/scan', {}), admin.post('/api/v1/duplicates/scan', { entity: 'company' })]);
      for (const r of [again, other]) {
        expect(r.status).toBe(202);
        expect(r.body).toMatchObject({ id: first.body.id, entity: 'contact', requestedBy: manager.id });
        expect(['queued', 'running']).toContain(r.body.status);
      }
      const jobs = await t.deps.database.query('SELECT id FROM job WHERE workspace_id = $1 AND kind = $2', [workspaceId, DUPLICATE_SCAN_KIND]);
      expect(jobs).toHaveLength(1);
    } finally {
      registerJob(DUPLICATE_SCAN_KIND, runDuplicateScanJob);
      release();
    }
    expect(await settledScan()).toMatchObject({ id: (await manager.c.get('/api/v1/duplicates/scan')).body.id, status: 'done', entity: 'contact', pairs: { contact: expect.any(Number) } });
  });

  it('shows a scan that failed as failed, with one line of why, and lets the next request start another', async () => {
    // A real failure in the database: the table the scan writes to is missing while it runs.
    await t.deps.database.query('ALTER TABLE duplicate_pair RENAME TO duplicate_pair_away');
    let failed;
    try {
      const scan = await manager.c.post('/api/v1/duplicates/scan', { entity: 'contact' });
      expect(scan.status).toBe(202);
      failed = await settledScan();
      expect(failed).toMatchObject({ id: scan.body.id, status: 'failed', finishedAt: expect.any(String), error: expect.stringContaining('duplicate_pair') });
    } finally {
      await t.deps.database.query('ALTER TABLE duplicate_pair_away RENAME TO duplicate_pair');
    }
    // The database's message, not drizzle's wrapper with the statement, nor a stack.
    expect(failed.error).not.toMatch(/\n|Failed query|    at /);
    const next = await manager.c.post('/api/v1/duplicates/scan', { entity: 'contact' });
    expect(next.status).toBe(202);
    expect(next.body).toMatchObject({ status: 'queued', error: null });
    expect(next.body.id).not.toBe(failed.id);
    expect(await settledScan()).toMatchObject({ id: next.body.id, status: 'done', error: null });
  });
});

/** A contact with one of everything that can point at a contact. */
async function contactWithHistory(firstName: string, email: string, owner: Client = admin) {
  const id = await newContact({ firstName, lastName: 'Moreno', email }, owner);
  const lead = await owner.post('/api/v1/leads', { title: `Cocina ${firstName}`, contactId: id });
  const activity = await owner.post('/api/v1/activities', { type: 'call', contactId: id, subject: `Llamada ${firstName}` });
  const sale = await owner.post('/api/v1/sales', { contactId: id, lines: [{ description: 'Mesa', quantity: 1, unitPrice: 100 }] });
  const feedback = await owner.post('/api/v1/feedback', { contactId: id, nps: 9, channel: 'phone' });
  const complaint = await owner.post('/api/v1/complaints', { contactId: id, category: 'other', description: `Queja ${firstName}` });
  for (const r of [lead, activity, sale, feedback, complaint]) expect(r.status, JSON.stringify(r.body)).toBe(201);
  return { id, lead: lead.body.id as string, activity: activity.body.id as string, sale: sale.body.id as string, feedback: feedback.body.id as string, complaint: complaint.body.id as string };
}

/** Where each piece of history points now, straight from the tables. */
async function owners(h: Awaited<ReturnType<typeof contactWithHistory>>) {
  const q = async (table: string, id: string) =>
    (await t.deps.database.query<{ c: string | null }>(`SELECT contact_id::text AS c FROM ${table} WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]))[0]?.c;
  const followUps = await t.deps.database.query<{ c: string | null }>(`SELECT contact_id::text AS c FROM follow_up WHERE workspace_id = $1 AND sale_id = $2`, [workspaceId, h.sale]);
  return {
    lead: await q('lead', h.lead), activity: await q('activity', h.activity), sale: await q('sale', h.sale),
    feedback: await q('feedback', h.feedback), complaint: await q('complaint', h.complaint), followUp: followUps[0]?.c,
  };
}
const auditCount = async (entityId: string) => (await t.deps.database.db.select().from(auditEvent)
  .where(and(eq(auditEvent.workspaceId, workspaceId), eq(auditEvent.entityId, entityId)))).length;
async function salesCounted(contactId: string): Promise<number> {
  const rows = await t.deps.database.query<{ n: number }>(
    'SELECT purchases AS n FROM contact_sale_stats WHERE workspace_id = $1 AND contact_id = $2', [workspaceId, contactId]);
  return rows[0]?.n ?? 0;
}
const all = (id: string) => ({ lead: id, activity: id, sale: id, feedback: id, complaint: id, followUp: id });

describe('merge and undo', () => {
  let keep: Awaited<ReturnType<typeof contactWithHistory>>;
  let gone: Awaited<ReturnType<typeof contactWithHistory>>;
  let mergeId: string;
  let keepAuditsBefore: number;
  let goneAuditsBefore: number;

  beforeAll(async () => {
    keep = await contactWithHistory('Inés', 'ines.keep@moreno.es');
    gone = await contactWithHistory('Ines', 'ines.gone@moreno.es');
    await admin.patch(`/api/v1/contacts/${gone.id}`, { phone: '+34611222333', city: 'Cádiz' });
    keepAuditsBefore = await auditCount(keep.id);
    goneAuditsBefore = await auditCount(gone.id);
  });

  it('moves every activity, lead, sale, follow-up, feedback, complaint and audit entry of the merged record to the kept one', async () => {
    const r = await manager.c.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: keep.id, mergeId: gone.id, fieldChoices: { email: 'merge' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    mergeId = r.body.id;
    expect(r.body).toMatchObject({ entity: 'contact', keepId: keep.id, mergedId: gone.id, canUndo: true });
    expect(await owners(keep)).toEqual(all(keep.id));
    expect(await owners(gone)).toEqual(all(keep.id));
    // Purchase figures kept per contact follow the sales that moved (derivedReferences).
    expect(await salesCounted(keep.id)).toBe(2);
    expect(await salesCounted(gone.id)).toBe(0);
    // The merged record's trail now reads from the kept one, plus one "merge" entry; the hidden one keeps only its "merged_into".
    expect(await auditCount(keep.id)).toBe(keepAuditsBefore + goneAuditsBefore + 1);
    expect(await auditCount(gone.id)).toBe(1);
    const kept = await admin.get(`/api/v1/contacts/${keep.id}`);
    expect(kept.body).toMatchObject({ email: 'ines.gone@moreno.es', phone: '+34611222333', city: 'Cádiz', firstName: 'Inés' });
    const activities = await admin.get(`/api/v1/activities?contactId=${keep.id}&limit=50`);
    if (activities.status === 200) expect(activities.body.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([keep.activity, gone.activity]));
  });

  it('hides the merged record from lists without deleting it', async () => {
    const hidden = await admin.get(`/api/v1/contacts/${gone.id}`);
    expect(hidden.body).toMatchObject({ status: 'cancelled', cancelReason: 'merged' });
    const list = await admin.get('/api/v1/contacts?q=moreno');
    expect(list.body.data.map((x: { id: string }) => x.id)).toEqual([keep.id]);
  });

  it('refuses to merge a record that is already merged, or a record with itself', async () => {
    const again = await manager.c.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: keep.id, mergeId: gone.id });
    expect(again.status).toBe(422);
    expect(again.body.errors[0]).toMatchObject({ field: 'mergeId', code: 'not_active' });
    const self = await manager.c.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: keep.id, mergeId: keep.id });
    expect(self.body.errors[0]).toMatchObject({ field: 'mergeId', code: 'same_record' });
    const badField = await manager.c.post('/api/v1/duplicates/merge', { entity: 'company', keepId: keep.id, mergeId: gone.id, fieldChoices: { firstName: 'keep' } });
    expect(badField.status).toBe(422);
  });

  it('lists the merge with its undo deadline', async () => {
    const r = await manager.c.get('/api/v1/duplicates/merges?entity=contact');
    const m = r.body.data.find((x: { id: string }) => x.id === mergeId);
    expect(m).toMatchObject({ keepId: keep.id, mergedId: gone.id, canUndo: true, mergedByName: 'Marta Gil', merged: expect.objectContaining({ firstName: 'Ines' }) });
    expect(Date.parse(m.undoDeadline) - Date.parse(m.mergedAt)).toBe(30 * DAY);
  });

  it('undo restores both records and moves back exactly what moved', async () => {
    const r = await manager.c.post(`/api/v1/duplicates/merges/${mergeId}/undo`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ canUndo: false, undoneAt: expect.any(String) });
    expect(await owners(keep)).toEqual(all(keep.id));
    expect(await owners(gone)).toEqual(all(gone.id));
    expect(await salesCounted(keep.id)).toBe(1);
    expect(await salesCounted(gone.id)).toBe(1);
    const back = await admin.get(`/api/v1/contacts/${gone.id}`);
    expect(back.body).toMatchObject({ status: 'active', cancelReason: null, phone: '+34611222333' });
    const kept = await admin.get(`/api/v1/contacts/${keep.id}`);
    expect(kept.body).toMatchObject({ email: 'ines.keep@moreno.es', phone: null, city: null, firstName: 'Inés' });
    expect(await auditCount(keep.id)).toBe(keepAuditsBefore + 2);
    expect(await auditCount(gone.id)).toBe(goneAuditsBefore + 2);
    const twice = await manager.c.post(`/api/v1/duplicates/merges/${mergeId}/undo`);
    expect(twice.status).toBe(409);
    expect(twice.body.errors[0]).toMatchObject({ code: 'already_undone' });
  });
});

describe('the 30-day undo window', () => {
  it('refuses undo after 30 days, and the nightly job then purges the merged record', async () => {
    const keep = await newContact({ firstName: 'Tomás', lastName: 'Lozano', email: 'tomas@lozano.es' });
    const gone = await newContact({ firstName: 'Tomas', lastName: 'Lozano', email: 'tomas@lozano.es' });
    const activity = await admin.post('/api/v1/activities', { type: 'note', contactId: gone, body: 'Prefiere las tardes' });
    const m = await admin.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: keep, mergeId: gone });
    expect(m.status).toBe(201);
    // The merge happened 31 days ago (moving the session clock would log everyone out).
    await t.deps.database.query(`UPDATE duplicate_merge SET merged_at = merged_at - interval '31 days' WHERE workspace_id = $1 AND id = $2`, [workspaceId, m.body.id]);
    {
      const later = new Date();
      const r = await admin.post(`/api/v1/duplicates/merges/${m.body.id}/undo`);
      expect(r.status).toBe(409);
      expect(r.body.errors[0]).toMatchObject({ field: 'id', code: 'undo_expired' });
      const job = await runDuplicatesJob(t.deps, workspaceId, later);
      expect(job.purged).toBeGreaterThanOrEqual(1);
      // Then it asks for the scan "Scan now" runs, which the page shows as the latest, asked by nobody.
      expect(job.scan).toMatchObject({ status: 'queued', entity: null, requestedBy: null });
      await drainJobs(t.deps);
      expect(await admin.get('/api/v1/duplicates/scan')).toMatchObject({ body: { id: job.scan.id, status: 'done', requestedBy: null } });
      expect((await admin.get(`/api/v1/contacts/${gone}`)).status).toBe(404);
      const act = await t.deps.database.query<{ c: string }>(`SELECT contact_id::text AS c FROM activity WHERE workspace_id = $1 AND id = $2`, [workspaceId, activity.body.id]);
      expect(act[0]?.c).toBe(keep);
      const list = await admin.get('/api/v1/duplicates/merges?entity=contact');
      expect(list.body.data.find((x: { id: string }) => x.id === m.body.id)).toMatchObject({ canUndo: false, merged: {} });
    }
  });
});

describe('merge permissions', () => {
  it('refuses a salesperson who does not own both records, and lets one who owns both merge', async () => {
    const mine = await newContact({ firstName: 'Eva', lastName: 'Soler' }, luis.c);
    const theirs = await newContact({ firstName: 'Eva', lastName: 'Soler' });
    const refused = await luis.c.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: mine, mergeId: theirs });
    expect(refused.status).toBe(403);
    expect((await admin.get(`/api/v1/contacts/${theirs}`)).body.status).toBe('active');
    const mine2 = await newContact({ firstName: 'Eva', lastName: 'Soler Ruiz' }, luis.c);
    const ok = await luis.c.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: mine, mergeId: mine2 });
    expect(ok.status).toBe(201);
    expect((await luis.c.get('/api/v1/duplicates/merges')).status).toBe(403);
  });
});

describe('company merge', () => {
  it('moves the merged company\'s contacts, leads and sales to the kept company, and back on undo', async () => {
    const keep = await newCompany({ name: 'Carpintería Ortiz' });
    const gone = await newCompany({ name: 'Carpinteria Ortiz SL', website: 'https://ortiz.es' });
    const person = await newContact({ firstName: 'Ramón', companyId: gone });
    const lead = await admin.post('/api/v1/leads', { title: 'Armarios', companyId: gone });
    const m = await admin.post('/api/v1/duplicates/merge', { entity: 'company', keepId: keep, mergeId: gone });
    expect(m.status, JSON.stringify(m.body)).toBe(201);
    expect((await admin.get(`/api/v1/contacts/${person}`)).body.companyId).toBe(keep);
    expect((await admin.get(`/api/v1/leads/${lead.body.id}`)).body.companyId).toBe(keep);
    expect((await admin.get(`/api/v1/companies/${keep}`)).body.website).toBe('https://ortiz.es');
    expect((await admin.post(`/api/v1/duplicates/merges/${m.body.id}/undo`)).status).toBe(200);
    expect((await admin.get(`/api/v1/contacts/${person}`)).body.companyId).toBe(gone);
    expect((await admin.get(`/api/v1/leads/${lead.body.id}`)).body.companyId).toBe(gone);
    expect((await admin.get(`/api/v1/companies/${keep}`)).body.website).toBeNull();
  });
});

it('handles every column that references a contact or a company (a new one fails here until the merge moves it)', async () => {
  const rows = await t.deps.database.query<{ table_name: string; column_name: string; ref: string }>(`
    SELECT k.table_name, k.column_name, u.table_name AS ref
      FROM information_schema.referential_constraints r
      JOIN information_schema.key_column_usage k ON k.constraint_schema = r.constraint_schema AND k.constraint_name = r.constraint_name
      JOIN information_schema.key_column_usage u ON u.constraint_schema = r.unique_constraint_schema AND u.constraint_name = r.unique_constraint_name
                                                AND u.ordinal_position = k.position_in_unique_constraint
     WHERE k.table_schema = 'public' AND u.table_name IN ('contact', 'company') AND u.column_name = 'id'`);
  const actual = rows.map((r) => `${r.ref}: ${r.table_name}.${r.column_name}`).sort();
  const handled = (['contact', 'company'] as const)
    .flatMap((e) => [...mergeReferences[e], ...derivedReferences[e]].map((x) => `${e}: ${x.table}.${x.column}`)).sort();
  expect(actual).toEqual(handled);
});

it('forgets the snapshot of a merge when one of its records is erased, so no copy of the personal data remains', async () => {
  const keep = await newContact({ firstName: 'Olga', lastName: 'Prieto', email: 'olga@prieto.es' });
  const gone = await newContact({ firstName: 'Olga', lastName: 'Prieto', phone: '+34 699 000 111' });
  const m = await admin.post('/api/v1/duplicates/merge', { entity: 'contact', keepId: keep, mergeId: gone });
  const n = await t.deps.database.transaction((tx) => forgetMergeSnapshots(tx, workspaceId, 'contact', keep, new Date()));
  expect(n).toBe(1);
  const list = await admin.get('/api/v1/duplicates/merges?entity=contact');
  expect(list.body.data.find((x: { id: string }) => x.id === m.body.id)).toMatchObject({ canUndo: false, merged: {} });
  expect((await admin.post(`/api/v1/duplicates/merges/${m.body.id}/undo`)).status).toBe(409);
});

describe('workspace scan at scale', () => {
  // A workspace of its own: these records would crowd the review lists the tests above count.
  let ws: string;
  const people = async (rows: [string, string, string | null][]) => {
    const ids: string[] = [];
    for (const [first, last, second] of rows) {
      const [r] = await t.deps.database.query<{ id: string }>(
        'INSERT INTO contact (workspace_id, first_name, last_name, second_last_name) VALUES ($1, $2, $3, $4) RETURNING id', [ws, first, last, second]);
      ids.push(r!.id);
    }
    return ids;
  };
  const scannedPairs = async () => {
    await t.deps.database.transaction((tx) => scanDuplicatePairs(tx, ws, 'contact'));
    return t.deps.database.query<{ a: string; b: string; reasons: string[] }>(
      'SELECT record_a_id AS a, record_b_id AS b, reasons FROM duplicate_pair WHERE workspace_id = $1 AND entity = $2', [ws, 'contact']);
  };
  beforeAll(async () => {
    [{ id: ws }] = await t.deps.database.query<{ id: string }>(`INSERT INTO workspace (name) VALUES ('Escaneo') RETURNING id`) as [{ id: string }];
  });

  it('finds a typo in the first surname through the first name and second surname, and leaves namesakes with another second surname apart', async () => {
    const [typo, right, other] = await people([['Remedios', 'Gallardo', 'Esteban'], ['Remedios', 'Galardo', 'Esteban'], ['Remedios', 'Gallardo', 'Pons']]);
    const pairs = await scannedPairs();
    const has = (x: string, y: string) => pairs.some((p) => [p.a, p.b].sort().join() === [x, y].sort().join());
    expect(has(typo!, right!)).toBe(true);
    // 0.6 alike: two different people for a name alone.
    expect(has(typo!, other!)).toBe(false);
  });

  it('keeps at most 20 name-only partners per record when one name is shared by many', async () => {
    const same = await people(Array.from({ length: 26 }, () => ['Josefa', 'Llorente', 'Bravo'] as [string, string, string]));
    const pairs = (await scannedPairs()).filter((p) => same.includes(p.a) && same.includes(p.b));
    const partners = new Map<string, number>();
    for (const p of pairs) partners.set(p.a, (partners.get(p.a) ?? 0) + 1);
    expect(Math.max(...partners.values())).toBe(20);
    // 26 · 25 / 2 = 325 without the bound; the first records lose 5, 4, 3, 2 and 1 partners.
    expect(pairs.length).toBe(325 - 15);
    expect(pairs.every((p) => p.reasons.join() === 'name')).toBe(true);
  });
});
