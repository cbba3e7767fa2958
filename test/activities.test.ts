import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { activity, activityComment, company, contact, lead, stage, team } from '../src/db/schema.js';
import { Client, PASSWORD, setupWorkspace, testApp, type TestApp, addLoggedInUser } from './harness.js';

let t: TestApp;
let admin: Client;
let workspaceId: string;
let stages: Record<'cold' | 'won', { id: string; pipelineId: string; probability: number }>;
// Luis and Marta sell; Pedro manages Luis's team (not Marta's).
let luis: { id: string; c: Client };
let marta: { id: string; c: Client };
let pedro: { id: string; c: Client };

const hours = (n: number) => new Date(Date.now() + n * 3_600_000);
const iso = (d: Date) => d.toISOString();
const db = () => t.deps.database.db;

const addUser = (name: string, email: string, role: 'manager' | 'sales', teamId: string | null = null) =>
  addLoggedInUser(t, workspaceId, { name, email, role, teamId });

async function addCompany(name: string) {
  const [row] = await db().insert(company).values({ workspaceId, name }).returning();
  return row!.id;
}

async function addContact(firstName: string, companyId: string | null = null) {
  const [row] = await db().insert(contact).values({ workspaceId, firstName, companyId }).returning();
  return row!.id;
}

/** A lead in the default pipeline, inserted directly so these tests do not depend on the leads API. */
async function addLead(opts: { title: string; ownerId: string; contactId?: string | null; companyId?: string | null; won?: boolean; sharedWith?: string[] }) {
  const s = opts.won ? stages.won : stages.cold;
  const [row] = await db().insert(lead).values({
    workspaceId, title: opts.title, contactId: opts.contactId ?? null, companyId: opts.companyId ?? null,
    pipelineId: s.pipelineId, stageId: s.id, probability: s.probability, currency: 'EUR', ownerId: opts.ownerId,
    status: opts.won ? 'won' : 'open', closedAt: opts.won ? new Date() : null, sharedWith: opts.sharedWith ?? [],
  }).returning();
  return row!.id;
}

const leadRow = async (id: string) => (await db().select().from(lead).where(and(eq(lead.workspaceId, workspaceId), eq(lead.id, id))))[0]!;
const contactRow = async (id: string) => (await db().select().from(contact).where(and(eq(contact.workspaceId, workspaceId), eq(contact.id, id))))[0]!;
const activityCount = async (leadId: string) => (await db().select().from(activity).where(eq(activity.leadId, leadId))).length;

beforeAll(async () => {
  t = await testApp();
  ({ admin, workspaceId } = await setupWorkspace(t));
  const rows = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
  const pick = (i: number) => ({ id: rows[i]!.id, pipelineId: rows[i]!.pipelineId, probability: rows[i]!.probability });
  stages = { cold: pick(0), won: pick(3) };
  const [tm] = await db().insert(team).values({ workspaceId, name: 'Norte' }).returning();
  pedro = await addUser('Pedro Ruiz', 'pedro@garcia.es', 'manager');
  await db().update(team).set({ managerId: pedro.id }).where(eq(team.id, tm!.id));
  luis = await addUser('Luis Pérez', 'luis@garcia.es', 'sales', tm!.id);
  marta = await addUser('Marta Gil', 'marta@garcia.es', 'sales');
});
afterAll(async () => { await t.close(); });

