import { and, desc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import { notFound } from '../../domain/errors.js';
import type { Db } from '../client.js';
import { recordAudit } from '../audit.js';
import { apiToken } from '../schema.js';

/** What is shown of a token: never its hash. */
export const tokenColumns = {
  id: apiToken.id, userId: apiToken.userId, name: apiToken.name, prefix: apiToken.prefix, createdAt: apiToken.createdAt,
  lastUsedAt: apiToken.lastUsedAt, expiresAt: apiToken.expiresAt, revokedAt: apiToken.revokedAt, scopes: apiToken.scopes,
};
export type ApiTokenInfo = { id: string; userId: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null; revokedAt: Date | null; scopes: string[] | null };

/** The tokens of one user, or of the whole workspace when userId is null; newest first. */
export async function listApiTokens(tx: Db, workspaceId: string, userId: string | null): Promise<ApiTokenInfo[]> {
  return tx.select(tokenColumns).from(apiToken)
    .where(and(eq(apiToken.workspaceId, workspaceId), ...(userId ? [eq(apiToken.userId, userId)] : [])))
    .orderBy(desc(apiToken.createdAt), desc(apiToken.id));
}

export async function insertApiToken(tx: Db, actor: Actor, t: { name: string; expiresAt: Date | null; tokenHash: string; prefix: string; scopes: string[] | null }): Promise<ApiTokenInfo> {
  const [row] = await tx.insert(apiToken).values({ workspaceId: actor.workspaceId, userId: actor.userId, ...t }).returning(tokenColumns);
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'apiToken', entityId: row!.id, action: 'create', after: row! });
  return row!;
}

export async function lockApiToken(tx: Db, workspaceId: string, id: string): Promise<ApiTokenInfo> {
  const [row] = await tx.select(tokenColumns).from(apiToken).where(and(eq(apiToken.workspaceId, workspaceId), eq(apiToken.id, id))).for('update');
  if (!row) throw notFound('apiToken');
  return row;
}

/** Revoking keeps the row (name, prefix, last use) so the list still tells what existed. */
export async function revokeApiToken(tx: Db, actor: Actor, before: ApiTokenInfo): Promise<void> {
  if (before.revokedAt) return;
  const [row] = await tx.update(apiToken).set({ revokedAt: sql`now()` })
    .where(and(eq(apiToken.workspaceId, actor.workspaceId), eq(apiToken.id, before.id))).returning(tokenColumns);
  await recordAudit(tx, { workspaceId: actor.workspaceId, userId: actor.userId, entity: 'apiToken', entityId: before.id, action: 'revoke', before, after: row! });
}
