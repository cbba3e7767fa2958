import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import {
  contactValuesOf, pickOwner, webLeadNextActionAt, webLeadNotice, webLeadTitle,
  type AssignmentRule, type Utm, type WebFormField, type WebFormFieldKey,
} from '../../domain/web-form.js';
import type { Database, Db } from '../client.js';
import type { ListSpec } from '../list.js';
import { insertRow, type TenantTable } from '../repository.js';
import { appUser, campaign, contact, formRateLimit, formSubmission, leadForm, product, source, workspace } from '../schema.js';
import { assertReferences } from './contacts.js';
import { createLeadInTx } from './leads.js';
import { activeAdmins, createNotification } from './notifications.js';
import { enforceCapturePolicy } from './capture-policy.js';

type AnyRow = Record<string, unknown>;
const rowsOf = <T>(res: unknown) => (res as { rows: T[] }).rows;

export const leadFormList: ListSpec = {
  table: leadForm,
  scope: 'workspace',
  filters: { isActive: { kind: 'bool', column: 'is_active' } },
  sorts: { name: { expr: 'lower(name)', type: 'text' }, createdAt: { expr: 'created_at', type: 'timestamp' } },
  defaultSort: 'name',
};

export const formSubmissionList: ListSpec = {
  table: formSubmission,
  scope: 'workspace',
  filters: { formId: { kind: 'in', column: 'form_id', type: 'uuid' }, isSpam: { kind: 'bool', column: 'is_spam' } },
  sorts: { createdAt: { expr: 'created_at', type: 'timestamp' } },
  defaultSort: '-createdAt',
};

/** Every record a form presets or assigns to must be in the actor's workspace. */
export async function assertFormReferences(tx: Db, workspaceId: string, input: AnyRow): Promise<void> {
  await assertReferences(tx, workspaceId, [
    { field: 'sourceId', table: source as TenantTable, ids: input['sourceId'] as string | null | undefined },
    { field: 'campaignId', table: campaign as TenantTable, ids: input['campaignId'] as string | null | undefined },
    { field: 'productId', table: product as TenantTable, ids: input['productId'] as string | null | undefined },
    { field: 'ownerId', table: appUser as TenantTable, ids: input['ownerId'] as string | null | undefined },
    { field: 'assigneeIds', table: appUser as TenantTable, ids: input['assigneeIds'] as string[] | undefined },
  ]);
}

export type PublicForm = {
  workspaceId: string; id: string; publicId: string; name: string; intro: string | null; fields: WebFormField[];
  sourceId: string | null; campaignId: string | null; productId: string | null;
  assignment: 'fixed' | 'round_robin'; ownerId: string | null; assigneeIds: string[];
  locale: 'es' | 'en' | null; thankYouMessage: string | null; redirectUrl: string | null;
  timeZone: string; workspaceLocale: string;
};

/** An active form by its public id, with what the public side needs of its workspace; null otherwise. */
export async function findPublicForm(database: Database, publicId: string): Promise<PublicForm | null> {
  const rows = await database.db.select({
    workspaceId: leadForm.workspaceId, id: leadForm.id, publicId: leadForm.publicId, name: leadForm.name, intro: leadForm.intro, fields: leadForm.fields,
    sourceId: leadForm.sourceId, campaignId: leadForm.campaignId, productId: leadForm.productId,
    assignment: leadForm.assignment, ownerId: leadForm.ownerId, assigneeIds: leadForm.assigneeIds,
    locale: leadForm.locale, thankYouMessage: leadForm.thankYouMessage, redirectUrl: leadForm.redirectUrl,
    timeZone: workspace.timeZone, workspaceLocale: workspace.locale,
  }).from(leadForm).innerJoin(workspace, eq(workspace.id, leadForm.workspaceId))
    .where(and(eq(leadForm.publicId, publicId), eq(leadForm.isActive, true)));
  const r = rows[0];
  return r ? { ...r, fields: r.fields as WebFormField[] } : null;
}

