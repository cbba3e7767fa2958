import { sql } from 'drizzle-orm';
import type { Database, Db } from '../client.js';

// tx.execute answers { rows } on both drivers; its declared type differs per driver.
const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

export type JobStatus = 'queued' | 'running' | 'done' | 'failed';

export type JobRow = {
  workspaceId: string; id: string; kind: string; payload: unknown; runAt: Date; status: JobStatus;
  attempts: number; maxAttempts: number; lastError: string | null; lockedUntil: Date | null;
  createdAt: Date; finishedAt: Date | null;
};

const columnsOf = (a: string) => `${a}workspace_id AS "workspaceId", ${a}id, ${a}kind, ${a}payload, ${a}run_at AS "runAt",
  ${a}status, ${a}attempts, ${a}max_attempts AS "maxAttempts", ${a}last_error AS "lastError",
  ${a}locked_until AS "lockedUntil", ${a}created_at AS "createdAt", ${a}finished_at AS "finishedAt"`;
const columns = columnsOf('');

const dateOrNull = (v: unknown) => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(v as string));
/** Rows come back with Date or ISO-string timestamps depending on driver and path; the API sees Dates. */
function toJob(r: JobRow): JobRow {
  return { ...r, runAt: dateOrNull(r.runAt)!, lockedUntil: dateOrNull(r.lockedUntil), createdAt: dateOrNull(r.createdAt)!, finishedAt: dateOrNull(r.finishedAt) };
}

export type NewJob = {
  workspaceId: string;
  /** Deterministic for scheduled runs, so the same run enqueued by several instances exists once. */
  id: string;
  kind: string;
  payload?: unknown;
  runAt: Date;
  maxAttempts?: number;
};

/** Enqueues a job unless one with the same id exists (in any state); true when this call created it. */
export async function enqueueJob(tx: Db, j: NewJob): Promise<boolean> {
  const res = await tx.execute(sql`
    INSERT INTO job (workspace_id, id, kind, payload, run_at, max_attempts)
    VALUES (${j.workspaceId}, ${j.id}, ${j.kind}, ${JSON.stringify(j.payload ?? {})}::jsonb, ${j.runAt.toISOString()}::timestamptz, ${j.maxAttempts ?? 5})
    ON CONFLICT (workspace_id, id) DO NOTHING
    RETURNING id`);
  return rowsOf(res).length > 0;
}

/** What a schedule needs to know about each workspace. */
export async function listWorkspacesForJobs(d: Database): Promise<{ id: string; timeZone: string; settings: Record<string, unknown> }[]> {
  return d.query('SELECT id, time_zone AS "timeZone", settings FROM workspace ORDER BY id');
}

/**
 * Workspaces that have a job to run or a lease that has passed at `now`: the worker visits only
 * these, so an idle installation with many workspaces costs one query a minute. It spans workspaces
 * on purpose (like listing workspaces); every query about the jobs themselves is per workspace.
 */
export async function workspacesWithDueJobs(d: Database, now: Date): Promise<string[]> {
  const rows = await d.query<{ id: string }>(
    `SELECT DISTINCT workspace_id AS id FROM job
      WHERE (status = 'queued' AND run_at <= $1::timestamptz) OR (status = 'running' AND locked_until <= $1::timestamptz)`,
    [now.toISOString()]);
  return rows.map((r) => r.id);
}

/**
 * Claims the next due job of a workspace for `leaseMs`: a queued job whose time has come, or a
 * running one whose lease has passed (its worker died) with attempts left. One statement: the row
 * is locked with SKIP LOCKED and updated at once, so two workers never claim the same job, and a
 * worker never waits on another's claim. The attempt count is the claim's fencing token. Only the
 * given kinds (those this process has handlers for) are claimed.
 */
