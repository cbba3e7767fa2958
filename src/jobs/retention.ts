import { deleteFinishedJobs, workspaceSettings } from '../db/queries/jobs.js';
import { deleteOldNotifications } from '../db/queries/notifications.js';
import { deleteStaleImportFiles } from '../db/queries/imports.js';
import { purgeCancelled, type PurgeEntity } from '../db/queries/retention.js';
import { retentionCutoff, retentionDaysOf } from '../domain/retention.js';
import type { Deps } from '../http/context.js';
import { registerJob, registerSchedule } from './registry.js';
import { dailyRun } from './timing.js';

/** Daily at 03:00 workspace time: purge records cancelled longer ago than the retention period. */
export const RETENTION_KIND = 'retention';
export const RETENTION_HOUR = 3;
/** Records deleted per transaction: keeps locks and transactions short on large workspaces. */
const BATCH = 200;
const DAY_MS = 86_400_000;
/** Finished jobs are kept this long for the admin view (and so a day's scheduled ids stay taken). */
export const KEEP_DONE_JOBS_DAYS = 30;
export const KEEP_READ_NOTIFICATIONS_DAYS = 90;

export type RetentionResult = Record<PurgeEntity, number> & { jobs: number; notifications: number };

/**
 * Runs the retention of one workspace at `now`. Leads first, then contacts, then companies, so a
 * lead purged today is not first detached from a contact purged in the same run.
 */
export async function runRetention(deps: Deps, workspaceId: string, now: Date): Promise<RetentionResult> {
  const settings = await workspaceSettings(deps.database, workspaceId);
  const result: RetentionResult = { lead: 0, contact: 0, company: 0, jobs: 0, notifications: 0 };
  if (!settings) return result; // the workspace was deleted
  const cutoff = retentionCutoff(now, retentionDaysOf(settings));
  for (const entity of ['lead', 'contact', 'company'] as const) {
    for (;;) {
      const purged = await deps.database.transaction((tx) => purgeCancelled(tx, workspaceId, entity, cutoff, BATCH, now));
      result[entity] += purged.length;
      if (purged.length < BATCH) break;
    }
  }
  await deps.database.transaction(async (tx) => {
    result.jobs = await deleteFinishedJobs(tx, workspaceId, new Date(now.getTime() - KEEP_DONE_JOBS_DAYS * DAY_MS));
    result.notifications = await deleteOldNotifications(tx, workspaceId, new Date(now.getTime() - KEEP_READ_NOTIFICATIONS_DAYS * DAY_MS));
    await deleteStaleImportFiles(tx, workspaceId, new Date(now.getTime() - DAY_MS)); // uploads a day old that never became an import
  });
  return result;
}

registerSchedule({
  name: 'retention',
  due(now, ws) {
    const run = dailyRun(now, ws.timeZone, RETENTION_HOUR);
    return run ? [{ id: `retention:${run.date}`, kind: RETENTION_KIND, payload: { date: run.date }, runAt: run.runAt }] : [];
  },
});

registerJob(RETENTION_KIND, async ({ deps, workspaceId, now }) => {
  await runRetention(deps, workspaceId, now);
});