/**
 * Counts one request of `ipHash` to the form in the current window and returns the count so far
 * (this one included). One atomic upsert, committed on its own: a request refused later still counts,
 * and every app instance counts in the same row. Windows older than the previous one are dropped.
 */
export async function countFormHit(database: Database, form: { workspaceId: string; id: string }, ipHash: string, windowStart: Date, windowSeconds: number): Promise<number> {
  return database.transaction(async (tx) => {
    const key = `${form.id}:${ipHash}:${windowStart.getTime() / 1000}`;
    const res = await tx.execute(sql`
      INSERT INTO form_rate_limit (workspace_id, id, form_id, window_start, hits)
      VALUES (${form.workspaceId}, ${key}, ${form.id}, ${windowStart.toISOString()}::timestamptz, 1)
      ON CONFLICT (workspace_id, id) DO UPDATE SET hits = form_rate_limit.hits + 1
      RETURNING hits`);
    await tx.delete(formRateLimit).where(and(
      eq(formRateLimit.workspaceId, form.workspaceId), eq(formRateLimit.formId, form.id),
      lt(formRateLimit.windowStart, new Date(windowStart.getTime() - windowSeconds * 1000)),
    ));
    return Number(rowsOf<{ hits: number }>(res)[0]!.hits);
  });
}

export type SubmissionMeta = { utm: Utm; referrer: string | null; ipHash: string };

const submissionColumns = (meta: SubmissionMeta) => ({
  utmSource: meta.utm.utm_source ?? null, utmMedium: meta.utm.utm_medium ?? null, utmCampaign: meta.utm.utm_campaign ?? null,
  utmTerm: meta.utm.utm_term ?? null, utmContent: meta.utm.utm_content ?? null,
  referrer: meta.referrer?.slice(0, 2000) ?? null, ipHash: meta.ipHash,
});

/** Logs a submission that filled the honeypot: kept so an admin sees the flood, but no contact or lead. */
export async function recordSpamSubmission(database: Database, form: PublicForm, raw: Record<string, string>, meta: SubmissionMeta): Promise<void> {
  const fieldValues: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw).slice(0, 30)) fieldValues[k.slice(0, 60)] = String(v).slice(0, 500);
  await database.db.insert(formSubmission).values({ workspaceId: form.workspaceId, formId: form.id, fieldValues, isSpam: true, ...submissionColumns(meta) });
}

/**
 * No person acts in a public submission. The audit trail records no user (as retention's purge
 * does); `admin` here only lets the form's own assignment rule, checked by an admin or manager when
 * the form was saved, choose the owner.
 */
const webFormActor = (workspaceId: string): Actor => ({ workspaceId, userId: null as unknown as string, role: 'admin', teamId: null });

/** The existing active contact with this email or phone (email first), if any. */
async function findContactByChannel(tx: Db, workspaceId: string, email: string | null, phone: string | null): Promise<string | null> {
  if (!email && !phone) return null;
  const res = await tx.execute(sql`
    SELECT id FROM contact
     WHERE workspace_id = ${workspaceId} AND status = 'active'
       AND (lower(email) = ${email ?? null} OR phone = ${phone ?? null})
     ORDER BY (lower(email) = ${email ?? null}) IS TRUE DESC, created_at, id
     LIMIT 1`);
  return rowsOf<{ id: string }>(res)[0]?.id ?? null;
}

/** Active users among `ids`. */
async function activeUserIds(tx: Db, workspaceId: string, ids: string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await tx.select({ id: appUser.id }).from(appUser)
    .where(and(eq(appUser.workspaceId, workspaceId), inArray(appUser.id, ids), eq(appUser.isActive, true)));
  return new Set(rows.map((r) => r.id));
}

/** The next turn of the form's round robin: one row-locking increment, so concurrent submissions never share a turn. */
async function takeTurn(tx: Db, form: PublicForm): Promise<number> {
  const res = await tx.execute(sql`
    UPDATE lead_form SET round_robin_cursor = round_robin_cursor + 1
     WHERE workspace_id = ${form.workspaceId} AND id = ${form.id}
     RETURNING round_robin_cursor - 1 AS turn`);
  return Number(rowsOf<{ turn: number }>(res)[0]?.turn ?? 0);
}

