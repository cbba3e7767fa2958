import { digestJobId, digestPlan, digestPlanJobId, localHourInstant } from '../domain/digest.js';
import { listActiveUserIds } from '../db/queries/jobs.js';
import { workspaceClock } from '../db/queries/today.js';
import { sendDigest } from '../mail/digest.js';
import { isEmailEnabled } from '../mail/transport.js';
import { enqueue } from './queue.js';
import { registerJob, registerSchedule } from './registry.js';

/**
 * The morning digest email. A schedule cannot read configuration or users, so it asks once per
 * local day (from local midnight) for a plan job; the plan job, which can, queues one digest job per
 * active user at DIGEST_HOUR workspace time with id `digest:<date>:<userId>`. Every id is
 * deterministic, so however many instances tick, each user gets one email per day.
 */
export const DIGEST_PLAN_KIND = 'digest_plan';
export const DIGEST_KIND = 'digest';

export type DigestPlanPayload = { date: string };
export type DigestPayload = { date: string; userId: string };

registerSchedule({
  name: 'digest',
  due(now, ws) {
    const plan = digestPlan(now, ws.timeZone, 0);
    return [{ id: digestPlanJobId(plan.date), kind: DIGEST_PLAN_KIND, payload: { date: plan.date } satisfies DigestPlanPayload, runAt: plan.planAt }];
  },
});

registerJob(DIGEST_PLAN_KIND, async ({ deps, workspaceId, payload }) => {
  if (!isEmailEnabled(deps.config.smtp)) return;
  const { date } = payload as DigestPlanPayload;
  const { timeZone } = await workspaceClock(deps.database, workspaceId);
  const runAt = localHourInstant(date, deps.config.digestHour, timeZone);
  for (const userId of await listActiveUserIds(deps.database, workspaceId)) {
    await enqueue(deps.database.db, { workspaceId, id: digestJobId(date, userId), kind: DIGEST_KIND, payload: { date, userId } satisfies DigestPayload, runAt });
  }
});

// Throws when the SMTP server fails, so the queue retries with backoff and reports the last failure.
registerJob(DIGEST_KIND, async ({ deps, workspaceId, jobId, payload, now }) => {
  const { date, userId } = payload as DigestPayload;
  await sendDigest(deps, { workspaceId, userId, date, jobId, now });
});
