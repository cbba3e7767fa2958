import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { hashPassword } from '../src/auth/password.js';
import { activity, appUser, contact, job, lead, stage, workspace } from '../src/db/schema.js';
import { jobHandler } from '../src/jobs/registry.js';
import { DIGEST_KIND } from '../src/jobs/digest.js';
import { createScheduler } from '../src/jobs/scheduler.js';
import { sendDigest } from '../src/mail/digest.js';
import type { Config } from '../src/config.js';
import { PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';
import { closedPort, startSmtpServer, type TestSmtpServer } from './smtp-server.js';

let t: TestApp;
let smtp: TestSmtpServer;
let smtpConfig: Config['smtp'];
let workspaceId: string;
let users: Record<'luis' | 'marta' | 'pedro', string>;
let leads: Record<string, string>;

// Monday 23 November 2026, 07:00 in Madrid (UTC+1): the digest hour.
const DATE = '2026-11-23';
const NOW = new Date('2026-11-23T06:00:00Z');
const db = () => t.deps.database.db;

async function addUser(name: string, email: string, locale: 'es' | 'en' | null) {
  const [u] = await db().insert(appUser).values({ workspaceId, email, name, role: 'sales', locale, passwordHash: await hashPassword(PASSWORD) }).returning();
  return u!.id;
}

let cold: { id: string; pipelineId: string; probability: number };
let won: { id: string; pipelineId: string; probability: number };
async function addLead(o: { title: string; ownerId: string; at: Date | null; type?: string; note?: string; contactId?: string; won?: boolean }) {
  const s = o.won ? won : cold;
  const [row] = await db().insert(lead).values({
    workspaceId, title: o.title, contactId: o.contactId ?? null, pipelineId: s.pipelineId, stageId: s.id, probability: s.probability,
    currency: 'EUR', ownerId: o.ownerId, status: o.won ? 'won' : 'open', closedAt: o.won ? NOW : null,
    nextActionAt: o.at, nextActionType: (o.at ? o.type ?? 'call' : null) as never, nextActionNote: o.note ?? null,
  }).returning();
  return row!.id;
}

const setSmtp = (smtpOverride: Partial<Config['smtp']>) => { t.deps.config = { ...t.deps.config, smtp: { ...smtpConfig, ...smtpOverride } }; };
const runDigest = (userId: string, now = NOW) =>
  jobHandler(DIGEST_KIND)!({ deps: t.deps, workspaceId, jobId: `digest:${DATE}:${userId}`, payload: { date: DATE, userId }, now });

beforeAll(async () => {
  t = await testApp();
  t.setNow(NOW);
  smtp = await startSmtpServer();
  smtpConfig = { host: '127.0.0.1', port: smtp.port, secure: false, user: undefined, password: undefined, from: 'Seguimiento <crm@garcia.es>' };
  t.deps.config = { ...t.deps.config, smtp: smtpConfig, digestHour: 7, publicUrl: 'https://crm.garcia.es' };
  ({ workspaceId } = await setupWorkspace(t));
  await db().update(workspace).set({ timeZone: 'Europe/Madrid', locale: 'es' }).where(eq(workspace.id, workspaceId));
  const rows = await db().select().from(stage).where(eq(stage.workspaceId, workspaceId)).orderBy(stage.position);
  const pick = (i: number) => ({ id: rows[i]!.id, pipelineId: rows[i]!.pipelineId, probability: rows[i]!.probability });
  cold = pick(0);
  won = pick(3);
  users = {
    luis: await addUser('Luis Ortega', 'luis@garcia.es', null),
    marta: await addUser('Marta Gil', 'marta@garcia.es', 'en'),
    pedro: await addUser('Pedro Ruiz', 'pedro@garcia.es', 'es'),
  };
  const [elena] = await db().insert(contact).values({ workspaceId, firstName: 'Elena', lastName: 'Pérez' }).returning();
  leads = {
    kitchen: await addLead({ title: 'Cocina <script>alert(1)</script>', ownerId: users.luis, at: new Date('2026-11-23T09:00:00Z'), contactId: elena!.id, note: 'Llevar catálogo & muestras' }),
    afternoon: await addLead({ title: 'Armario empotrado', ownerId: users.luis, at: new Date('2026-11-23T15:30:00Z'), type: 'visit' }),
    tomorrow: await addLead({ title: 'Mañana no', ownerId: users.luis, at: new Date('2026-11-24T09:00:00Z') }),
    recentOverdue: await addLead({ title: 'Vencida reciente', ownerId: users.luis, at: new Date('2026-11-20T10:00:00Z'), type: 'email' }),
    oldOverdue: await addLead({ title: 'Vencida antigua', ownerId: users.luis, at: new Date('2026-11-02T10:00:00Z') }),
    sold: await addLead({ title: 'Sofá vendido', ownerId: users.luis, at: null, won: true }),
    martas: await addLead({ title: 'Dormitorio', ownerId: users.marta, at: new Date('2026-11-23T11:00:00Z'), type: 'meeting' }),
  };
  await db().insert(activity).values([
    { workspaceId, userId: users.luis, type: 'task', dueAt: new Date('2026-11-23T12:00:00Z'), subject: 'Preparar presupuesto', leadId: leads['kitchen']! },
    { workspaceId, userId: users.luis, type: 'task', dueAt: new Date('2026-11-23T12:00:00Z'), subject: 'Ya hecha', doneAt: NOW },
    { workspaceId, userId: users.luis, type: 'task', dueAt: new Date('2026-11-26T12:00:00Z'), subject: 'Para el jueves' },
  ]);
});
afterAll(async () => {
  await smtp?.close();
  await t?.close();
});
beforeEach(() => {
  smtp.messages.length = 0;
  t.deps.config = { ...t.deps.config, smtp: smtpConfig };
});

describe('morning digest email', () => {
  it('reaches the user over SMTP with the day and the counts in the subject', async () => {
    await runDigest(users.luis);
    expect(smtp.messages).toHaveLength(1);
    const m = smtp.messages[0]!;
    expect(m.to).toEqual(['luis@garcia.es']);
    expect(m.from).toBe('crm@garcia.es');
    expect(m.subject).toBe('Tu día, lunes, 23 de noviembre: 2 para hoy, 2 vencidas, 1 tarea');
    expect(m.headers['auto-submitted']).toBe('auto-generated');
    expect(m.headers['x-seguimiento-job']).toBe(`digest:${DATE}:${users.luis}`);
  });

  it('lists today in time order on the Madrid clock, overdue oldest first, and tasks due, nothing else', async () => {
    await runDigest(users.luis);
    const { text } = smtp.messages[0]!;
    const at = (s: string) => { const i = text.indexOf(s); expect(i, s).toBeGreaterThan(-1); return i; };
    expect(at('10:00  Llamada · Cocina <script>alert(1)</script> (Elena Pérez)')).toBeLessThan(at('16:30  Visita · Armario empotrado'));
    expect(at('PARA HOY (2)')).toBeLessThan(at('VENCIDAS (2)'));
    expect(at('Vencida antigua')).toBeLessThan(at('Vencida reciente'));
    expect(at('Tarea · Cocina')).toBeGreaterThan(at('TAREAS PENDIENTES (1)'));
    expect(text).toContain('Llevar catálogo & muestras');
    expect(text).toContain(`https://crm.garcia.es/leads/${leads['kitchen']}`);
    for (const absent of ['Mañana no', 'Sofá vendido', 'Dormitorio', 'Ya hecha', 'Para el jueves']) expect(text).not.toContain(absent);
  });

  it('leaves out the leads of people who asked not to be contacted', async () => {
    const rosa = await addUser('Rosa Vidal', 'rosa@garcia.es', 'es');
    const [quiet] = await db().insert(contact).values({ workspaceId, firstName: 'Julia', lastName: 'Callada', doNotContact: true }).returning();
    await addLead({ title: 'Reforma de Julia', ownerId: rosa, at: new Date('2026-11-23T10:00:00Z'), contactId: quiet!.id });
    await addLead({ title: 'Baño de Rosa', ownerId: rosa, at: new Date('2026-11-23T11:00:00Z') });
    await runDigest(rosa);
    const { text } = smtp.messages[0]!;
    expect(text).toContain('Baño de Rosa');
    expect(text).not.toContain('Reforma de Julia');
    // Out of the way of the once-per-user count below.
    await db().update(appUser).set({ isActive: false }).where(eq(appUser.id, rosa));
  });

  it('escapes a <script> in a lead title in the HTML part', async () => {
    await runDigest(users.luis);
    const { html } = smtp.messages[0]!;
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('Cocina &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('Llevar catálogo &amp; muestras');
    expect(html).toContain(`href="https://crm.garcia.es/leads/${leads['kitchen']}"`);
  });

  it('is written in the user language', async () => {
    await runDigest(users.marta);
    const m = smtp.messages[0]!;
    expect(m.to).toEqual(['marta@garcia.es']);
    expect(m.subject).toBe('Your day, Monday 23 November: 1 today');
    expect(m.text).toContain('12:00  Meeting · Dormitorio');
  });

  it('is not sent to a user with nothing to do, nor when email is off, nor late in the day, nor to a deactivated user', async () => {
    const job = { workspaceId, date: DATE, jobId: 'x', now: NOW };
    expect(await sendDigest(t.deps, { ...job, userId: users.pedro })).toBe('nothing_to_do');
    setSmtp({ host: undefined });
    expect(await sendDigest(t.deps, { ...job, userId: users.luis })).toBe('email_disabled');
    setSmtp({});
    expect(await sendDigest(t.deps, { ...job, userId: users.luis, now: new Date('2026-11-23T14:00:00Z') })).toBe('too_late');
    expect(await sendDigest(t.deps, { ...job, userId: users.luis, now: new Date('2026-11-24T06:00:00Z') })).toBe('too_late');
    await db().update(appUser).set({ isActive: false }).where(and(eq(appUser.workspaceId, workspaceId), eq(appUser.id, users.marta)));
    try {
      expect(await sendDigest(t.deps, { ...job, userId: users.marta })).toBe('inactive_user');
    } finally {
      await db().update(appUser).set({ isActive: true }).where(and(eq(appUser.workspaceId, workspaceId), eq(appUser.id, users.marta)));
    }
    expect(smtp.messages).toHaveLength(0);
  });

  it('makes the job fail when the SMTP server refuses the connection, so the queue retries it', async () => {
    setSmtp({ port: await closedPort() });
    await expect(runDigest(users.luis)).rejects.toThrow(/ECONNREFUSED/);
    expect(smtp.messages).toHaveLength(0);
  });
});

describe('morning digest schedule', () => {
  const jobsOf = async (prefix: string) =>
    (await db().select().from(job).where(eq(job.workspaceId, workspaceId))).filter((j) => j.id.startsWith(prefix)).sort((a, b) => a.id.localeCompare(b.id));

  it('plans at local midnight, sends at the digest hour once per user, however many instances tick', async () => {
    let clock = new Date('2026-11-22T23:30:00Z'); // 00:30 in Madrid on the 23rd
    const a = createScheduler(t.deps, { now: () => clock });
    const b = createScheduler(t.deps, { now: () => clock });
    await Promise.all([a.tick(), b.tick()]);
    const queued = await jobsOf(`digest:${DATE}:`);
    expect(queued.map((j) => j.id).sort()).toEqual(
      [...Object.values(users), (await db().select().from(appUser).where(and(eq(appUser.workspaceId, workspaceId), eq(appUser.role, 'admin'))))[0]!.id]
        .map((id) => `digest:${DATE}:${id}`).sort());
    expect(queued.every((j) => j.status === 'queued' && j.runAt.toISOString() === NOW.toISOString())).toBe(true);
    expect(smtp.messages).toHaveLength(0);

    clock = new Date('2026-11-23T06:01:00Z');
    await Promise.all([a.tick(), b.tick()]);
    await Promise.all([a.tick(), b.tick()]);
    expect(smtp.messages.map((m) => m.to[0]).sort()).toEqual(['luis@garcia.es', 'marta@garcia.es']);
    expect((await jobsOf(`digest:${DATE}:`)).every((j) => j.status === 'done')).toBe(true);
  });

  it('leaves a digest whose SMTP server is down queued for a retry, with the error kept', async () => {
    const date = '2026-11-24';
    setSmtp({ port: await closedPort() });
    let clock = new Date('2026-11-23T23:30:00Z');
    const s = createScheduler(t.deps, { now: () => clock });
    await s.tick();
    clock = new Date('2026-11-24T06:01:00Z');
    await s.tick();
    const luis = (await jobsOf(`digest:${date}:${users.luis}`))[0]!;
    expect(luis.status).toBe('queued');
    expect(luis.attempts).toBe(1);
    expect(luis.lastError).toMatch(/ECONNREFUSED/);
    expect(luis.runAt.getTime()).toBeGreaterThan(clock.getTime());

    setSmtp({});
    clock = new Date(luis.runAt.getTime() + 1000);
    await s.tick();
    expect(smtp.messages.map((m) => m.to[0])).toContain('luis@garcia.es');
    expect((await jobsOf(`digest:${date}:${users.luis}`))[0]!.status).toBe('done');
  });

  it('is registered by the jobs module the server starts', async () => {
    // Fresh module instances: only what src/jobs/index.ts itself imports gets registered.
    vi.resetModules();
    await import('../src/jobs/index.js');
    const registry = await import('../src/jobs/registry.js');
    expect(registry.registeredSchedules().map((x) => x.name)).toContain('digest');
    expect(registry.jobHandler(DIGEST_KIND)).toBeDefined();
  });
});
