import { dayRange, zoneOffsetMs } from './today.js';

/**
 * The morning digest: once a day, at the digest hour of the workspace's time zone, each active user
 * with something to do gets one email listing the day's next actions, the overdue ones and the tasks
 * due. These are the rules of what goes in it and when; rendering and sending live in src/mail.
 */

export type Locale = 'es' | 'en';

/** One line of the digest: a lead's next action, or a planned activity (task, call…) with a due date. */
export type DigestItem = {
  /** The lead id for a next action, the activity id for a planned activity. */
  id: string;
  kind: 'nextAction' | 'activity';
  /** call, email, meeting, visit, message, task (or note for an activity); null for an untyped next action. */
  type: string | null;
  at: Date;
  leadId: string | null;
  leadTitle: string | null;
  contactName: string | null;
  /** The next action's note, or the activity's subject. */
  note: string | null;
};

export type DigestSection = { items: DigestItem[]; /** How many more exist beyond `items`. */ more: number };

export type Digest = {
  /** The local date (yyyy-mm-dd) the digest is about. */
  date: string;
  dueToday: DigestSection;
  overdue: DigestSection;
  tasksDue: DigestSection;
};

/** Lines per section; a digest is a nudge to open the app, not a report. */
export const DIGEST_MAX_ITEMS = 25;

/**
 * Past this many hours after the digest hour, a digest that could not be sent (instance down, SMTP
 * failing) is dropped: "your morning" in the evening is noise, and tomorrow's digest will come.
 */
export const DIGEST_LATEST_HOURS = 6;

/** The user's language, falling back to the workspace's, then Spanish. */
export function digestLocale(userLocale: string | null | undefined, workspaceLocale: string | null | undefined): Locale {
  for (const l of [userLocale, workspaceLocale]) if (l === 'es' || l === 'en') return l;
  return 'es';
}

/** One digest per user and local day: the queue keeps a job id once, so the email is sent once. */
export const digestJobId = (date: string, userId: string) => `digest:${date}:${userId}`;

/** The daily job that lists the workspace's users and queues one digest each. */
export const digestPlanJobId = (date: string) => `digest-plan:${date}`;

/** The instant at which the wall clock of the zone shows `hour`:00 on the local date `date` (yyyy-mm-dd). */
export function localHourInstant(date: string, hour: number, timeZone: string): Date {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour);
  // The offset read at the naive instant is wrong within hours of a DST change; reading it again at
  // the first answer gives the zone's offset at the instant itself.
  const first = wall - zoneOffsetMs(new Date(wall), timeZone);
  return new Date(wall - zoneOffsetMs(new Date(first), timeZone));
}

/** The digest run of the workspace's current local day: planned at local midnight, sent at `hour`. */
export function digestPlan(now: Date, timeZone: string, hour: number): { date: string; planAt: Date; sendAt: Date } {
  const day = dayRange(now, timeZone);
  return { date: day.date, planAt: day.start, sendAt: localHourInstant(day.date, hour, timeZone) };
}

/** A digest is sent on its own local day, from the digest hour until DIGEST_LATEST_HOURS later. */
export function isDigestTimely(now: Date, date: string, timeZone: string, hour: number): boolean {
  if (dayRange(now, timeZone).date !== date) return false;
  const from = localHourInstant(date, hour, timeZone).getTime();
  return now.getTime() >= from - 60_000 && now.getTime() < from + DIGEST_LATEST_HOURS * 3600_000;
}

const byTime = (a: DigestItem, b: DigestItem) => a.at.getTime() - b.at.getTime() || a.id.localeCompare(b.id);

function section(items: DigestItem[], total: number): DigestSection {
  const sorted = [...items].sort(byTime);
  const shown = sorted.slice(0, DIGEST_MAX_ITEMS);
  return { items: shown, more: Math.max(total, items.length) - shown.length };
}

/**
 * What goes in a user's digest, or null when there is nothing to do (then no email is sent).
 * Today's next actions in time order; overdue ones oldest first, without repeating those already
 * listed for today (an 06:30 action is "today" in a 07:00 email, not "overdue"); planned activities
 * due today or before. Totals count rows beyond what the queries returned.
 */
export function composeDigest(input: {
  date: string;
  dueToday: DigestItem[];
  overdue: DigestItem[];
  tasksDue: DigestItem[];
  totals?: { dueToday?: number; overdue?: number; tasksDue?: number };
}): Digest | null {
  const today = new Set(input.dueToday.map((i) => i.id));
  const overdue = input.overdue.filter((i) => !today.has(i.id));
  const repeated = input.overdue.length - overdue.length;
  const digest: Digest = {
    date: input.date,
    dueToday: section(input.dueToday, input.totals?.dueToday ?? 0),
    overdue: section(overdue, (input.totals?.overdue ?? 0) - repeated),
    tasksDue: section(input.tasksDue, input.totals?.tasksDue ?? 0),
  };
  const count = (s: DigestSection) => s.items.length + s.more;
  return count(digest.dueToday) + count(digest.overdue) + count(digest.tasksDue) === 0 ? null : digest;
}

/** Number of things in the digest (for the subject line). */
export const digestCounts = (d: Digest) => ({
  dueToday: d.dueToday.items.length + d.dueToday.more,
  overdue: d.overdue.items.length + d.overdue.more,
  tasksDue: d.tasksDue.items.length + d.tasksDue.more,
});
