import { z } from '@hono/zod-openapi';
import type { ListSpec } from '../../db/list.js';
import { savedView, savedViewEntities } from '../../db/schema.js';
import { forbidden } from '../../domain/errors.js';
import { resourceRoutes } from '../resource.js';
import type { Deps } from '../context.js';
import { recordMeta, Uuid } from '../schemas.js';

// The definition is what the web app keeps for a list (filters, sort, columns); the server stores it
// as given, bounded in size, so a future field in the web app needs no migration.
const Definition = z.record(z.string(), z.unknown())
  .refine((d) => JSON.stringify(d).length <= 8_000, { message: 'The view is too large (8 000 characters at most).' });

const fields = {
  entity: z.enum(savedViewEntities),
  name: z.string().trim().min(1).max(80),
  definition: Definition,
  shared: z.boolean().optional(),
};
export const SavedViewIn = z.strictObject(fields).openapi('SavedViewInput');
export const SavedViewPatch = z.strictObject({
  name: fields.name.optional(), definition: Definition.optional(), shared: z.boolean().optional(), version: z.number().int().optional(),
}).openapi('SavedViewPatch');
export const SavedViewOut = z.object({
  ...recordMeta, userId: Uuid, entity: z.enum(savedViewEntities), name: z.string(),
  definition: z.record(z.string(), z.unknown()), shared: z.boolean(),
}).openapi('SavedView');

export const savedViewList: ListSpec = {
  table: savedView,
  scope: 'personal',
  filters: { entity: { kind: 'enum', column: 'entity', values: savedViewEntities } },
  sorts: { name: { expr: 'lower(name)', type: 'text' }, createdAt: { expr: 'created_at', type: 'timestamp' } },
  defaultSort: 'name',
};

/**
 * Saved views of the leads, contacts and companies lists: each user's own, plus those a colleague
 * shared. Only the author changes a view; an admin may also delete a shared one (housekeeping).
 */
export function savedViewRoutes(deps: Deps) {
  return resourceRoutes(deps, {
    entity: 'savedView', path: '/saved-views', tag: 'saved views', table: savedView, list: savedViewList,
    out: SavedViewOut, createIn: SavedViewIn, updateIn: SavedViewPatch,
    canWrite: (actor, row) => {
      if (row && row['userId'] !== actor.userId) throw forbidden('Only its author can change a saved view.');
    },
    canDelete: (actor, row) => {
      if (row['userId'] !== actor.userId && actor.role !== 'admin') throw forbidden('Only its author or an admin can delete a saved view.');
    },
    beforeCreate: ({ actor }, input) => ({ ...input, userId: actor.userId }),
  });
}
