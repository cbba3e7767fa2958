import type { Database } from '../client.js';
import { leadSelect } from './leads.js';

type AnyRow = Record<string, unknown>;
export type Section<T = AnyRow> = { total: number; items: T[] };

export type TodayWindow = {
  workspaceId: string;
  userId: string;
  now: Date;
  /** Local midnight today and tomorrow in the workspace's zone. */
  dayStart: Date;
  dayEnd: Date;
  /** Contacts whose last activity is before this (or who have none) are due a call. */
  staleBefore: Date;
  limit: number;
  /**
   * For reminders (the morning email): leave out leads whose contact asked not to be contacted.
   * The Today page still shows them, so the salesperson can cancel or reschedule.
   */
  forReminder?: boolean;
};

/** A lead whose contact has asked not to be contacted (`doNotContact`). */
export const leadOfDoNotContact = `EXISTS (SELECT 1 FROM contact dnc WHERE dnc.workspace_id = lead.workspace_id AND dnc.id = lead.contact_id AND dnc.do_not_contact)`;

// count(*) OVER () is computed before LIMIT, so each section is one query giving both the first
// `limit` rows and the full count.
async function section(database: Database, name: string, text: string, params: unknown[]): Promise<Section> {
  const rows = await database.query<AnyRow & { __total: number }>(text, params, name);
  const total = rows[0]?.__total ?? 0;
  return { total: Number(total), items: rows.map(({ __total: _, ...r }) => r) };
}

const leadSection = (where: string, order: string) => `SELECT ${leadSelect}, count(*) OVER () AS "__total"
    FROM lead
   WHERE workspace_id = $1 AND owner_id = $2 AND status = 'open' AND ${where}
   ORDER BY ${order}
   LIMIT $3`;

/**
 * The five sections of one user's Today view. "Overdue" holds next actions already past (oldest
 * first) and "due today" those still ahead today, so every lead appears in one section only.
 */
export async function loadToday(database: Database, w: TodayWindow) {
  const base = [w.workspaceId, w.userId, w.limit];
  const nextAt = `coalesce(next_action_at, 'infinity'::timestamptz)`;
  // Each variant has its own statement name: a prepared statement's name is bound to one text.
  const reminder = w.forReminder ? ` AND NOT ${leadOfDoNotContact}` : '';
  const suffix = w.forReminder ? '_reminder' : '';
  const [dueToday, overdue, withoutNextAction, staleContacts, tasksDue] = await Promise.all([
    section(database, `today_due${suffix}`, leadSection(`${nextAt} >= greatest($4::timestamptz, $5::timestamptz) AND ${nextAt} < $6${reminder}`, `${nextAt}, id`),
      [...base, w.dayStart, w.now, w.dayEnd]),
    section(database, `today_overdue${suffix}`, leadSection(`${nextAt} < $4${reminder}`, `${nextAt}, id`), [...base, w.now]),
    section(database, `today_without_next${suffix}`, leadSection(`next_action_at IS NULL${reminder}`, `created_at, id`), base),
    section(database, 'today_stale_contacts', `SELECT id, first_name AS "firstName", last_name AS "lastName", second_last_name AS "secondLastName",
        email, phone, lifecycle, company_id AS "companyId", last_activity_at AS "lastActivityAt",
        (SELECT co.name FROM company co WHERE co.workspace_id = contact.workspace_id AND co.id = contact.company_id) AS "companyName",
        count(*) OVER () AS "__total"
       FROM contact
      WHERE workspace_id = $1 AND owner_id = $2 AND status = 'active' AND NOT do_not_contact
        AND lifecycle IN ('prospect', 'potential', 'client')
        AND coalesce(last_activity_at, '-infinity'::timestamptz) < $4
      ORDER BY coalesce(last_activity_at, '-infinity'::timestamptz), id
      LIMIT $3`, [...base, w.staleBefore]),
    section(database, 'today_tasks', `SELECT id, type, subject, due_at AS "dueAt", lead_id AS "leadId", contact_id AS "contactId",
        company_id AS "companyId", count(*) OVER () AS "__total"
       FROM activity
      WHERE workspace_id = $1 AND user_id = $2 AND done_at IS NULL AND due_at < $4
      ORDER BY due_at, id
      LIMIT $3`, [...base, w.dayEnd]),
  ]);
  return { dueToday, overdue, withoutNextAction, staleContacts, tasksDue };
}

export async function workspaceClock(database: Database, workspaceId: string): Promise<{ timeZone: string; settings: Record<string, unknown> }> {
  const rows = await database.query<{ timeZone: string; settings: Record<string, unknown> }>(
    'SELECT time_zone AS "timeZone", settings FROM workspace WHERE id = $1', [workspaceId], 'workspace_clock');
  return rows[0] ?? { timeZone: 'UTC', settings: {} };
}

export async function userExists(database: Database, workspaceId: string, userId: string): Promise<boolean> {
  const rows = await database.query('SELECT 1 FROM app_user WHERE workspace_id = $1 AND id = $2', [workspaceId, userId], 'user_exists');
  return rows.length > 0;
}
