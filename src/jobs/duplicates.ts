import {
  DUPLICATE_SCAN_KIND, purgeExpiredMerges, recordDuplicateScanProgress, requestDuplicateScan, scanDuplicatePairs,
  type DuplicateScanPayload, type DuplicateScanView,
} from '../db/queries/duplicates.js';
import type { DuplicateEntity } from '../domain/duplicates.js';
import { driverError } from '../db/pg-errors.js';
import type { Deps } from '../http/context.js';
import { registerJob, registerSchedule, type JobHandler } from './registry.js';
import { RETENTION_HOUR } from './retention.js';
import { dailyRun } from './timing.js';

/**
 * Nightly duplicate work, next to the retention run: merges past their 30-day undo period are
 * purged (the merged record deleted, its snapshot emptied), then a scan of the candidate pairs of
 * the review page is asked for — the same scan job as "Scan now", so the two never run at once and
 * the page shows the nightly one as the latest scan.
 */
export const DUPLICATES_KIND = 'duplicates';
export { DUPLICATE_SCAN_KIND };
/** Merges purged per transaction: keeps locks short on a workspace that merged a lot. */
const BATCH = 100;
/** Nobody watches the nightly scan: a passing error (a restart, a lost connection) is retried. */
const NIGHTLY_SCAN_ATTEMPTS = 3;

export async function runDuplicatesJob(deps: Deps, workspaceId: string, now: Date): Promise<{ purged: number; scan: DuplicateScanView }> {
  let purged = 0;
  for (;;) {
    const n = await deps.database.transaction((tx) => purgeExpiredMerges(tx, workspaceId, now, BATCH));
    purged += n;
    if (n < BATCH) break;
  }
  const { scan } = await deps.database.transaction((tx) =>
    requestDuplicateScan(tx, workspaceId, { entity: null, requestedBy: null, now, attempts: NIGHTLY_SCAN_ATTEMPTS }));
  return { purged, scan };
}

/**
 * The scan job ("Scan now", src/http/routes/duplicates.ts, and the nightly request above): each kind
 * asked is scanned in its own transaction (a kind's pairs are replaced at once), and when it started
 * and each kind's count are recorded as it goes, so the page can show them.
 */
export const runDuplicateScanJob: JobHandler = async ({ deps, workspaceId, payload, now }) => {
  const scan = payload as DuplicateScanPayload;
  const pairs: Partial<Record<DuplicateEntity, number>> = {};
  await recordDuplicateScanProgress(deps.database.db, workspaceId, scan.scanId, { startedAt: now.toISOString(), pairs, error: null });
  try {
    for (const entity of scan.entity ? [scan.entity] : (['contact', 'company'] as const)) {
      pairs[entity] = (await deps.database.transaction((tx) => scanDuplicatePairs(tx, workspaceId, entity))).pairs;
      await recordDuplicateScanProgress(deps.database.db, workspaceId, scan.scanId, { pairs });
    }
  } catch (e) {
    await recordDuplicateScanProgress(deps.database.db, workspaceId, scan.scanId, { error: plainMessage(e) });
    throw e;
  }
};

/**
 * One line a manager can read: the database's own message rather than drizzle's wrapper, which
 * carries the whole statement and its parameters.
 */
function plainMessage(e: unknown): string {
  const x = driverError(e);
  const message = typeof x?.message === 'string' && x.message ? x.message : String(e);
  return message.split('\n')[0]!.slice(0, 500);
}

registerSchedule({
  name: DUPLICATES_KIND,
  due(now, ws) {
    // Half an hour after retention, so a record purged tonight is not offered as a duplicate.
    const run = dailyRun(now, ws.timeZone, RETENTION_HOUR, 30);
    return run ? [{ id: `${DUPLICATES_KIND}:${run.date}`, kind: DUPLICATES_KIND, payload: { date: run.date }, runAt: run.runAt }] : [];
  },
});

// Idempotent: a second run the same night finds nothing more to purge, and its scan request finds
// the scan it asked for queued or running, or asks for one more that rewrites the same pairs.
registerJob(DUPLICATES_KIND, async ({ deps, workspaceId, now }) => {
  await runDuplicatesJob(deps, workspaceId, now);
});

registerJob(DUPLICATE_SCAN_KIND, runDuplicateScanJob);
