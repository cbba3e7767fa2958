import { createRoute, z } from '@hono/zod-openapi';
import { listAuditEvents } from '../../db/queries/audit-events.js';
import { profileAccess } from '../../db/queries/profile.js';
import { assertManagerOrAdmin } from '../../domain/access.js';
import { fieldError } from '../../domain/errors.js';
import { omitSensitiveChanges } from '../../domain/profile.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, Timestamp, TimestampOut, Uuid } from '../schemas.js';

const AuditQuery = z.strictObject({
  entity: z.string().min(1).max(60).optional().openapi({ description: 'company, contact, lead, user, pipeline, stage…' }),
  entityId: z.uuid().optional(),
  userId: z.uuid().optional().openapi({ description: 'Who made the change' }),
  from: Timestamp.optional().openapi({ description: 'From this moment (inclusive)' }),
  to: Timestamp.optional().openapi({ description: 'Until this moment (exclusive)' }),
  limit: z.string().regex(/^\d+$/).optional().openapi({ description: 'Page size, 1–500 (default 50)' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});

const AuditEventOut = z.object({
  id: z.number().int(), at: TimestampOut, userId: Uuid.nullable(), userName: z.string().nullable(),
  entity: z.string(), entityId: Uuid, action: z.string(),
  changes: z.record(z.string(), z.unknown()).openapi({ description: '{ field: [before, after] } for the fields that changed; _meta holds context' }),
}).openapi('AuditEvent');

const encodeCursor = (id: number) => Buffer.from(String(id)).toString('base64url');
function decodeCursor(c: string): number {
  const n = Number(Buffer.from(c, 'base64url').toString('utf8'));
  if (!Number.isSafeInteger(n) || n < 1) throw fieldError('cursor', 'invalid_cursor', 'The cursor is not one this API returned.');
  return n;
}

/** The change history ("historial de cambios"): who changed what, when, before and after. */
export function auditRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'get', path: '/audit-events', tags: ['audit'], summary: 'The change history, newest first (admins and managers)',
    request: { query: AuditQuery },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: z.object({ data: z.array(AuditEventOut), nextCursor: z.string().nullable() }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertManagerOrAdmin(actor, 'Only a manager or an admin can read the change history.');
    const { limit: rawLimit, cursor, ...filter } = c.req.valid('query');
    const limit = rawLimit === undefined ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw fieldError('limit', 'out_of_range', 'limit must be an integer from 1 to 500.');
    const page = await listAuditEvents(deps.database, actor.workspaceId, filter, cursor ? decodeCursor(cursor) : null, limit);
    // A manager the workspace keeps from sensitive fields must not read them in their history either.
    const access = await profileAccess(deps.database.db, actor);
    if (!access.canSeeSensitive) {
      for (const e of page.data) e.changes = omitSensitiveChanges(e.entity, e.changes, access.sensitiveCustomKeys);
    }
    const last = page.data.at(-1);
    return c.json({ data: page.data, nextCursor: page.more && last ? encodeCursor(last.id) : null } as never, 200);
  });
  return r;
}