describe('logging interactions and the next-action invariant', () => {
  it('refuses a call on an open lead without the next action, naming nextAction, and writes nothing', async () => {
    const contactId = await addContact('Rosa');
    const leadId = await addLead({ title: 'Sofá Rosa', ownerId: luis.id, contactId });
    const r = await luis.c.post('/api/v1/activities', { type: 'call', leadId, subject: 'Primera llamada' });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'nextAction', code: 'required' })]);
    expect(await activityCount(leadId)).toBe(0);
    expect((await contactRow(contactId)).lastActivityAt).toBeNull();
  });

  it('stores the next action, the last activity dates and copies the lead\'s contact and company', async () => {
    const companyId = await addCompany('Muebles Rosa SL');
    const contactId = await addContact('Rosa', companyId);
    const leadId = await addLead({ title: 'Comedor', ownerId: luis.id, contactId, companyId });
    const at = hours(24);
    const r = await luis.c.post('/api/v1/activities', {
      type: 'call', direction: 'outbound', leadId, outcome: 'Interesada', nextAction: { at: iso(at), type: 'visit', note: 'Llevar catálogo' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'call', leadId, contactId, companyId, userId: luis.id, userName: 'Luis Pérez', dueAt: null, version: 1 });
    expect(r.body.doneAt).toBe(r.body.occurredAt);
    const l = await leadRow(leadId);
    expect(l.nextActionAt?.toISOString()).toBe(iso(at));
    expect(l.nextActionType).toBe('visit');
    expect(l.nextActionNote).toBe('Llevar catálogo');
    expect(l.lastActivityAt?.toISOString()).toBe(r.body.occurredAt);
    expect((await contactRow(contactId)).lastActivityAt?.toISOString()).toBe(r.body.occurredAt);
  });

  it('updates a lead created through the leads API, as that API then shows it', async () => {
    const contactId = await addContact('Marina');
    const created = await luis.c.post('/api/v1/leads', { title: 'Vestidor Marina', contactId });
    expect(created.status).toBe(201);
    const at = hours(72);
    const r = await luis.c.post('/api/v1/activities', { type: 'meeting', leadId: created.body.id, nextAction: { at: iso(at), type: 'email' } });
    expect(r.status).toBe(201);
    const got = await luis.c.get(`/api/v1/leads/${created.body.id}`);
    expect(got.body).toMatchObject({ nextActionAt: iso(at), nextActionType: 'email', lastActivityAt: r.body.occurredAt });
  });

  it('refuses an unknown company, naming it, and leaves the lead\'s next action as it was', async () => {
    const contactId = await addContact('Teresa');
    const leadId = await addLead({ title: 'Baño Teresa', ownerId: luis.id, contactId });
    const before = await leadRow(leadId);
    const r = await luis.c.post('/api/v1/activities', {
      type: 'call', leadId, companyId: '00000000-0000-4000-8000-000000000000', nextAction: { at: iso(hours(10)), type: 'call' },
    });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'companyId', code: 'not_found' });
    expect(await leadRow(leadId)).toEqual(before);
    expect((await contactRow(contactId)).lastActivityAt).toBeNull();
  });

  it('refuses a next action in the past with nextActionAt / in_the_past', async () => {
    const leadId = await addLead({ title: 'Mesa', ownerId: luis.id, contactId: await addContact('Juan') });
    const r = await luis.c.post('/api/v1/activities', { type: 'email', leadId, nextAction: { at: iso(hours(-2)), type: 'call' } });
    expect(r.status).toBe(422);
    expect(r.body.errors).toEqual([expect.objectContaining({ field: 'nextActionAt', code: 'in_the_past' })]);
    expect(await activityCount(leadId)).toBe(0);
  });

  it('needs no next action on a closed lead, and leaves it without one', async () => {
    const contactId = await addContact('Carmen');
    const leadId = await addLead({ title: 'Cocina (ganada)', ownerId: luis.id, contactId, won: true });
    const r = await luis.c.post('/api/v1/activities', { type: 'visit', leadId, subject: 'Entrega' });
    expect(r.status).toBe(201);
    const l = await leadRow(leadId);
    expect(l.nextActionAt).toBeNull();
    expect(l.lastActivityAt?.toISOString()).toBe(r.body.occurredAt);
  });

  it('needs no next action for a note, which does not count as contact with the client', async () => {
    const contactId = await addContact('Nuria');
    const leadId = await addLead({ title: 'Armario', ownerId: luis.id, contactId });
    const r = await luis.c.post('/api/v1/activities', { type: 'note', leadId, body: 'Prefiere roble' });
    expect(r.status).toBe(201);
    expect((await leadRow(leadId)).lastActivityAt).toBeNull();
    expect((await contactRow(contactId)).lastActivityAt).toBeNull();
  });

  it('refuses a next action where it does not apply, and an activity attached to nothing', async () => {
    const contactId = await addContact('Eva');
    const noLead = await luis.c.post('/api/v1/activities', { type: 'call', contactId, nextAction: { at: iso(hours(5)), type: 'call' } });
    expect(noLead.status).toBe(422);
    expect(noLead.body.errors[0]).toMatchObject({ field: 'nextAction', code: 'not_applicable' });
    const nothing = await luis.c.post('/api/v1/activities', { type: 'call' });
    expect(nothing.status).toBe(422);
    expect(nothing.body.errors[0]).toMatchObject({ field: 'contactId', code: 'required' });
  });

  it('refuses a logged interaction dated in the future, and both occurredAt and dueAt', async () => {
    const contactId = await addContact('Iván');
    const future = await luis.c.post('/api/v1/activities', { type: 'call', contactId, occurredAt: iso(hours(3)) });
    expect(future.status).toBe(422);
    expect(future.body.errors[0]).toMatchObject({ field: 'occurredAt', code: 'in_the_future' });
    const both = await luis.c.post('/api/v1/activities', { type: 'call', contactId, occurredAt: iso(hours(-3)), dueAt: iso(hours(3)) });
    expect(both.status).toBe(422);
    expect(both.body.errors[0]).toMatchObject({ field: 'dueAt', code: 'not_with_occurred_at' });
  });

  it('answers 422 naming leadId for a lead this workspace does not have, and rejects unknown fields', async () => {
    const r = await luis.c.post('/api/v1/activities', { type: 'note', leadId: '00000000-0000-4000-8000-000000000000' });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'leadId', code: 'not_found' });
    const extra = await luis.c.post('/api/v1/activities', { type: 'note', contactId: await addContact('X'), colour: 'red' });
    expect(extra.status).toBe(422);
    expect(extra.body.errors[0].code).toBe('unknown_field');
  });

  it('lets only managers and admins log an activity for someone else', async () => {
    const contactId = await addContact('Pilar');
    const bySales = await luis.c.post('/api/v1/activities', { type: 'task', contactId, dueAt: iso(hours(4)), userId: marta.id });
    expect(bySales.status).toBe(403);
    const byManager = await pedro.c.post('/api/v1/activities', { type: 'task', contactId, dueAt: iso(hours(4)), userId: luis.id });
    expect(byManager.status).toBe(201);
    expect(byManager.body).toMatchObject({ userId: luis.id, userName: 'Luis Pérez', doneAt: null });
  });
});

