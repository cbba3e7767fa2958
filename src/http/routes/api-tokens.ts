import { createRoute, z } from '@hono/zod-openapi';
import { write } from '../../db/repository.js';
import { insertApiToken, listApiTokens, lockApiToken, revokeApiToken } from '../../db/queries/api-tokens.js';
import { fieldError, forbidden } from '../../domain/errors.js';
import { apiScopes } from '../../domain/api-scope.js';
import { randomToken, sha256 } from '../../auth/tokens.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, Timestamp, TimestampOut, Uuid } from '../schemas.js';

const TokenIn = z.strictObject({
  name: z.string().trim().min(1).max(120),
  expiresAt: Timestamp.nullish(),
  scopes: z.array(z.enum(apiScopes)).min(1).nullish().openapi({
    description: 'What the token may call: `<area>:read` or `<area>:write` (write includes read) for contacts, leads, sales, metrics and settings, and `webhooks`. Left out: the full rights of your user.',
    example: ['leads:write', 'contacts:read'],
  }),
}).openapi('ApiTokenInput');
const TokenOut = z.object({
  id: Uuid, userId: Uuid, name: z.string(), prefix: z.string().openapi({ description: 'The first characters of the token, to recognise it' }),
  createdAt: TimestampOut, lastUsedAt: TimestampOut.nullable(), expiresAt: TimestampOut.nullable(), revokedAt: TimestampOut.nullable(),
  scopes: z.array(z.string()).nullable().openapi({ description: 'null: the full rights of its user' }),
}).openapi('ApiToken');
const CreatedTokenOut = TokenOut.extend({
  token: z.string().openapi({ description: 'The secret token. Shown once: only its SHA-256 is stored.' }),
}).openapi('CreatedApiToken');
const ListQuery = z.strictObject({
  scope: z.enum(['mine', 'all']).optional().openapi({ description: '`all` (admins only): every token of the workspace' }),
});

/** Tokens look like seg_<43 url-safe characters>; the prefix identifies them without revealing them. */
export const TOKEN_PREFIX = 'seg_';
const DISPLAY_PREFIX_LENGTH = TOKEN_PREFIX.length + 8;

/**
 * Personal API tokens for integrations (Authorization: Bearer). A token acts as its user, with the
 * user's current role; deactivating the user or revoking the token stops it at once.
 */
export function apiTokenRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/api-tokens', tags: ['api tokens'], summary: 'Your API tokens (admins: scope=all for every token)',
    request: { query: ListQuery },
    responses: { 200: { description: 'Tokens', content: { 'application/json': { schema: z.object({ data: z.array(TokenOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const all = c.req.valid('query').scope === 'all';
    if (all && actor.role !== 'admin') throw forbidden('Only an admin can list every token.');
    const data = await listApiTokens(deps.database.db, actor.workspaceId, all ? null : actor.userId);
    return c.json({ data } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/api-tokens', tags: ['api tokens'], summary: 'Create an API token (the secret is in this answer only)',
    request: { body: { content: { 'application/json': { schema: TokenIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: CreatedTokenOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { name, expiresAt, scopes } = c.req.valid('json');
    const expires = expiresAt ? new Date(expiresAt) : null;
    if (expires && expires.getTime() <= deps.now().getTime()) throw fieldError('expiresAt', 'in_the_past', 'The expiry must be in the future.');
    const token = `${TOKEN_PREFIX}${randomToken(32)}`;
    const row = await write(deps.database, (tx) => insertApiToken(tx, actor, {
      name, expiresAt: expires, tokenHash: sha256(token), prefix: token.slice(0, DISPLAY_PREFIX_LENGTH), scopes: scopes ? [...new Set(scopes)] : null,
    }));
    c.header('Cache-Control', 'no-store');
    return c.json({ ...row, token } as never, 201);
  });

  r.openapi(createRoute({
    method: 'delete', path: '/api-tokens/{id}', tags: ['api tokens'], summary: 'Revoke a token (yours; an admin, anyone\'s)',
    request: { params: IdParam },
    responses: { 204: { description: 'Revoked' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    await write(deps.database, async (tx) => {
      const before = await lockApiToken(tx, actor.workspaceId, c.req.valid('param').id);
      if (before.userId !== actor.userId && actor.role !== 'admin') throw forbidden('This token belongs to someone else.');
      await revokeApiToken(tx, actor, before);
    });
    return c.body(null, 204);
  });
  return r;
}
