import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase } from '../src/db/client.js';
import { migrate } from '../src/db/migrate.js';
import type { Deps } from '../src/http/context.js';
import { claimJob, completeJob, findJob } from '../src/db/queries/jobs.js';
import { registerJob, registerSchedule } from '../src/jobs/registry.js';
import { perUserRun } from '../src/jobs/fan-out.js';
import { createScheduler } from '../src/jobs/scheduler.js';
import { drainJobs } from '../src/jobs/worker.js';
import { enqueue } from '../src/jobs/queue.js';
import { Client, engine, PASSWORD, setupWorkspace, testApp, type TestApp } from './harness.js';

let t: TestApp;
let admin: Client;
let sales: Client;
let workspaceId: string;
/** A second app instance on the same database (PostgreSQL), or a second worker on the same PGlite. */
let other: Deps;
let closeOther = async () => {};

let clock = new Date('2026-11-23T09:00:00Z');
const at = (iso: string) => { clock = new Date(iso); return clock; };
const calls = new Map<string, number>();
const count = (id: string) => calls.get(id) ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Schedules and handlers for the tests only; the built-in jobs are not imported here.
let scheduleOn = false;
registerSchedule({
  name: 'test-burst',
  due: (now, ws) => scheduleOn
    ? [...['a', 'b', 'c', 'd', 'e'].map((k) => ({ id: `burst:${k}`, kind: 'count', payload: { k }, runAt: now })),
      perUserRun({ prefix: 'burst-user', kind: 'count', runAt: now, payload: { ws: ws.id } })]
    : [],
});
registerJob('count', async ({ jobId }) => {
  calls.set(jobId, count(jobId) + 1);
  await sleep(5); // widen the window in which a second worker could take the same job
});
let releaseSlow: () => void = () => {};
registerJob('slow', async ({ jobId }) => {
  calls.set(jobId, count(jobId) + 1);
  await new Promise<void>((resolve) => { releaseSlow = resolve; });
});
registerJob('always-fails', async () => { throw new Error('SMTP said no'); });
registerJob('fails-once', async ({ jobId }) => {
  calls.set(jobId, count(jobId) + 1);
  if (count(jobId) === 1) throw new Error('temporary');
});

beforeAll(async () => {
  t = await testApp();
  t.deps.now = () => clock;
  ({ admin, workspaceId } = await setupWorkspace(t));
  const u = await admin.post('/api/v1/users', { email: 'luis@garcia.es', name: 'Luis Pérez', role: 'sales', password: PASSWORD });
  expect(u.status).toBe(201);
  sales = new Client(t);
  await sales.login('luis@garcia.es', PASSWORD);
  if (engine === 'postgres') {
    const [{ name }] = await t.deps.database.query<{ name: string }>('SELECT current_database() AS name') as [{ name: string }];
    const database = await openDatabase({ databaseUrl: inject('pgUrl').replace(/\/[^/]*$/, `/${name}`), poolSize: 3 });
    await migrate(database);
    other = { ...t.deps, database };
    closeOther = () => database.close();
  } else {
    other = { ...t.deps };
  }
});
afterAll(async () => { await closeOther(); await t.close(); });
beforeEach(() => { scheduleOn = false; });

const jobRow = (id: string) => findJob(t.deps.database, workspaceId, id);