describe('completing a planned activity', () => {
  it('plans a task without a next action, then completes it only with one', async () => {
    const contactId = await addContact('Sara');
    const leadId = await addLead({ title: 'Estantería', ownerId: luis.id, contactId });
    const due = hours(2);
    const planned = await luis.c.post('/api/v1/activities', { type: 'task', leadId, subject: 'Enviar presupuesto', dueAt: iso(due) });
    expect(planned.status).toBe(201);
    expect(planned.body).toMatchObject({ occurredAt: null, doneAt: null, dueAt: iso(due) });
    expect((await leadRow(leadId)).lastActivityAt).toBeNull();
    const id = planned.body.id;

    const without = await luis.c.post(`/api/v1/activities/${id}/complete`, { outcome: 'Enviado' });
    expect(without.status).toBe(422);
    expect(without.body.errors[0]).toMatchObject({ field: 'nextAction', code: 'required' });
    expect((await luis.c.get(`/api/v1/activities/${id}`)).body.doneAt).toBeNull();

    const next = hours(48);
    const done = await luis.c.post(`/api/v1/activities/${id}/complete`, { outcome: 'Enviado', note: 'Por email', nextAction: { at: iso(next), type: 'call' } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ outcome: 'Enviado', version: 2, dueAt: iso(due) });
    expect(done.body.doneAt).not.toBeNull();
    expect(done.body.occurredAt).toBe(done.body.doneAt);
    const l = await leadRow(leadId);
    expect(l.nextActionAt?.toISOString()).toBe(iso(next));
    expect(l.lastActivityAt?.toISOString()).toBe(done.body.doneAt);
    const comments = await luis.c.get(`/api/v1/activities/${id}/comments`);
    expect(comments.body.data.map((x: { body: string }) => x.body)).toEqual(['Por email']);

    const again = await luis.c.post(`/api/v1/activities/${id}/complete`, { nextAction: { at: iso(next), type: 'call' } });
    expect(again.status).toBe(409);
    expect(again.body.reason).toBe('already_done');
  });

  it('completes a task that is not on a lead without any next action', async () => {
    const contactId = await addContact('Tomás');
    const planned = await luis.c.post('/api/v1/activities', { type: 'call', contactId, dueAt: iso(hours(1)) });
    const done = await luis.c.post(`/api/v1/activities/${planned.body.id}/complete`, {});
    expect(done.status).toBe(200);
    expect((await contactRow(contactId)).lastActivityAt?.toISOString()).toBe(done.body.doneAt);
  });
});

