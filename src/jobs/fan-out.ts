import { listActiveUserIds } from '../db/queries/jobs.js';
import { registerJob, type DueRun } from './registry.js';
import { enqueue } from './queue.js';

/**
 * Per-user scheduled jobs. A schedule's `due` sees workspaces, not users (it runs every minute and
 * must not query), so it returns one fan-out run for the workspace, and that job enqueues one job per
 * active user with id `<prefix>:<userId>`. Both levels have deterministic ids, so the fan-out and
 * each user's job exist once however many instances tick or the fan-out is retried.
 */
export const FAN_OUT_KIND = 'fan_out_users';

export type FanOutPayload = { prefix: string; kind: string; payload: unknown; roles?: string[] };

/**
 * The run a schedule returns to get `kind` run once per active user (optionally of some roles) with
 * ids `<prefix>:<userId>`, e.g. prefix `digest:2026-11-23` gives `digest:2026-11-23:<userId>`. Each
 * user's job receives `{ ...payload, userId }`.
 */
export function perUserRun(opts: { prefix: string; kind: string; payload?: Record<string, unknown>; runAt: Date; roles?: string[] }): DueRun {
  const payload: FanOutPayload = { prefix: opts.prefix, kind: opts.kind, payload: opts.payload ?? {}, ...(opts.roles ? { roles: opts.roles } : {}) };
  return { id: `${opts.prefix}:users`, kind: FAN_OUT_KIND, payload, runAt: opts.runAt };
}

registerJob(FAN_OUT_KIND, async ({ deps, workspaceId, payload, now }) => {
  const p = payload as FanOutPayload;
  for (const userId of await listActiveUserIds(deps.database, workspaceId, p.roles)) {
    await enqueue(deps.database.db, {
      workspaceId, id: `${p.prefix}:${userId}`, kind: p.kind,
      payload: { ...(p.payload as Record<string, unknown>), userId }, runAt: now,
    });
  }
});