export async function claimJob(d: Database, workspaceId: string, now: Date, leaseMs: number, kinds: string[]): Promise<JobRow | null> {
  if (kinds.length === 0) return null;
  const rows = await d.query<JobRow>(
    `UPDATE job j SET status = 'running', attempts = j.attempts + 1, locked_until = $2::timestamptz + make_interval(secs => $3::double precision / 1000)
       FROM (SELECT workspace_id, id FROM job
              WHERE workspace_id = $1 AND kind = ANY($4::text[])
                AND ((status = 'queued' AND run_at <= $2::timestamptz)
                  OR (status = 'running' AND locked_until <= $2::timestamptz AND attempts < max_attempts))
              ORDER BY run_at, id
              LIMIT 1
              FOR UPDATE SKIP LOCKED) due
      WHERE j.workspace_id = due.workspace_id AND j.id = due.id
      RETURNING ${columnsOf('j.')}`,
    [workspaceId, now.toISOString(), leaseMs, kinds]);
  return rows[0] ? toJob(rows[0]) : null;
}

/**
 * Running jobs whose lease passed after their last allowed attempt: their worker died every time.
 * They are marked failed in the caller's transaction and returned, so the caller can tell the admins.
 */
export async function failAbandonedJobs(tx: Db, workspaceId: string, now: Date): Promise<JobRow[]> {
  const at = now.toISOString();
  const res = await tx.execute(sql`
    UPDATE job SET status = 'failed', locked_until = NULL, finished_at = ${at}::timestamptz,
           last_error = coalesce(last_error || chr(10), '') || 'The worker stopped before finishing (lease expired) on the last attempt.'
     WHERE workspace_id = ${workspaceId} AND status = 'running' AND locked_until <= ${at}::timestamptz AND attempts >= max_attempts
     RETURNING ${sql.raw(columns)}`);
  return rowsOf<JobRow>(res).map(toJob);
}

/** Pushes the lease of a job this worker still holds to `until`; false when it no longer holds it. */
export async function extendLease(d: Database, job: Pick<JobRow, 'workspaceId' | 'id' | 'attempts'>, until: Date): Promise<boolean> {
  const rows = await d.query(
    `UPDATE job SET locked_until = $4::timestamptz
      WHERE workspace_id = $1 AND id = $2 AND status = 'running' AND attempts = $3 RETURNING id`,
    [job.workspaceId, job.id, job.attempts, until.toISOString()]);
  return rows.length > 0;
}

/** Marks a claimed job done; false when this worker no longer holds it (its lease passed and another took it). */
export async function completeJob(d: Database, job: Pick<JobRow, 'workspaceId' | 'id' | 'attempts'>, now: Date): Promise<boolean> {
  const rows = await d.query(
    `UPDATE job SET status = 'done', locked_until = NULL, finished_at = $4::timestamptz, last_error = NULL
      WHERE workspace_id = $1 AND id = $2 AND status = 'running' AND attempts = $3 RETURNING id`,
    [job.workspaceId, job.id, job.attempts, now.toISOString()]);
  return rows.length > 0;
}

/**
 * Records a failed attempt of a job this worker holds: back to queued at `retryAt`, or failed for
 * good when no attempts are left. Null when the worker no longer holds the job.
 */
export async function recordJobFailure(
  tx: Db, job: Pick<JobRow, 'workspaceId' | 'id' | 'attempts'>, now: Date, error: string, retryAt: Date,
): Promise<JobRow | null> {
  const res = await tx.execute(sql`
    UPDATE job SET
        status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
        run_at = CASE WHEN attempts >= max_attempts THEN run_at ELSE ${retryAt.toISOString()}::timestamptz END,
        finished_at = CASE WHEN attempts >= max_attempts THEN ${now.toISOString()}::timestamptz END,
        locked_until = NULL,
        last_error = ${error}
      WHERE workspace_id = ${job.workspaceId} AND id = ${job.id} AND status = 'running' AND attempts = ${job.attempts}
      RETURNING ${sql.raw(columns)}`);
  const row = rowsOf<JobRow>(res)[0];
  return row ? toJob(row) : null;
}

