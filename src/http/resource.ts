import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { Actor } from '../domain/access.js';
import { canSee } from '../domain/access.js';
import { AppError, forbidden, notFound } from '../domain/errors.js';
import type { Db } from '../db/client.js';
import { buildListQuery, runList, type ListSpec } from '../db/list.js';
import { deleteRow, findRow, insertRow, updateRow, write, type TenantTable } from '../db/repository.js';
import { managedUserIds } from '../db/queries/users.js';
import { newRouter, type AppEnv, type Deps } from './context.js';
import { IdParam, listQuerySchema, pageOf, problemResponses } from './schemas.js';

type AnyRow = Record<string, unknown>;
export type WriteCtx = { tx: Db; actor: Actor; deps: Deps };

/**
 * One REST resource: list, get, create, update (optimistic lock), delete, from a declarative spec.
 * Rules stay in the domain: the hooks here call domain functions and return column values.
 */
export type ResourceSpec = {
  entity: string;
  path: string;
  tag: string;
  table: TenantTable;
  list: ListSpec;
  out: z.ZodObject;
  createIn: z.ZodObject;
  updateIn: z.ZodObject;
  /** Who may create/update/delete; reading follows list.scope. Throws forbidden. */
  canWrite?: (actor: Actor, row: AnyRow | null) => void;
  canDelete?: (actor: Actor, row: AnyRow) => void;
  beforeCreate?: (ctx: WriteCtx, input: AnyRow) => Promise<AnyRow> | AnyRow;
  beforeUpdate?: (ctx: WriteCtx, before: AnyRow, patch: AnyRow) => Promise<AnyRow> | AnyRow;
  /** Checks that need the database before a delete (e.g. whose record it is); throws to refuse. */
  beforeDelete?: (ctx: WriteCtx, before: AnyRow) => Promise<void>;
  /** Turns a stored row into the API shape (e.g. adds computed fields). */
  present?: (row: AnyRow) => AnyRow;
  /** Disables routes the resource does not offer. */
  without?: ('create' | 'update' | 'delete')[];
};

/** Reads If-Match ("3", W/"3", "v3") or the body's `version`. */
export function expectedVersion(c: Context, bodyVersion: unknown): number | undefined {
  if (typeof bodyVersion === 'number') return bodyVersion;
  const h = c.req.header('if-match');
  if (!h) return undefined;
  const m = /^(?:W\/)?"?v?(\d+)"?$/.exec(h.trim());
  if (!m) throw new AppError('validation', 'If-Match must hold the record version, e.g. "3".', [{ field: 'If-Match', code: 'invalid_format', message: 'Expected "<version>".' }]);
  return Number(m[1]);
}

/** The users a manager manages, read before a write transaction opens (see assertVisible). */
export const managedBy = async (deps: Deps, actor: Actor): Promise<string[]> =>
  actor.role === 'manager' ? managedUserIds(deps.database, actor) : [];

/**
 * Visibility of one owned record for the actor; 403 when it exists but is not theirs. Inside a
 * write transaction pass `managed` (from managedBy, fetched before the transaction): PGlite has one
 * connection, so a query outside the open transaction would wait for it forever.
 */
export async function assertVisible(deps: Deps, actor: Actor, spec: Pick<ResourceSpec, 'list' | 'entity'>, row: AnyRow, managed?: readonly string[]) {
  // Someone else's private row is, for this actor, a row that does not exist.
  if (spec.list.scope === 'personal' && row['userId'] !== actor.userId && row['shared'] !== true) throw notFound(spec.entity);
  if (spec.list.scope !== 'owned' || actor.role === 'admin') return;
  const owned = { ownerId: (row['ownerId'] as string | null) ?? null, sharedWith: (row['sharedWith'] as string[] | undefined) ?? [] };
  managed ??= await managedBy(deps, actor);
  if (!canSee(actor, owned, managed)) throw forbidden('This record belongs to someone else.');
}