describe('queue and scheduler', () => {
  it('runs each scheduled run exactly once when two instances tick at the same moment', async () => {
    scheduleOn = true;
    at('2026-11-23T09:00:00Z');
    const one = createScheduler(t.deps);
    const two = createScheduler(other);
    const results = await Promise.all([one.tick(), two.tick(), one.tick(), two.tick()]);
    // 5 runs + 1 fan-out per tick were due; the ids make every enqueue after the first a no-op.
    expect(results.reduce((n, r) => n + r.enqueued, 0)).toBe(6);
    for (const k of ['a', 'b', 'c', 'd', 'e']) expect(count(`burst:${k}`)).toBe(1);
    const users = await t.deps.database.query<{ id: string }>('SELECT id FROM app_user WHERE workspace_id = $1', [workspaceId]);
    expect(users).toHaveLength(2);
    for (const u of users) expect(count(`burst-user:${u.id}`)).toBe(1);
    expect((await jobRow('burst:a'))?.status).toBe('done');
    // A later tick the same day finds the runs done and runs nothing again.
    await Promise.all([one.tick(), two.tick()]);
    expect(count('burst:a')).toBe(1);
  });

  it('enqueues a job id once: the second enqueue is a no-op that answers false', async () => {
    const job = { workspaceId, id: 'once:1', kind: 'not-registered', runAt: clock };
    expect(await enqueue(t.deps.database.db, job)).toBe(true);
    expect(await enqueue(other.database.db, { ...job, payload: { different: true } })).toBe(false);
    expect((await jobRow('once:1'))?.payload).toEqual({});
  });

  it('leaves jobs of kinds this process cannot run queued, for an instance that can', async () => {
    await drainJobs(t.deps);
    const job = await jobRow('once:1');
    expect(job?.status).toBe('queued');
    expect(job?.attempts).toBe(0);
  });

  it('retries a failing job after 1, then 2 minutes, and succeeds when the cause is gone', async () => {
    at('2026-11-23T10:00:00Z');
    await enqueue(t.deps.database.db, { workspaceId, id: 'flaky:1', kind: 'fails-once', runAt: clock });
    await drainJobs(t.deps);
    let job = await jobRow('flaky:1');
    expect(job).toMatchObject({ status: 'queued', attempts: 1, lastError: expect.stringContaining('temporary') });
    expect(job?.runAt.toISOString()).toBe('2026-11-23T10:01:00.000Z');
    at('2026-11-23T10:00:59Z');
    await drainJobs(t.deps);
    expect(count('flaky:1')).toBe(1);
    at('2026-11-23T10:01:00Z');
    await drainJobs(t.deps);
    job = await jobRow('flaky:1');
    expect(count('flaky:1')).toBe(2);
    expect(job).toMatchObject({ status: 'done', attempts: 2, lastError: null });
  });

  it('backs off exponentially and, after the last attempt, fails the job, keeps the error and notifies the admins', async () => {
    at('2026-11-23T11:00:00Z');
    await enqueue(t.deps.database.db, { workspaceId, id: 'doomed:1', kind: 'always-fails', runAt: clock, maxAttempts: 3 });
    await drainJobs(t.deps);
    expect((await jobRow('doomed:1'))?.runAt.toISOString()).toBe('2026-11-23T11:01:00.000Z');
    at('2026-11-23T11:01:00Z');
    await drainJobs(t.deps);
    const second = await jobRow('doomed:1');
    expect(second).toMatchObject({ status: 'queued', attempts: 2 });
    expect(second?.runAt.toISOString()).toBe('2026-11-23T11:03:00.000Z');
    at('2026-11-23T11:03:00Z');
    await drainJobs(t.deps);
    const failed = await jobRow('doomed:1');
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: expect.stringContaining('SMTP said no') });
    expect(failed?.finishedAt?.toISOString()).toBe('2026-11-23T11:03:00.000Z');
    // Failed for good: later drains do not touch it.
    at('2026-11-23T19:03:00Z');
    await drainJobs(t.deps);
    expect((await jobRow('doomed:1'))?.attempts).toBe(3);

    const notes = (await admin.get('/api/v1/notifications')).body.data.filter((n: { kind: string }) => n.kind === 'job_failed');
    expect(notes).toHaveLength(1);
    expect(notes[0].title).toContain('always-fails');
    expect(notes[0].body).toContain('SMTP said no');
    const salesNotes = (await sales.get('/api/v1/notifications')).body.data.filter((n: { kind: string }) => n.kind === 'job_failed');
    expect(salesNotes).toHaveLength(0);
  });

  it('retries a job whose worker died once its lease has passed, and ignores the dead worker coming back late', async () => {
    at('2026-11-23T12:00:00Z');
    await enqueue(t.deps.database.db, { workspaceId, id: 'crash:1', kind: 'count', runAt: clock });
    // A worker claims the job and then "crashes" (never completes it).
    const claimed = await claimJob(t.deps.database, workspaceId, clock, 5 * 60_000, ['count']);
    expect(claimed).toMatchObject({ id: 'crash:1', status: 'running', attempts: 1 });
    at('2026-11-23T12:04:59Z');
    await drainJobs(other);
    expect(count('crash:1')).toBe(0);
    at('2026-11-23T12:05:00Z');
    await drainJobs(other);
    expect(count('crash:1')).toBe(1);
    expect(await jobRow('crash:1')).toMatchObject({ status: 'done', attempts: 2 });
    // The first worker wakes up and tries to record its outcome: it no longer holds the job.
    expect(await completeJob(t.deps.database, claimed!, clock)).toBe(false);
  });

  it('keeps the lease of a job that is still running, so a slow job is not run twice', async () => {
    at('2026-11-23T12:30:00Z');
    await enqueue(t.deps.database.db, { workspaceId, id: 'slow:1', kind: 'slow', runAt: clock });
    const first = drainJobs(t.deps, { leaseMs: 2000 });
    for (let i = 0; i < 100 && count('slow:1') === 0; i++) await sleep(10);
    expect(count('slow:1')).toBe(1);
    at('2026-11-23T12:30:01.500Z');
    await sleep(1300); // the running worker renews its lease (every leaseMs / 2) from the clock's new time
    at('2026-11-23T12:30:02.500Z'); // past the first lease, within the renewed one
    await drainJobs(other, { leaseMs: 2000 });
    expect(count('slow:1')).toBe(1);
    releaseSlow();
    await first;
    expect(await jobRow('slow:1')).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('fails and reports a job whose worker died on its last attempt', async () => {
    at('2026-11-23T13:00:00Z');
    await enqueue(t.deps.database.db, { workspaceId, id: 'crash:last', kind: 'count', runAt: clock, maxAttempts: 1 });
    await claimJob(t.deps.database, workspaceId, clock, 60_000, ['count']);
    at('2026-11-23T13:01:00Z');
    await drainJobs(t.deps);
    expect(count('crash:last')).toBe(0);
    expect(await jobRow('crash:last')).toMatchObject({ status: 'failed', lastError: expect.stringContaining('lease expired') });
    const notes = (await admin.get('/api/v1/notifications')).body.data.filter((n: { body: string }) => n.body.includes('crash:last'));
    expect(notes).toHaveLength(1);
  });

  it('ticks on its own once started and stops cleanly, waiting for the tick in progress', async () => {
    scheduleOn = true;
    at('2026-11-23T14:00:00Z');
    await enqueue(t.deps.database.db, { workspaceId, id: 'timer:1', kind: 'count', runAt: clock });
    const s = createScheduler(t.deps, { intervalMs: 10 });
    s.start();
    for (let i = 0; i < 200 && count('timer:1') === 0; i++) await sleep(10);
    await s.stop();
    expect(count('timer:1')).toBe(1);
    await enqueue(t.deps.database.db, { workspaceId, id: 'timer:2', kind: 'count', runAt: clock });
    await sleep(50);
    expect(count('timer:2')).toBe(0);
  });
});

