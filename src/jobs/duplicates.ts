import { purgeExpiredMerges, scanDuplicatePairs } from '../db/queries/duplicates.js';
import type { Deps } from '../http/context.js';
import { registerJob, registerSchedule } from './registry.js';
import { RETENTION_HOUR } from './retention.js';
import { dailyRun } from './timing.js';

/**
 * Nightly duplicate work, next to the retention run: merges past their 30-day undo period are
 * purged (the merged record deleted, its snapshot emptied), then the candidate pairs of the review
 * page are refreshed.
 */
export const DUPLICATES_KIND = 'duplicates';
/** Merges purged per transaction: keeps locks short on a workspace that merged a lot. */
const BATCH = 100;

export async function runDuplicatesJob(deps: Deps, workspaceId: string, now: Date): Promise<{ purged: number; pairs: number }> {
  let purged = 0;
  for (;;) {
    const n = await deps.database.transaction((tx) => purgeExpiredMerges(tx, workspaceId, now, BATCH));
    purged += n;
    if (n < BATCH) break;
  }
  let pairs = 0;
  for (const entity of ['contact', 'company'] as const) {
    pairs += (await deps.database.transaction((tx) => scanDuplicatePairs(tx, workspaceId, entity))).pairs;
  }
  return { purged, pairs };
}

registerSchedule({
  name: DUPLICATES_KIND,
  due(now, ws) {
    // Half an hour after retention, so a record purged tonight is not offered as a duplicate.
    const run = dailyRun(now, ws.timeZone, RETENTION_HOUR, 30);
    return run ? [{ id: `${DUPLICATES_KIND}:${run.date}`, kind: DUPLICATES_KIND, payload: { date: run.date }, runAt: run.runAt }] : [];
  },
});

// Idempotent: a second run the same night finds nothing more to purge and rewrites the same pairs.
registerJob(DUPLICATES_KIND, async ({ deps, workspaceId, now }) => {
  await runDuplicatesJob(deps, workspaceId, now);
});
