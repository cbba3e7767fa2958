import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { assertAdmin } from '../../domain/access.js';
import { applyCapturePolicy, capturePolicyOf, validateCapturePolicy, type CaptureEntity, type CapturePolicy, type CaptureResult } from '../../domain/capture-policy.js';
import { AppError, invalid } from '../../domain/errors.js';
import type { Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { findRow, insertRow, updateRow, type TenantTable } from '../repository.js';
import { capturePolicy, company, contact, source, workspace } from '../schema.js';

export type StoredCapturePolicy = { policy: CapturePolicy; version: number; updatedAt: Date | null };

/**
 * The workspace's capture policy as every input path applies it: the saved rules over the defaults,
 * or the defaults (with the workspace's default country) when an admin never saved one.
 */
export async function loadCapturePolicy(tx: Db, workspaceId: string): Promise<CapturePolicy> {
  return (await loadStoredCapturePolicy(tx, workspaceId)).policy;
}

/** The policy with its version (0 when never saved), for the settings screen's optimistic lock. */
export async function loadStoredCapturePolicy(tx: Db, workspaceId: string): Promise<StoredCapturePolicy> {
  const [row] = await tx.select({ rules: capturePolicy.rules, version: capturePolicy.version, updatedAt: capturePolicy.updatedAt, defaultCountry: workspace.defaultCountry })
    .from(workspace)
    .leftJoin(capturePolicy, eq(capturePolicy.workspaceId, workspace.id))
    .where(eq(workspace.id, workspaceId));
  const defaultCountry = row?.defaultCountry ?? 'ES';
  return { policy: capturePolicyOf(row?.rules ?? null, defaultCountry), version: row?.version ?? 0, updatedAt: row?.updatedAt ?? null };
}

/**
 * Saves the whole policy (admins only), validated with every problem named by its path, audited
 * like any record. `expectedVersion` 0 means "no policy saved yet".
 */
export async function saveCapturePolicy(tx: Db, actor: Actor, policy: CapturePolicy, expectedVersion?: number): Promise<StoredCapturePolicy> {
  assertAdmin(actor);
  const sources = await tx.select({ id: source.id }).from(source).where(eq(source.workspaceId, actor.workspaceId));
  const errors = validateCapturePolicy(policy, new Set(sources.map((s) => s.id)));
  if (errors.length) throw invalid(errors, 'The capture policy has invalid rules.');
  const [before] = await tx.select().from(capturePolicy).where(eq(capturePolicy.workspaceId, actor.workspaceId)).for('update');
  const currentVersion = before?.version ?? 0;
  if (expectedVersion !== undefined && expectedVersion !== currentVersion) {
    throw new AppError('version_conflict', `The capture policy was changed by someone else (version ${currentVersion}, you sent ${expectedVersion}).`, [], { current: before?.rules ?? null });
  }
  const rules = policy as unknown as Record<string, unknown>;
  const [row] = before
    ? await tx.update(capturePolicy).set({ rules, updatedBy: actor.userId, version: sql`${capturePolicy.version} + 1`, updatedAt: sql`now()` })
      .where(and(eq(capturePolicy.workspaceId, actor.workspaceId), eq(capturePolicy.id, before.id))).returning()
    : await tx.insert(capturePolicy).values({ workspaceId: actor.workspaceId, rules, updatedBy: actor.userId }).returning();
  await recordAudit(tx, {
    workspaceId: actor.workspaceId, userId: actor.userId, entity: 'capturePolicy', entityId: row!.id, action: before ? 'update' : 'create',
    before: before ? { rules: before.rules } : null, after: { rules: row!.rules },
  });
  const [ws] = await tx.select({ defaultCountry: workspace.defaultCountry }).from(workspace).where(eq(workspace.id, actor.workspaceId));
  return { policy: capturePolicyOf(row!.rules, ws?.defaultCountry ?? 'ES'), version: row!.version, updatedAt: row!.updatedAt };
}

export type EnforceOptions = Parameters<typeof applyCapturePolicy>[3] & {
  /** Prefix of field names in errors when the record is one part of a bigger body (`contact.`). */
  prefix?: string;
};

/**
 * Applies the workspace's policy to one record about to be written and answers the cleaned values;
 * a record that breaks it is refused with a 422 naming each field and reason, the suggestions (a
 * surname split) alongside so the client can offer them. The one call every input path makes.
 */
export async function enforceCapturePolicy(
  tx: Db, workspaceId: string, entity: CaptureEntity, input: Record<string, unknown>, opts: EnforceOptions = {},
): Promise<Record<string, unknown>> {
  const result = applyCapturePolicy(entity, input, await loadCapturePolicy(tx, workspaceId), opts);
  if (result.errors.length) throw capturePolicyError(result, opts.prefix);
  return result.values;
}

/** The 422 for a record that breaks the policy (same problem shape as any validation error). */
export function capturePolicyError(result: Pick<CaptureResult, 'errors' | 'suggestions'>, prefix = ''): AppError {
  return new AppError('validation', 'The record does not follow the workspace\'s capture policy.',
    result.errors.map((e) => ({ ...e, field: `${prefix}${e.field}` })),
    { suggestions: result.suggestions.map((s) => ({ ...s, field: `${prefix}${s.field}` })) });
}

export type CaptureEntryInput = {
  contact: Record<string, unknown>;
  /** "Usar este": the existing contact gets the new non-empty values instead of a new contact. */
  existingContactId?: string | null;
  /** The company as typed: an active company of that name (case- and accent-insensitive) or a new one. */
  companyName?: string | null;
  lead: Record<string, unknown> & { title?: string | null; nextActionAt?: Date | null };
  sourceId?: string | null;
  campaignId?: string | null;
};

export type CaptureEntryResult = { contactId: string; leadId: string; companyId: string | null; contactCreated: boolean };

type CreateLead = (tx: Db, actor: Actor, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

/**
 * One captured prospect (quick-add, a batch-entry row): the contact (new, or the existing one the
 * user chose), its company by name, and a lead with the batch's source and campaign, in one
 * transaction — a row is saved whole or not at all. Every part goes through the policy with the
 * source's rules, and all their errors come back together, named `contact.*`, `company.*`, `lead.*`.
 * `createLead` is the lead aggregate's own create (next-action invariant, stage, audit).
 */
export async function captureEntryInTx(tx: Db, actor: Actor, input: CaptureEntryInput, createLead: CreateLead): Promise<CaptureEntryResult> {
  const policy = await loadCapturePolicy(tx, actor.workspaceId);
  const sourceId = input.sourceId ?? null;
  const existing = input.existingContactId
    ? await findRow(tx, contact as TenantTable, actor.workspaceId, input.existingContactId, 'contact', true)
    : null;
  const contactResult = applyCapturePolicy('contact', input.contact, policy, { sourceId, partial: existing !== null, existing: existing ?? undefined });
  const companyResult = input.companyName?.trim() ? applyCapturePolicy('company', { name: input.companyName }, policy, { sourceId }) : null;
  const c = contactResult.values;
  const fullName = [c['firstName'] ?? existing?.['firstName'], c['lastName'] ?? existing?.['lastName']].filter(Boolean).join(' ');
  const leadResult = applyCapturePolicy('lead', { ...input.lead, title: input.lead.title?.trim() || fullName || null, sourceId, campaignId: input.campaignId ?? null }, policy, { sourceId });
  const errors = [
    ...contactResult.errors.map((e) => ({ ...e, field: `contact.${e.field}` })),
    ...(companyResult?.errors ?? []).map((e) => ({ ...e, field: `company.${e.field}` })),
    ...leadResult.errors.map((e) => ({ ...e, field: `lead.${e.field}` })),
  ];
  const suggestions = contactResult.suggestions.map((s) => ({ ...s, field: `contact.${s.field}` }));
  if (errors.length) throw new AppError('validation', 'The record does not follow the workspace\'s capture policy.', errors, { suggestions });

  let companyId: string | null = (existing?.['companyId'] as string | null | undefined) ?? null;
  if (companyResult) {
    const name = companyResult.values['name'] as string;
    const rows = (await tx.execute(sql`SELECT id FROM company WHERE workspace_id = ${actor.workspaceId} AND status = 'active'
      AND f_search_text(name) = f_search_text(${name}::text) ORDER BY created_at LIMIT 1`)) as unknown as { rows: { id: string }[] };
    companyId = rows.rows[0]?.id
      ?? (await insertRow(tx, company as TenantTable, actor, 'company', { ...companyResult.values, ownerId: actor.userId }))['id'] as string;
  }

  let contactId: string;
  if (existing) {
    // Only what was typed: an empty cell never erases what the existing contact already holds.
    const filled = Object.fromEntries(Object.entries(c).filter(([, v]) => v !== null && v !== undefined));
    if (companyResult) filled['companyId'] = companyId;
    if (Object.keys(filled).length) await updateRow(tx, contact as TenantTable, actor, 'contact', existing, filled, undefined);
    contactId = existing['id'] as string;
  } else {
    contactId = (await insertRow(tx, contact as TenantTable, actor, 'contact', { ...c, companyId, ownerId: actor.userId }))['id'] as string;
  }
  const created = await createLead(tx, actor, { ...leadResult.values, contactId, companyId });
  return { contactId, leadId: created['id'] as string, companyId, contactCreated: !existing };
}