describe('GET /api/v1/jobs', () => {
  it('lists failed jobs with their error for admins', async () => {
    const r = await admin.get('/api/v1/jobs?status=failed');
    expect(r.status).toBe(200);
    const ids = r.body.data.map((j: { id: string }) => j.id);
    expect(ids).toEqual(expect.arrayContaining(['doomed:1', 'crash:last']));
    expect(r.body.data.every((j: { status: string }) => j.status === 'failed')).toBe(true);
    const doomed = r.body.data.find((j: { id: string }) => j.id === 'doomed:1');
    expect(doomed).toMatchObject({ kind: 'always-fails', attempts: 3, maxAttempts: 3 });
    expect(doomed.lastError).toContain('SMTP said no');
    expect(doomed).not.toHaveProperty('workspaceId');
  });

  it('filters by several statuses and pages with a cursor', async () => {
    const first = await admin.get('/api/v1/jobs?status=queued,failed&limit=1');
    expect(first.body.data).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await admin.get(`/api/v1/jobs?status=queued,failed&limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.data).toHaveLength(1);
    expect(second.body.data[0].id).not.toBe(first.body.data[0].id);
    const all = await admin.get('/api/v1/jobs?status=queued,failed');
    expect(all.body.data.map((j: { id: string }) => j.id).sort()).toEqual(['crash:last', 'doomed:1', 'once:1', 'timer:2']);
  });

  it('refuses non-admins with 403', async () => {
    const r = await sales.get('/api/v1/jobs?status=failed');
    expect(r.status).toBe(403);
    expect(r.body.code).toBe('forbidden');
    expect((await sales.post('/api/v1/jobs/doomed:1/retry')).status).toBe(403);
  });

  it('names a bad status filter', async () => {
    const r = await admin.get('/api/v1/jobs?status=broken');
    expect(r.status).toBe(422);
    expect(r.body.errors[0]).toMatchObject({ field: 'status', code: 'invalid_choice' });
  });

  it('lets an admin queue a failed job again with fresh attempts', async () => {
    at('2026-11-23T20:00:00Z');
    const r = await admin.post('/api/v1/jobs/doomed:1/retry');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: 'doomed:1', status: 'queued', attempts: 0 });
    expect((await admin.post('/api/v1/jobs/burst:a/retry')).status).toBe(404);
  });
});

describe('seguimiento jobs run-once', () => {
  // The CLI as an operator runs it (e.g. from cron): a separate process configured by the environment.
  let env: Record<string, string>;
  let dir: string;
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...env, SEGUIMIENTO_PASSWORD: PASSWORD }, timeout: 110_000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };
  const open = () => openDatabase({ databaseUrl: env['DATABASE_URL'], dataDir: env['DATA_DIR'] });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'seguimiento-jobs-cli-'));
    if (engine === 'pglite') {
      env = { DATA_DIR: join(dir, 'data') };
    } else {
      const name = `jobs_cli_${randomBytes(5).toString('hex')}`;
      const c = new pg.Client({ connectionString: inject('pgUrl') });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      env = { DATABASE_URL: inject('pgUrl').replace(/\/[^/]*$/, `/${name}`) };
    }
    expect(cli(['setup', '--workspace', 'Cron SL', '--name', 'Ana', '--email', 'ana@cron.es']).code).toBe(0);
  }, 120_000); // a process start under a loaded test run can be slow
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the due jobs once and exits, reporting what it did', async () => {
    let database = await open();
    const [ws] = await database.query<{ id: string }>('SELECT id FROM workspace');
    await enqueue(database.db, { workspaceId: ws!.id, id: 'retention:manual', kind: 'retention', runAt: new Date('2026-01-01T00:00:00Z') });
    await database.close();
    const r = cli(['jobs', 'run-once']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/jobs: \d+ enqueued, [1-9]\d* ran \([1-9]\d* done, 0 to retry, 0 failed\)/);
    database = await open();
    try {
      expect(await findJob(database, ws!.id, 'retention:manual')).toMatchObject({ status: 'done', attempts: 1 });
    } finally {
      await database.close();
    }
  }, 120_000);

  it('names an unknown jobs command and exits with an error', () => {
    const r = cli(['jobs', 'run-twice']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Unknown jobs command "run-twice"');
  }, 120_000);
});
