import { createRoute, z } from '@hono/zod-openapi';
import { appUser } from '../../db/schema.js';
import type { Db } from '../../db/client.js';
import type { ListSpec } from '../../db/list.js';
import { findRow, updateRow, write } from '../../db/repository.js';
import { findUser } from '../../db/queries/auth.js';
import { deleteUserSessionsIn, isEmailTaken, lockOtherActiveAdmins, teamExists } from '../../db/queries/users.js';
import { assertAdmin } from '../../domain/access.js';
import { AppError, fieldError } from '../../domain/errors.js';
import { checkPasswordStrength, hashPassword, verifyPassword } from '../../auth/password.js';
import { sha256 } from '../../auth/tokens.js';
import { expectedVersion, resourceRoutes, type ResourceSpec } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, UserOut, Uuid } from '../schemas.js';

const roles = ['admin', 'manager', 'sales'] as const;
const name = z.string().trim().min(1).max(120);
const locale = z.enum(['es', 'en']).nullish();

export const UserIn = z.strictObject({
  email: z.email().max(254).transform((e) => e.toLowerCase()),
  name,
  role: z.enum(roles),
  teamId: Uuid.nullish(),
  locale,
  password: z.string().min(1).max(200).openapi({ description: 'At least 10 characters' }),
}).openapi('UserInput');

export const UserPatch = z.strictObject({
  name: name.optional(), role: z.enum(roles).optional(), teamId: Uuid.nullish(), locale,
  isActive: z.boolean().optional(), version: z.number().int().optional(),
}).openapi('UserPatch');

const MePatch = z.strictObject({ name: name.optional(), locale, version: z.number().int().optional() }).openapi('OwnProfilePatch');
const PasswordChange = z.strictObject({
  currentPassword: z.string().min(1).max(200),
  newPassword: z.string().min(1).max(200),
}).openapi('PasswordChange');

export const userList: ListSpec = {
  table: appUser,
  // A small table: the search scans it, no trigram index needed.
  searchColumn: "f_search_text(name || ' ' || email)",
  scope: 'workspace',
  filters: {
    role: { kind: 'enum', column: 'role', values: roles },
    teamId: { kind: 'in', column: 'team_id', type: 'uuid' },
    isActive: { kind: 'bool', column: 'is_active' },
  },
  sorts: {
    name: { expr: 'lower(name)', type: 'text' },
    email: { expr: 'lower(email)', type: 'text' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
  },
  defaultSort: 'name',
};

type AnyRow = Record<string, unknown>;
/** The password hash never leaves the server, not even to admins. */
const presentUser = (row: AnyRow) => {
  const { passwordHash: _omit, ...rest } = row;
  return rest;
};

async function checkTeam(tx: Db, workspaceId: string, teamId: unknown) {
  if (typeof teamId === 'string' && !(await teamExists(tx, workspaceId, teamId))) {
    throw fieldError('teamId', 'not_found', 'No such team in this workspace.');
  }
}

const weakPassword = (field: string, reason: string) =>
  fieldError(field, reason, reason === 'too_long' ? 'The password must have at most 200 characters.' : 'The password must have at least 10 characters.');

/**
 * Users of the workspace. Everyone reads them (owner pickers); only admins add users and change
 * roles, teams and access. Users are deactivated, never deleted, so their history keeps its author.
 */
export function userRoutes(deps: Deps) {
  const r = newRouter();

  // Registered before /users/{id} so "me" is never taken for an id.
  r.openapi(createRoute({
    method: 'patch', path: '/users/me', tags: ['users'], summary: 'Change your own name or language',
    request: { body: { content: { 'application/json': { schema: MePatch } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: UserOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { version, ...patch } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const row = await write(deps.database, async (tx) => {
      const { passwordHash: _hash, ...before } = await findRow(tx, appUser, actor.workspaceId, actor.userId, 'user', true);
      return updateRow(tx, appUser, actor, 'user', before, patch, expected);
    });
    c.header('ETag', `"${String(row['version'])}"`);
    return c.json(presentUser(row) as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/users/me/password', tags: ['users'],
    summary: 'Change your own password (your other sessions are logged out)',
    request: { body: { content: { 'application/json': { schema: PasswordChange } }, required: true } },
    responses: { 204: { description: 'Changed' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const auth = c.get('auth');
    const { currentPassword, newPassword } = c.req.valid('json');
    const user = await findUser(deps.database, actor.workspaceId, actor.userId);
    if (!user) throw new AppError('unauthenticated', 'The user no longer exists.');
    if (!(await verifyPassword(currentPassword, user.passwordHash))) {
      throw fieldError('currentPassword', 'wrong_password', 'The current password is not correct.');
    }
    const weak = checkPasswordStrength(newPassword);
    if (weak) throw weakPassword('newPassword', weak);
    // Hashing is slow on purpose; it happens before the transaction so no row stays locked meanwhile.
    const passwordHash = await hashPassword(newPassword);
    await write(deps.database, async (tx) => {
      const before = await findRow(tx, appUser, actor.workspaceId, actor.userId, 'user', true);
      await updateRow(tx, appUser, actor, 'user', before, { passwordHash }, undefined, 'password_change');
      await deleteUserSessionsIn(tx, actor.workspaceId, actor.userId, auth.kind === 'session' ? sha256(auth.token) : undefined);
    });
    return c.body(null, 204);
  });

  const spec: ResourceSpec = {
    entity: 'user', path: '/users', tag: 'users', table: appUser, list: userList,
    out: UserOut, createIn: UserIn, updateIn: UserPatch, without: ['delete'],
    canWrite: (actor) => assertAdmin(actor),
    present: presentUser,
    beforeCreate: async ({ tx, actor }, input) => {
      const { password, ...rest } = input as { password: string; email: string } & AnyRow;
      await checkTeam(tx, actor.workspaceId, rest['teamId']);
      const weak = checkPasswordStrength(password);
      if (weak) throw weakPassword('password', weak);
      if (await isEmailTaken(tx, rest.email)) {
        throw new AppError('conflict', 'Another account already uses this email.', [{ field: 'email', code: 'taken', message: 'This email is already in use.' }]);
      }
      return { ...rest, passwordHash: await hashPassword(password) };
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      // A stale version answers 409 with this row as `current`: it must not carry the hash.
      delete before['passwordHash'];
      await checkTeam(tx, actor.workspaceId, patch['teamId']);
      const wasActiveAdmin = before['role'] === 'admin' && before['isActive'] === true;
      const losesRole = patch['role'] !== undefined && patch['role'] !== 'admin';
      const deactivated = patch['isActive'] === false;
      if (wasActiveAdmin && (losesRole || deactivated)) {
        const others = await lockOtherActiveAdmins(tx, actor.workspaceId, before['id'] as string);
        if (others.length === 0) {
          throw new AppError('conflict', 'The workspace must keep at least one active admin.',
            [{ field: deactivated ? 'isActive' : 'role', code: 'last_admin', message: 'This is the last active admin.' }], { reason: 'last_admin' });
        }
      }
      if (deactivated && before['isActive'] === true) await deleteUserSessionsIn(tx, actor.workspaceId, before['id'] as string);
      return patch;
    },
  };
  r.route('/', resourceRoutes(deps, spec));
  return r;
}
