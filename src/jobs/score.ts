import { rescoreWorkspace, trainWorkspaceModel } from '../db/queries/score.js';
import { registerJob, registerSchedule } from './registry.js';
import { RETENTION_HOUR } from './retention.js';
import { dailyRun } from './timing.js';
import { SCORE_NIGHTLY_KIND, SCORE_RESCORE_KIND, SCORE_TRAIN_KIND } from './score-queue.js';

/**
 * The score's background work (docs/score.md): every night each open lead and active contact is
 * rescored, because "no contact for 30 days" and "replied in the last 7 days" change with the date
 * alone, and the measured model is retrained on the closed leads. A change of the rules queues a
 * rescoring; an admin can ask for a training at any time.
 */
registerSchedule({
  name: SCORE_NIGHTLY_KIND,
  due(now, ws) {
    // After retention and the duplicates scan, so purged records are not scored for nothing.
    const run = dailyRun(now, ws.timeZone, RETENTION_HOUR + 1);
    return run ? [{ id: `${SCORE_NIGHTLY_KIND}:${run.date}`, kind: SCORE_NIGHTLY_KIND, payload: { date: run.date }, runAt: run.runAt }] : [];
  },
});

// Idempotent: rescoring writes only the scores that change, and training replaces the stored model.
registerJob(SCORE_NIGHTLY_KIND, async ({ deps, workspaceId, now }) => {
  await rescoreWorkspace(deps.database, workspaceId, now);
  await trainWorkspaceModel(deps.database, workspaceId, now);
});
registerJob(SCORE_RESCORE_KIND, async ({ deps, workspaceId, now }) => {
  await rescoreWorkspace(deps.database, workspaceId, now);
});
registerJob(SCORE_TRAIN_KIND, async ({ deps, workspaceId, now }) => {
  await trainWorkspaceModel(deps.database, workspaceId, now);
});
