import { z } from '@hono/zod-openapi';
import { source, sourceKinds } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import type { Db } from '../../db/client.js';
import { isSourceNameTaken, sourceUsage } from '../../db/queries/reference-data.js';
import { AppError } from '../../domain/errors.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import type { Deps } from '../context.js';
import { recordMeta } from '../schemas.js';
import { addGuardedDelete, managersWrite } from './products.js';

const sourceFields = {
  name: z.string().trim().min(1).max(120),
  kind: z.enum(sourceKinds),
  isActive: z.boolean().optional(),
};
export const SourceIn = z.strictObject(sourceFields).openapi('SourceInput');
export const SourcePatch = z.strictObject({
  name: sourceFields.name.optional(), kind: sourceFields.kind.optional(), isActive: z.boolean().optional(), version: z.number().int().optional(),
}).openapi('SourcePatch');
export const SourceOut = z.object({ ...recordMeta, name: z.string(), kind: z.enum(sourceKinds), isActive: z.boolean() }).openapi('Source');

export const sourceList: ListSpec = {
  table: source,
  // A small table: the search scans it, no trigram index needed.
  searchColumn: "f_search_text(name)",
  scope: 'workspace',
  filters: {
    isActive: { kind: 'bool', column: 'is_active' },
    kind: { kind: 'enum', column: 'kind', values: sourceKinds },
  },
  sorts: { name: { expr: 'lower(name)', type: 'text' }, createdAt: { expr: 'created_at', type: 'timestamp' } },
  defaultSort: 'name',
};

async function checkName(tx: Db, workspaceId: string, name: unknown, exceptId: string | null) {
  if (typeof name !== 'string') return;
  if (await isSourceNameTaken(tx, workspaceId, name, exceptId)) {
    throw new AppError('conflict', 'Another source has this name.', [{ field: 'name', code: 'taken', message: 'This name is already in use.' }]);
  }
}

/** Where leads come from; the kinds are fixed so reports can group sources of the same kind. */
export function sourceRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'source', path: '/sources', tag: 'sources', table: source, list: sourceList,
    out: SourceOut, createIn: SourceIn, updateIn: SourcePatch, without: ['delete'],
    canWrite: managersWrite,
    beforeCreate: async ({ tx, actor }, input) => {
      await checkName(tx, actor.workspaceId, input['name'], null);
      return input;
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      await checkName(tx, actor.workspaceId, patch['name'], before['id'] as string);
      return patch;
    },
  };
  const r = resourceRoutes(deps, spec);
  addGuardedDelete(r, deps, {
    entity: 'source', path: '/sources', tag: 'sources', table: source, usage: sourceUsage,
    alternative: 'deactivate it instead (isActive: false) to keep the history.',
  });
  return r;
}
