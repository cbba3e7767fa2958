import { z } from '@hono/zod-openapi';
import { team } from '../../db/schema.js';
import type { ListSpec } from '../../db/list.js';
import type { Db } from '../../db/client.js';
import { findUserRole } from '../../db/queries/users.js';
import { assertAdmin } from '../../domain/access.js';
import { fieldError } from '../../domain/errors.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import type { Deps } from '../context.js';
import { recordMeta, Uuid } from '../schemas.js';

const teamFields = { name: z.string().trim().min(1).max(120), managerId: Uuid.nullish() };
export const TeamIn = z.strictObject(teamFields).openapi('TeamInput');
export const TeamPatch = z.strictObject({ ...teamFields, name: teamFields.name.optional(), version: z.number().int().optional() }).openapi('TeamPatch');
export const TeamOut = z.object({ ...recordMeta, name: z.string(), managerId: Uuid.nullable() }).openapi('Team');

export const teamList: ListSpec = {
  table: team,
  // A small table: the search scans it, no trigram index needed.
  searchColumn: "f_search_text(name)",
  scope: 'workspace',
  filters: { managerId: { kind: 'in', column: 'manager_id', type: 'uuid' } },
  sorts: { name: { expr: 'lower(name)', type: 'text' }, createdAt: { expr: 'created_at', type: 'timestamp' } },
  defaultSort: 'name',
};

/** A team's manager sees its members' leads, so only a manager or an admin of the workspace can be one. */
async function checkManager(tx: Db, workspaceId: string, managerId: unknown) {
  if (typeof managerId !== 'string') return;
  const user = await findUserRole(tx, workspaceId, managerId);
  if (!user) throw fieldError('managerId', 'not_found', 'No such user in this workspace.');
  if (user.role === 'sales') throw fieldError('managerId', 'not_a_manager', 'The manager of a team must be a manager or an admin.');
}

export function teamRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'team', path: '/teams', tag: 'teams', table: team, list: teamList,
    out: TeamOut, createIn: TeamIn, updateIn: TeamPatch,
    canWrite: (actor) => assertAdmin(actor),
    beforeCreate: async ({ tx, actor }, input) => {
      await checkManager(tx, actor.workspaceId, input['managerId']);
      return input;
    },
    beforeUpdate: async ({ tx, actor }, _before, patch) => {
      await checkManager(tx, actor.workspaceId, patch['managerId']);
      return patch;
    },
  };
  return resourceRoutes(deps, spec);
}
