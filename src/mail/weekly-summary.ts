import type { Deps } from '../http/context.js';
import { digestLocale } from '../domain/digest.js';
import { objectiveProgress } from '../domain/objective.js';
import { parsePeriod } from '../domain/metrics/period.js';
import { isValidTimeZone } from '../domain/today.js';
import { composeWeeklySummary, isWeeklySummaryTimely, weeklySummaryRun, type NamedCount } from '../domain/weekly-summary.js';
import type { MetricFilter } from '../db/queries/metrics/filter.js';
import { conversionAllSql, overdueNextActionsSql, winRateSql } from '../db/queries/metrics/leads.js';
import { npsSql } from '../db/queries/metrics/post-sale.js';
import { useRollups } from '../db/queries/metrics/rollups.js';
import { objectiveActual } from '../db/queries/objectives.js';
import { managedUserIds } from '../db/queries/users.js';
import { findSummaryRecipient, isWeeklySummaryOptedOut, namesOf, salesTotalsSql, summaryObjectives } from '../db/queries/weekly-summary.js';
import { listUnsubscribeHeaders, unsubscribeToken, unsubscribeUrl } from './unsubscribe.js';
import { renderWeeklySummary } from './templates/weekly-summary.js';
import { isEmailEnabled, mailerFor } from './transport.js';

export type WeeklySummaryOutcome = 'sent' | 'nothing_to_report' | 'email_disabled' | 'not_a_manager' | 'too_late' | 'opted_out';

/**
 * Sends one manager or admin the summary of the week before `monday` (a local yyyy-mm-dd), with the
 * dashboard's own SQL over the people they answer for. Rejects when the SMTP server fails, so the
 * queue retries the job.
 */
export async function sendWeeklySummary(deps: Deps, job: { workspaceId: string; userId: string; monday: string; jobId: string; now: Date }): Promise<WeeklySummaryOutcome> {
  const smtp = deps.config.smtp;
  if (!isEmailEnabled(smtp)) return 'email_disabled';
  const to = await findSummaryRecipient(deps.database, job.workspaceId, job.userId);
  if (!to?.isActive || to.role === 'sales') return 'not_a_manager';
  if (await isWeeklySummaryOptedOut(deps.database, job.workspaceId, job.userId)) return 'opted_out';
  const timeZone = isValidTimeZone(to.timeZone) ? to.timeZone : 'UTC';
  if (!isWeeklySummaryTimely(job.now, job.monday, timeZone)) return 'too_late';

  const run = weeklySummaryRun(new Date(`${job.monday}T12:00:00Z`), 'UTC');
  const isAdmin = to.role === 'admin';
  const ownerIds = isAdmin ? null : [job.userId, ...await managedUserIds(deps.database, { workspaceId: job.workspaceId, userId: job.userId, role: 'manager', teamId: to.teamId })];
  const base: MetricFilter = { workspaceId: job.workspaceId, period: parsePeriod(run.from, run.to, timeZone), unit: 'week', ownerIds, sourceId: null, now: job.now };
  const f = { ...base, rollups: await useRollups(deps.database, base) };
  const [sales, conversion, closed, nps, overdue, objectives] = await Promise.all([
    salesTotalsSql(deps.database, f), conversionAllSql(deps.database, f), winRateSql(deps.database, f), npsSql(deps.database, f),
    overdueNextActionsSql(deps.database, f), summaryObjectives(deps.database, job.workspaceId, job.userId, isAdmin, run.to),
  ]);
  const objectiveLines = await Promise.all(objectives.map(async (o) => ({
    name: o.name, metric: o.metric, progress: objectiveProgress(o, await objectiveActual(deps.database, o, timeZone, job.now), run.to),
  })));
  const names = await namesOf(deps.database, job.workspaceId, [...conversion.source, ...overdue.byOwner.map((r) => ({ key: r.userId }))].map((r) => r.key).filter((k) => k !== 'none'));
  const named = (id: string, count: number): NamedCount => ({ id, name: names.get(id) ?? '', count });
  const total = conversion.total[0]!;
  const summary = composeWeeklySummary({
    from: run.from, to: run.to, scope: isAdmin ? 'workspace' : 'team', sales, objectives: objectiveLines,
    newLeadsBySource: conversion.source.map((r) => named(r.key, r.created)),
    conversion: { created: total.created, won: total.won }, closed: { won: closed.won, lost: closed.lost },
    nps: { nps: nps.nps, answers: nps.promoters + nps.passives + nps.detractors },
    overdueBySalesperson: overdue.byOwner.map((r) => named(r.userId, r.count)),
  });
  if (!summary) return 'nothing_to_report';

  // Unsubscribing needs a link back to this server: without PUBLIC_URL the footer points to the settings.
  const unsubscribe = deps.config.publicUrl
    ? unsubscribeUrl(deps.config.publicUrl, unsubscribeToken(deps.secret, { workspaceId: job.workspaceId, userId: job.userId, kind: 'weekly_summary' }))
    : undefined;
  const mail = renderWeeklySummary({
    summary, locale: digestLocale(to.locale, to.workspaceLocale), currency: to.currency.trim(), userName: to.name,
    workspaceName: to.workspaceName, baseUrl: deps.config.publicUrl, unsubscribeUrl: unsubscribe,
  });
  await mailerFor(smtp).send({
    to: to.email, ...mail,
    // RFC 3834: out-of-office robots must not answer it; the job id lets support trace one email.
    // RFC 8058: mail clients show a one-click "unsubscribe" that POSTs to the link.
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Seguimiento-Job': job.jobId, ...(unsubscribe ? listUnsubscribeHeaders(unsubscribe) : {}) },
  });
  return 'sent';
}
