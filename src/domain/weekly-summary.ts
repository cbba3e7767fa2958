import { localHourInstant } from './digest.js';
import type { Progress } from './objective.js';
import { dayRange } from './today.js';

/**
 * The weekly summary email to managers and admins (issue 5, point 9): every Monday at 08:00 in the
 * workspace's time zone, the week just ended (Monday to Sunday) for the people they are responsible
 * for — a manager their teams and themselves, an admin the whole workspace. These are the rules of
 * when and what; the numbers come from the dashboard's SQL, rendering and sending live in src/mail.
 */

export const WEEKLY_SUMMARY_HOUR = 8;

/** A summary that could not go out by Monday evening is dropped: next Monday's will come. */
export const WEEKLY_SUMMARY_LATEST_HOURS = 12;

/** Rows per list in the email (sources, salespeople, objectives): the dashboard has the rest. */
export const WEEKLY_SUMMARY_MAX_ROWS = 10;

const dayNumber = (day: string) => Date.parse(`${day}T00:00:00Z`) / 86_400_000;
const dayOf = (n: number) => new Date(n * 86_400_000).toISOString().slice(0, 10);

/** One email per recipient and week: the queue keeps a job id once, so it is sent once. */
export const weeklySummaryJobId = (monday: string, userId: string) => `weekly-summary:${monday}:${userId}`;
export const weeklySummaryPlanJobId = (monday: string) => `weekly-summary-plan:${monday}`;

/**
 * The run of the local week containing `now`: its Monday (the send day), planned at local midnight
 * and sent at 08:00 that Monday, and the week reported — the seven local days before it.
 */
export function weeklySummaryRun(now: Date, timeZone: string): { monday: string; planAt: Date; sendAt: Date; from: string; to: string } {
  const today = dayNumber(dayRange(now, timeZone).date);
  // 1970-01-01 was a Thursday: day numbers modulo 7 give Monday = 4.
  const monday = today - ((((today - 4) % 7) + 7) % 7);
  return { monday: dayOf(monday), planAt: localHourInstant(dayOf(monday), 0, timeZone), sendAt: localHourInstant(dayOf(monday), WEEKLY_SUMMARY_HOUR, timeZone), from: dayOf(monday - 7), to: dayOf(monday - 1) };
}

/** Sent on its Monday, from 08:00 until WEEKLY_SUMMARY_LATEST_HOURS later (a minute's clock skew allowed). */
export function isWeeklySummaryTimely(now: Date, monday: string, timeZone: string): boolean {
  if (dayRange(now, timeZone).date !== monday) return false;
  const from = localHourInstant(monday, WEEKLY_SUMMARY_HOUR, timeZone).getTime();
  return now.getTime() >= from - 60_000 && now.getTime() < from + WEEKLY_SUMMARY_LATEST_HOURS * 3600_000;
}

export type NamedCount = { id: string; name: string; count: number };

export type ObjectiveLine = { name: string; metric: string; progress: Progress };

export type WeeklySummaryInput = {
  from: string;
  to: string;
  /** Whose numbers: "team" for a manager (their teams and themselves), "workspace" for an admin. */
  scope: 'team' | 'workspace';
  sales: { count: number; amount: number };
  objectives: ObjectiveLine[];
  newLeadsBySource: NamedCount[];
  conversion: { created: number; won: number };
  closed: { won: number; lost: number };
  nps: { nps: number | null; answers: number };
  overdueBySalesperson: NamedCount[];
};

export type WeeklySummary = Omit<WeeklySummaryInput, 'newLeadsBySource' | 'overdueBySalesperson'> & {
  newLeads: { total: number; bySource: NamedCount[]; more: number };
  /** won ÷ created of the week's new leads (docs/metrics.md#conversion); null without new leads. */
  conversionRate: number | null;
  /** won ÷ (won + lost) of the leads closed in the week; null when none closed. */
  winRate: number | null;
  overdue: { total: number; bySalesperson: NamedCount[]; more: number };
};

const byCountThenName = (a: NamedCount, b: NamedCount) => b.count - a.count || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

function top(rows: NamedCount[]): { total: number; rows: NamedCount[]; more: number } {
  const sorted = rows.filter((r) => r.count > 0).sort(byCountThenName);
  const shown = sorted.slice(0, WEEKLY_SUMMARY_MAX_ROWS);
  return { total: sorted.reduce((s, r) => s + r.count, 0), rows: shown, more: sorted.length - shown.length };
}

/**
 * What goes in one recipient's summary, or null when the week had nothing at all to report (no new
 * leads, sales, closes, answers or overdue next actions, and no objective): then no email is sent.
 */
export function composeWeeklySummary(input: WeeklySummaryInput): WeeklySummary | null {
  const sources = top(input.newLeadsBySource);
  const overdue = top(input.overdueBySalesperson);
  const closed = input.closed.won + input.closed.lost;
  const isEmpty = sources.total === 0 && input.sales.count === 0 && closed === 0 && input.nps.answers === 0 && overdue.total === 0 && input.objectives.length === 0;
  if (isEmpty) return null;
  return {
    from: input.from, to: input.to, scope: input.scope, sales: input.sales, objectives: input.objectives.slice(0, WEEKLY_SUMMARY_MAX_ROWS),
    conversion: input.conversion, closed: input.closed, nps: input.nps,
    newLeads: { total: sources.total, bySource: sources.rows, more: sources.more },
    conversionRate: input.conversion.created > 0 ? input.conversion.won / input.conversion.created : null,
    winRate: closed > 0 ? input.closed.won / closed : null,
    overdue: { total: overdue.total, bySalesperson: overdue.rows, more: overdue.more },
  };
}
