import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { assertAdmin } from '../../domain/access.js';
import { capturePolicyOf, validateCapturePolicy, type CapturePolicy } from '../../domain/capture-policy.js';
import { AppError, invalid } from '../../domain/errors.js';
import type { Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { capturePolicy, source, workspace } from '../schema.js';

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
