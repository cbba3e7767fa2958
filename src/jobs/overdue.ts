import { countOverdueNextActions, createNotification, userLocale } from '../db/queries/notifications.js';
import { registerJob, registerSchedule } from './registry.js';
import { perUserRun } from './fan-out.js';
import { dailyRun } from './timing.js';
import { notificationTexts } from './messages.js';

/** Every morning at 08:00 workspace time, each user with overdue next actions gets one notification. */
export const OVERDUE_KIND = 'overdue_next_actions';
export const OVERDUE_HOUR = 8;

registerSchedule({
  name: 'overdue-next-actions',
  due(now, ws) {
    const run = dailyRun(now, ws.timeZone, OVERDUE_HOUR);
    return run ? [perUserRun({ prefix: `overdue:${run.date}`, kind: OVERDUE_KIND, payload: { date: run.date }, runAt: run.runAt })] : [];
  },
});

registerJob(OVERDUE_KIND, async ({ deps, workspaceId, jobId, payload, now }) => {
  const { userId } = payload as { userId: string; date: string };
  const locale = await userLocale(deps.database, workspaceId, userId);
  if (!locale) return; // deactivated since the fan-out
  const count = await countOverdueNextActions(deps.database, workspaceId, userId, now);
  if (count === 0) return;
  await createNotification(deps.database.db, {
    workspaceId, userId, kind: 'overdue_next_actions', ...notificationTexts.overdueNextActions(locale, count),
    link: '/', dedupeKey: jobId,
  });
});
