import { sql } from 'drizzle-orm';
import type { Database } from '../client.js';
import { appUser, pipeline, source, stage, workspace } from '../schema.js';
import { defaultPipeline, defaultSources } from '../../domain/pipeline.js';
import { recordAudit } from '../audit.js';
import { AppError } from '../../domain/errors.js';

export type NewWorkspace = {
  workspaceName: string;
  currency: string;
  timeZone: string;
  locale: 'es' | 'en';
  defaultCountry: string;
  admin: { name: string; email: string; passwordHash: string };
};

export async function countWorkspaces(d: Database): Promise<number> {
  const rows = await d.query<{ n: number }>('SELECT count(*)::int AS n FROM workspace');
  return rows[0]?.n ?? 0;
}

/**
 * Creates a workspace with its first admin, the default pipeline and the usual sources, in one
 * transaction. With `onlyIfFirst`, refuses when any workspace exists (the one-time setup); the
 * check and the insert are serialised by a transaction-level advisory lock.
 */
export async function createWorkspace(d: Database, input: NewWorkspace, opts: { onlyIfFirst: boolean }) {
  return d.transaction(async (tx) => {
    if (opts.onlyIfFirst) {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(7265432)`);
      const res = await tx.execute(sql`SELECT count(*)::int AS n FROM workspace`);
      const n = (res as unknown as { rows: { n: number }[] }).rows[0]?.n ?? 0;
      if (n > 0) throw new AppError('setup_already_done', 'Seguimiento is already set up.');
    }
    const [ws] = await tx.insert(workspace).values({
      name: input.workspaceName, currency: input.currency, timeZone: input.timeZone,
      locale: input.locale, defaultCountry: input.defaultCountry,
    }).returning();
    const [admin] = await tx.insert(appUser).values({
      workspaceId: ws!.id, email: input.admin.email, name: input.admin.name, role: 'admin',
      locale: input.locale, passwordHash: input.admin.passwordHash,
    }).returning();
    const def = defaultPipeline(input.locale);
    const [pl] = await tx.insert(pipeline).values({ workspaceId: ws!.id, name: def.name, isDefault: true }).returning();
    await tx.insert(stage).values(def.stages.map((s, i) => ({ workspaceId: ws!.id, pipelineId: pl!.id, position: i + 1, ...s })));
    await tx.insert(source).values(defaultSources(input.locale).map((s) => ({ workspaceId: ws!.id, ...s })));
    await recordAudit(tx, { workspaceId: ws!.id, userId: admin!.id, entity: 'workspace', entityId: ws!.id, action: 'create', after: { name: ws!.name } });
    return { workspace: ws!, admin: admin! };
  });
}
