import { weeklySummaryJobId, weeklySummaryPlanJobId, weeklySummaryRun } from '../domain/weekly-summary.js';
import { listActiveUserIds } from '../db/queries/jobs.js';
import { isWeeklySummaryOptedOut } from '../db/queries/weekly-summary.js';
import { workspaceClock } from '../db/queries/today.js';
import { sendWeeklySummary } from '../mail/weekly-summary.js';
import { isEmailEnabled } from '../mail/transport.js';
import { enqueue } from './queue.js';
import { registerJob, registerSchedule } from './registry.js';

/**
 * The weekly summary to managers and admins, every Monday at 08:00 workspace time, on the digest's
 * path: the schedule asks for one plan job per local week (`weekly-summary-plan:<monday>`), the plan
 * job queues one job per active manager and admin (`weekly-summary:<monday>:<userId>`). Every id is
 * deterministic, so however many instances tick, each recipient gets one email per week.
 */
export const WEEKLY_SUMMARY_PLAN_KIND = 'weekly_summary_plan';
export const WEEKLY_SUMMARY_KIND = 'weekly_summary';

export type WeeklySummaryPlanPayload = { monday: string };
export type WeeklySummaryPayload = { monday: string; userId: string };

registerSchedule({
  name: 'weekly-summary',
  due(now, ws) {
    const run = weeklySummaryRun(now, ws.timeZone);
    return [{ id: weeklySummaryPlanJobId(run.monday), kind: WEEKLY_SUMMARY_PLAN_KIND, payload: { monday: run.monday } satisfies WeeklySummaryPlanPayload, runAt: run.planAt }];
  },
});

registerJob(WEEKLY_SUMMARY_PLAN_KIND, async ({ deps, workspaceId, payload }) => {
  if (!isEmailEnabled(deps.config.smtp)) return;
  const { monday } = payload as WeeklySummaryPlanPayload;
  const { timeZone } = await workspaceClock(deps.database, workspaceId);
  const runAt = weeklySummaryRun(new Date(`${monday}T12:00:00Z`), timeZone).sendAt;
  for (const userId of await listActiveUserIds(deps.database, workspaceId, ['admin', 'manager'])) {
    // Opted out now: no job. One who opts out after this is skipped when their job runs.
    if (await isWeeklySummaryOptedOut(deps.database, workspaceId, userId)) continue;
    await enqueue(deps.database.db, { workspaceId, id: weeklySummaryJobId(monday, userId), kind: WEEKLY_SUMMARY_KIND, payload: { monday, userId } satisfies WeeklySummaryPayload, runAt });
  }
});

// Throws when the SMTP server fails, so the queue retries with backoff and reports the last failure.
registerJob(WEEKLY_SUMMARY_KIND, async ({ deps, workspaceId, jobId, payload, now }) => {
  const { monday, userId } = payload as WeeklySummaryPayload;
  await sendWeeklySummary(deps, { workspaceId, userId, monday, jobId, now });
});