async function userLocale(tx: Db, workspaceId: string, userId: string): Promise<'es' | 'en'> {
  const res = await tx.execute(sql`
    SELECT coalesce(u.locale, w.locale) AS locale FROM app_user u JOIN workspace w ON w.id = u.workspace_id
     WHERE u.workspace_id = ${workspaceId} AND u.id = ${userId}`);
  return rowsOf<{ locale: string }>(res)[0]?.locale === 'en' ? 'en' : 'es';
}

export type CapturedSubmission = { submissionId: string; contactId: string; leadId: string; ownerId: string | null; isNewContact: boolean };

/**
 * Turns a good submission into a lead, in the caller's transaction: the capture policy cleans the
 * contact values (errors name the form's fields, 422), an existing contact with the same email or
 * phone is reused instead of duplicated, the lead gets the form's source, campaign and product, its
 * owner by the form's rule and a call due today; the owner (or, with nobody to assign, every admin)
 * is notified, and the submission is logged with its UTM parameters. Contact and lead are audited.
 */
export async function captureSubmissionInTx(
  tx: Db, form: PublicForm, values: Partial<Record<WebFormFieldKey, string>>, meta: SubmissionMeta, now: Date,
): Promise<CapturedSubmission> {
  // The contact's policy, as on every input path. The lead's values are all the form's own presets
  // and a generated title, none of them typed by the visitor, so there is nothing of theirs to check.
  const clean = await enforceCapturePolicy(tx, form.workspaceId, 'contact', contactValuesOf(values), { sourceId: form.sourceId }) as Record<string, string | null>;

  const rule: AssignmentRule = form.assignment === 'fixed'
    ? { assignment: 'fixed', ownerId: form.ownerId }
    : { assignment: 'round_robin', assigneeIds: form.assigneeIds };
  const candidates = form.assignment === 'fixed' ? (form.ownerId ? [form.ownerId] : []) : form.assigneeIds;
  const eligible = await activeUserIds(tx, form.workspaceId, candidates);
  const turn = form.assignment === 'round_robin' ? await takeTurn(tx, form) : 0;
  const ownerId = pickOwner(rule, eligible, turn);

  const actor = webFormActor(form.workspaceId);
  let contactId = await findContactByChannel(tx, form.workspaceId, clean['email'] ?? null, clean['phone'] ?? null);
  const isNewContact = !contactId;
  if (!contactId) {
    const created = await insertRow(tx, contact as TenantTable, actor, 'contact', { ...clean, ownerId });
    contactId = created['id'] as string;
  }

  const lead = await createLeadInTx(tx, actor, {
    title: webLeadTitle(form.name, { firstName: clean['firstName'], lastName: clean['lastName'] }),
    contactId,
    sourceId: form.sourceId,
    campaignId: form.campaignId,
    productIds: form.productId ? [form.productId] : [],
    ownerId,
    nextActionAt: webLeadNextActionAt(now, form.timeZone),
    nextActionType: 'call',
    nextActionNote: values.message ?? null,
  }, now);
  const leadId = lead['id'] as string;

  const [sub] = await tx.insert(formSubmission).values({
    workspaceId: form.workspaceId, formId: form.id, fieldValues: values as Record<string, string>, contactId, leadId, ...submissionColumns(meta),
  }).returning({ id: formSubmission.id });

  const who = [clean['firstName'], clean['lastName']].filter(Boolean).join(' ') || (clean['email'] ?? clean['phone'] ?? '');
  const recipients = ownerId
    ? [{ id: ownerId, locale: await userLocale(tx, form.workspaceId, ownerId) }]
    : await activeAdmins(tx, form.workspaceId);
  for (const r of recipients) {
    await createNotification(tx, {
      workspaceId: form.workspaceId, userId: r.id, kind: 'web_form_lead', link: `/leads/${leadId}`,
      ...webLeadNotice(r.locale, form.name, who, !ownerId),
    });
  }
  return { submissionId: sub!.id, contactId, leadId, ownerId, isNewContact };
}