export function resourceRoutes(deps: Deps, spec: ResourceSpec) {
  const r = newRouter();
  const present = spec.present ?? ((x: AnyRow) => x);
  const Out = spec.out;
  const idPath = `${spec.path}/{id}`;
  const without = new Set(spec.without ?? []);
  const withEtag = (c: Context<AppEnv>, row: AnyRow) => c.header('ETag', `"${String(row['version'])}"`);

  r.openapi(createRoute({
    method: 'get', path: spec.path, tags: [spec.tag], summary: `List ${spec.tag}`,
    request: { query: listQuerySchema(spec.list) },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(Out) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const built = buildListQuery(spec.list, actor, c.req.valid('query') as Record<string, string>);
    const page = await runList(deps.database, built);
    return c.json({ data: page.data.map(present), nextCursor: page.nextCursor } as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: idPath, tags: [spec.tag], summary: `Get one ${spec.entity}`,
    request: { params: IdParam },
    responses: { 200: { description: spec.entity, content: { 'application/json': { schema: Out } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const row = await findRow(deps.database.db, spec.table, actor.workspaceId, c.req.valid('param').id, spec.entity);
    await assertVisible(deps, actor, spec, row);
    withEtag(c, row);
    return c.json(present(row) as never, 200);
  });

  if (!without.has('create')) {
    r.openapi(createRoute({
      method: 'post', path: spec.path, tags: [spec.tag], summary: `Create a ${spec.entity}`,
      request: { body: { content: { 'application/json': { schema: spec.createIn } }, required: true } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: Out } } }, ...problemResponses },
    }), async (c) => {
      const actor = c.get('actor');
      spec.canWrite?.(actor, null);
      const input = c.req.valid('json') as AnyRow;
      const row = await write(deps.database, async (tx) => {
        const values = spec.beforeCreate ? await spec.beforeCreate({ tx, actor, deps }, input) : input;
        return insertRow(tx, spec.table, actor, spec.entity, values);
      });
      withEtag(c, row);
      c.header('Location', `/api/v1${spec.path}/${String(row['id'])}`);
      return c.json(present(row) as never, 201);
    });
  }

  if (!without.has('update')) {
    r.openapi(createRoute({
      method: 'patch', path: idPath, tags: [spec.tag],
      summary: `Update a ${spec.entity} (send If-Match or version to avoid overwriting someone else's change)`,
      request: { params: IdParam, body: { content: { 'application/json': { schema: spec.updateIn } }, required: true } },
      responses: { 200: { description: 'Updated', content: { 'application/json': { schema: Out } } }, ...problemResponses },
    }), async (c) => {
      const actor = c.get('actor');
      const { version, ...patch } = c.req.valid('json') as AnyRow;
      const expected = expectedVersion(c, version);
      const managed = await managedBy(deps, actor);
      const row = await write(deps.database, async (tx) => {
        const before = await findRow(tx, spec.table, actor.workspaceId, c.req.valid('param').id, spec.entity, true);
        await assertVisible(deps, actor, spec, before, managed);
        spec.canWrite?.(actor, before);
        const values = spec.beforeUpdate ? await spec.beforeUpdate({ tx, actor, deps }, before, patch) : patch;
        return updateRow(tx, spec.table, actor, spec.entity, before, values, expected);
      });
      withEtag(c, row);
      return c.json(present(row) as never, 200);
    });
  }

  if (!without.has('delete')) {
    r.openapi(createRoute({
      method: 'delete', path: idPath, tags: [spec.tag], summary: `Delete a ${spec.entity}`,
      request: { params: IdParam },
      responses: { 204: { description: 'Deleted' }, ...problemResponses },
    }), async (c) => {
      const actor = c.get('actor');
      const managed = await managedBy(deps, actor);
      await write(deps.database, async (tx) => {
        const before = await findRow(tx, spec.table, actor.workspaceId, c.req.valid('param').id, spec.entity, true);
        await assertVisible(deps, actor, spec, before, managed);
        (spec.canDelete ?? spec.canWrite)?.(actor, before);
        await spec.beforeDelete?.({ tx, actor, deps }, before);
        await deleteRow(tx, spec.table, actor, spec.entity, before);
      });
      return c.body(null, 204);
    });
  }
  return r;
}