describe('timelines', () => {
  let companyId: string;
  let contactId: string;
  let leadId: string;
  const ids: Record<string, string> = {};
  const ordered = (r: { body: { data: { id: string }[] } }) => r.body.data.map((a) => Object.entries(ids).find(([, v]) => v === a.id)?.[0] ?? '?');

  beforeAll(async () => {
    companyId = await addCompany('Hotel Sol');
    contactId = await addContact('Lucía', companyId);
    const otherContact = await addContact('Álvaro', companyId);
    const stranger = await addContact('Desconocido');
    leadId = await addLead({ title: 'Reforma hotel', ownerId: luis.id, contactId, companyId });
    const log = async (name: string, body: Record<string, unknown>) => {
      const r = await luis.c.post('/api/v1/activities', body);
      if (r.status !== 201) throw new Error(`${name}: ${r.status} ${JSON.stringify(r.body)}`);
      ids[name] = r.body.id;
    };
    await log('contactCall', { type: 'call', contactId, occurredAt: iso(hours(-5)) });
    await log('leadNote', { type: 'note', leadId, occurredAt: iso(hours(-1)) });
    await log('companyEmail', { type: 'email', companyId, occurredAt: iso(hours(-3)) });
    await log('colleagueVisit', { type: 'visit', contactId: otherContact, occurredAt: iso(hours(-2)) });
    await log('plannedMeeting', { type: 'meeting', contactId, dueAt: iso(hours(30)) });
    await log('strangerCall', { type: 'call', contactId: stranger, occurredAt: iso(hours(-4)) });
  });

  it('shows a lead\'s activities', async () => {
    const r = await luis.c.get(`/api/v1/activities?leadId=${leadId}`);
    expect(r.status).toBe(200);
    expect(ordered(r)).toEqual(['leadNote']);
    expect(r.body.data[0].userName).toBe('Luis Pérez');
  });

  it('shows a contact\'s timeline newest first, with what was logged on their leads and what is planned', async () => {
    const r = await luis.c.get(`/api/v1/activities?contactId=${contactId}`);
    expect(ordered(r)).toEqual(['plannedMeeting', 'leadNote', 'contactCall']);
  });

  it('keeps an activity logged on a lead in the contact\'s timeline even after the lead changes contact', async () => {
    const other = await addContact('Nuevo');
    await db().update(lead).set({ contactId: other }).where(eq(lead.id, leadId));
    try {
      expect(ordered(await luis.c.get(`/api/v1/activities?contactId=${other}`))).toEqual(['leadNote']);
    } finally {
      await db().update(lead).set({ contactId }).where(eq(lead.id, leadId));
    }
  });

  it('shows a company\'s timeline with its leads\' and contacts\' activities, newest first', async () => {
    const r = await luis.c.get(`/api/v1/activities?companyId=${companyId}`);
    expect(ordered(r)).toEqual(['plannedMeeting', 'leadNote', 'colleagueVisit', 'companyEmail', 'contactCall']);
  });

  it('sorts oldest first on request and pages with a cursor without losing or repeating items', async () => {
    const asc = await luis.c.get(`/api/v1/activities?companyId=${companyId}&sort=at`);
    expect(ordered(asc)).toEqual(['contactCall', 'companyEmail', 'colleagueVisit', 'leadNote', 'plannedMeeting']);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { data: { id: string }[]; nextCursor: string | null } } = await luis.c.get(`/api/v1/activities?companyId=${companyId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ordered(page));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['plannedMeeting', 'leadNote', 'colleagueVisit', 'companyEmail', 'contactCall']);
  });

  it('filters planned against done, by type and by date range', async () => {
    expect(ordered(await luis.c.get(`/api/v1/activities?companyId=${companyId}&done=false`))).toEqual(['plannedMeeting']);
    expect(ordered(await luis.c.get(`/api/v1/activities?companyId=${companyId}&type=call,email`))).toEqual(['companyEmail', 'contactCall']);
    const from = encodeURIComponent(iso(hours(-3.5)));
    const to = encodeURIComponent(iso(hours(-1.5)));
    expect(ordered(await luis.c.get(`/api/v1/activities?companyId=${companyId}&occurredFrom=${from}&occurredTo=${to}`))).toEqual(['colleagueVisit', 'companyEmail']);
    expect(ordered(await luis.c.get(`/api/v1/activities?companyId=${companyId}&dueFrom=${encodeURIComponent(iso(hours(1)))}`))).toEqual(['plannedMeeting']);
  });

  it('names a bad filter value', async () => {
    const r = await luis.c.get('/api/v1/activities?type=fax');
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'type', code: 'invalid_choice' });
    const u = await luis.c.get('/api/v1/activities?contactId=nope');
    expect(u.body.errors[0]).toMatchObject({ field: 'contactId', code: 'invalid_uuid' });
  });
});

describe('visibility and who may change an activity', () => {
  let contactId: string;
  let leadId: string;
  let onLead: string;
  let onContact: string;

  beforeAll(async () => {
    contactId = await addContact('Olga');
    leadId = await addLead({ title: 'Dormitorio Olga', ownerId: luis.id, contactId });
    onLead = (await luis.c.post('/api/v1/activities', { type: 'note', leadId, body: 'Privado del prospecto' })).body.id;
    onContact = (await luis.c.post('/api/v1/activities', { type: 'call', contactId, subject: 'Llamada a Olga' })).body.id;
  });

  it('hides activities on another seller\'s lead from a sales user, but not the contact\'s own ones', async () => {
    const r = await marta.c.get(`/api/v1/activities?contactId=${contactId}`);
    expect(r.body.data.map((a: { id: string }) => a.id)).toEqual([onContact]);
    expect((await marta.c.get(`/api/v1/activities/${onLead}`)).status).toBe(403);
    expect((await marta.c.get(`/api/v1/activities/${onLead}/comments`)).status).toBe(403);
    expect((await marta.c.post('/api/v1/activities', { type: 'note', leadId })).status).toBe(403);
  });

  it('shows them to the owner\'s manager, to an admin and to whom the lead is shared with', async () => {
    const all = [onLead, onContact].sort();
    for (const c of [pedro.c, admin]) {
      const r = await c.get(`/api/v1/activities?contactId=${contactId}`);
      expect(r.body.data.map((a: { id: string }) => a.id).sort()).toEqual(all);
    }
    await db().update(lead).set({ sharedWith: [marta.id] }).where(eq(lead.id, leadId));
    try {
      expect((await marta.c.get(`/api/v1/activities/${onLead}`)).status).toBe(200);
    } finally {
      await db().update(lead).set({ sharedWith: [] }).where(eq(lead.id, leadId));
    }
  });

  it('hides them from a manager who does not manage the lead\'s owner', async () => {
    const martasLead = await addLead({ title: 'De Marta', ownerId: marta.id, contactId });
    const note = await marta.c.post('/api/v1/activities', { type: 'note', leadId: martasLead, body: 'Solo Marta' });
    expect(note.status).toBe(201);
    expect((await pedro.c.get(`/api/v1/activities/${note.body.id}`)).status).toBe(403);
    expect((await pedro.c.get(`/api/v1/activities?leadId=${martasLead}`)).body.data).toEqual([]);
    expect((await pedro.c.patch(`/api/v1/activities/${note.body.id}`, { body: 'Cambio' })).status).toBe(403);
  });

  it('lets neither another seller edit nor delete, and lets the author\'s manager and the author', async () => {
    expect((await marta.c.patch(`/api/v1/activities/${onContact}`, { subject: 'Hackeado' })).status).toBe(403);
    expect((await marta.c.del(`/api/v1/activities/${onContact}`)).status).toBe(403);
    const byManager = await pedro.c.patch(`/api/v1/activities/${onLead}`, { body: 'Corregido por Pedro', version: 1 });
    expect(byManager.status).toBe(200);
    expect(byManager.body).toMatchObject({ body: 'Corregido por Pedro', version: 2 });
    const byAuthor = await luis.c.patch(`/api/v1/activities/${onContact}`, { outcome: 'Sin respuesta' }, { 'if-match': '"1"' });
    expect(byAuthor.status).toBe(200);
    expect(byAuthor.headers.get('etag')).toBe('"2"');
  });

  it('refuses a stale version with 409 and the current record', async () => {
    const r = await luis.c.patch(`/api/v1/activities/${onContact}`, { subject: 'Otra', version: 1 });
    expect(r.status).toBe(409);
    expect(r.body.current.version).toBe(2);
  });

  it('refuses to set when a planned activity happened through an edit', async () => {
    const planned = await luis.c.post('/api/v1/activities', { type: 'task', contactId, dueAt: iso(hours(6)) });
    const r = await luis.c.patch(`/api/v1/activities/${planned.body.id}`, { occurredAt: iso(hours(-1)) });
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'occurredAt', code: 'not_done' });
    const later = iso(hours(8));
    const moved = await luis.c.patch(`/api/v1/activities/${planned.body.id}`, { dueAt: later });
    expect(moved.status).toBe(200);
    expect(moved.body.dueAt).toBe(later);
  });

  it('deletes an activity with its comments for the author', async () => {
    const a = await luis.c.post('/api/v1/activities', { type: 'note', contactId, body: 'Borrar' });
    await luis.c.post(`/api/v1/activities/${a.body.id}/comments`, { body: 'Un comentario' });
    expect((await luis.c.del(`/api/v1/activities/${a.body.id}`)).status).toBe(204);
    expect((await luis.c.get(`/api/v1/activities/${a.body.id}`)).status).toBe(404);
    expect(await db().select().from(activityComment).where(eq(activityComment.activityId, a.body.id))).toEqual([]);
  });
});

describe('comments', () => {
  it('stores comment text exactly as typed, including markup, oldest first with the author', async () => {
    const contactId = await addContact('Ramón');
    const a = await luis.c.post('/api/v1/activities', { type: 'meeting', contactId });
    const script = '<script>alert("x")</script> & <b>negrita</b>';
    const first = await luis.c.post(`/api/v1/activities/${a.body.id}/comments`, { body: script });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ body: script, userId: luis.id, userName: 'Luis Pérez', activityId: a.body.id });
    await marta.c.post(`/api/v1/activities/${a.body.id}/comments`, { body: 'Segundo' });
    const list = await luis.c.get(`/api/v1/activities/${a.body.id}/comments`);
    expect(list.body.data.map((c: { body: string; userName: string }) => [c.body, c.userName])).toEqual([[script, 'Luis Pérez'], ['Segundo', 'Marta Gil']]);
  });

  it('refuses an empty comment and a comment on an activity that does not exist', async () => {
    const contactId = await addContact('Inés');
    const a = await luis.c.post('/api/v1/activities', { type: 'note', contactId });
    const empty = await luis.c.post(`/api/v1/activities/${a.body.id}/comments`, { body: '   ' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors).toEqual([expect.objectContaining({ field: 'body', code: 'required' })]);
    expect(empty.body.errors[0].field).toBe('body');
    const missing = await luis.c.post('/api/v1/activities/00000000-0000-4000-8000-000000000000/comments', { body: 'Hola' });
    expect(missing.status).toBe(404);
  });
});
