import type { Deps } from '../http/context.js';
import { composeDigest, digestLocale, DIGEST_MAX_ITEMS, isDigestTimely, type DigestItem } from '../domain/digest.js';
import { dayRange } from '../domain/today.js';
import { describeActivities, findDigestRecipient } from '../db/queries/calendar.js';
import { loadToday } from '../db/queries/today.js';
import { renderDigest } from './templates/digest.js';
import { isEmailEnabled, mailerFor } from './transport.js';

type AnyRow = Record<string, unknown>;

export type DigestOutcome = 'sent' | 'nothing_to_do' | 'email_disabled' | 'inactive_user' | 'too_late';

const asDate = (v: unknown) => (v instanceof Date ? v : new Date(String(v)));

const leadItem = (r: AnyRow): DigestItem => ({
  id: r['id'] as string,
  kind: 'nextAction',
  type: (r['nextActionType'] as string | null) ?? null,
  at: asDate(r['nextActionAt']),
  leadId: r['id'] as string,
  leadTitle: r['title'] as string,
  contactName: (r['contactName'] as string | null) || (r['companyName'] as string | null) || null,
  note: (r['nextActionNote'] as string | null) ?? null,
});

/**
 * Sends one user their digest of `date` (a local yyyy-mm-dd of the workspace), if there is one to
 * send: email configured, user active, still the morning of that day, and something to do. Rejects
 * when the SMTP server cannot be reached or refuses the message, so the queue retries the job.
 */
export async function sendDigest(deps: Deps, job: { workspaceId: string; userId: string; date: string; jobId: string; now: Date }): Promise<DigestOutcome> {
  const smtp = deps.config.smtp;
  if (!isEmailEnabled(smtp)) return 'email_disabled';
  const to = await findDigestRecipient(deps.database, job.workspaceId, job.userId);
  if (!to?.isActive) return 'inactive_user';
  if (!isDigestTimely(job.now, job.date, to.timeZone, deps.config.digestHour)) return 'too_late';

  const day = dayRange(job.now, to.timeZone);
  const today = await loadToday(deps.database, {
    workspaceId: job.workspaceId, userId: job.userId, now: job.now, dayStart: day.start, dayEnd: day.end,
    staleBefore: day.start, limit: DIGEST_MAX_ITEMS, forReminder: true,
  });
  const context = await describeActivities(deps.database, job.workspaceId, today.tasksDue.items.map((r) => r['id'] as string));
  const tasks = today.tasksDue.items.map((r): DigestItem => {
    const c = context.get(r['id'] as string);
    return {
      id: r['id'] as string, kind: 'activity', type: r['type'] as string, at: asDate(r['dueAt']),
      leadId: (r['leadId'] as string | null) ?? null, leadTitle: c?.leadTitle ?? null, contactName: c?.contactName ?? null,
      note: (r['subject'] as string | null) ?? null,
    };
  });
  const digest = composeDigest({
    date: job.date,
    dueToday: today.dueToday.items.map(leadItem),
    overdue: today.overdue.items.map(leadItem),
    tasksDue: tasks,
    totals: { dueToday: today.dueToday.total, overdue: today.overdue.total, tasksDue: today.tasksDue.total },
  });
  if (!digest) return 'nothing_to_do';

  const mail = renderDigest({
    digest, locale: digestLocale(to.locale, to.workspaceLocale), timeZone: to.timeZone,
    userName: to.name, workspaceName: to.workspaceName, baseUrl: deps.config.publicUrl,
  });
  await mailerFor(smtp).send({
    to: to.email, ...mail,
    // RFC 3834: out-of-office robots must not answer it; the job id lets support trace one email.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Seguimiento-Job': job.jobId },
  });
  return 'sent';
}