export async function findJob(d: Database, workspaceId: string, id: string): Promise<JobRow | null> {
  const rows = await d.query<JobRow>(`SELECT ${columns} FROM job WHERE workspace_id = $1 AND id = $2`, [workspaceId, id]);
  return rows[0] ? toJob(rows[0]) : null;
}

/** A workspace's jobs, newest first, optionally of some statuses and one kind; keyset-paginated. */
export async function listJobs(
  d: Database, workspaceId: string,
  opts: { statuses?: JobStatus[] | undefined; kind?: string | undefined; limit: number; before?: { createdAt: string; id: string } | undefined },
): Promise<{ data: (JobRow & { cursorAt: string })[]; hasMore: boolean }> {
  const params: unknown[] = [workspaceId];
  const where = ['workspace_id = $1'];
  if (opts.statuses?.length) { params.push(opts.statuses); where.push(`status = ANY($${params.length}::text[])`); }
  if (opts.kind) { params.push(opts.kind); where.push(`kind = $${params.length}`); }
  if (opts.before) {
    params.push(opts.before.createdAt, opts.before.id);
    where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::text)`);
  }
  // cursorAt keeps created_at's microseconds, which a JS Date would lose (and the next page skip rows).
  const rows = await d.query<JobRow & { cursorAt: string }>(
    `SELECT ${columns}, created_at::text AS "cursorAt" FROM job WHERE ${where.join(' AND ')}
      ORDER BY created_at DESC, id DESC LIMIT ${opts.limit + 1}`, params);
  return { data: rows.slice(0, opts.limit).map((r) => ({ ...toJob(r), cursorAt: r.cursorAt })), hasMore: rows.length > opts.limit };
}

/** Puts a failed job back in the queue, due now, with its attempts reset. False unless it was failed. */
export async function retryFailedJob(d: Database, workspaceId: string, id: string, now: Date): Promise<JobRow | null> {
  const rows = await d.query<JobRow>(
    `UPDATE job SET status = 'queued', attempts = 0, run_at = $3::timestamptz, finished_at = NULL, locked_until = NULL
      WHERE workspace_id = $1 AND id = $2 AND status = 'failed' RETURNING ${columns}`,
    [workspaceId, id, now.toISOString()]);
  return rows[0] ? toJob(rows[0]) : null;
}

/**
 * Deletes finished (done) jobs older than `before`. Failed ones stay for the admins to see. Keep
 * `before` well over a day back: a scheduled run's id is only unique while its row exists.
 */
export async function deleteFinishedJobs(tx: Db, workspaceId: string, before: Date): Promise<number> {
  const res = await tx.execute(sql`
    DELETE FROM job WHERE workspace_id = ${workspaceId} AND status = 'done' AND finished_at < ${before.toISOString()}::timestamptz
    RETURNING id`);
  return rowsOf(res).length;
}

/** Active users of a workspace, optionally of some roles (the fan-out of per-user scheduled jobs). */
export async function listActiveUserIds(d: Database, workspaceId: string, roles?: string[]): Promise<string[]> {
  const rows = roles?.length
    ? await d.query<{ id: string }>('SELECT id FROM app_user WHERE workspace_id = $1 AND is_active AND role = ANY($2::text[]) ORDER BY id', [workspaceId, roles])
    : await d.query<{ id: string }>('SELECT id FROM app_user WHERE workspace_id = $1 AND is_active ORDER BY id', [workspaceId]);
  return rows.map((r) => r.id);
}

/** A workspace's settings as they are now (jobs read them when they run, not when they were enqueued). */
export async function workspaceSettings(d: Database, workspaceId: string): Promise<Record<string, unknown> | null> {
  const rows = await d.query<{ settings: Record<string, unknown> }>('SELECT settings FROM workspace WHERE id = $1', [workspaceId]);
  return rows[0]?.settings ?? null;
}
