import { createRoute, z } from '@hono/zod-openapi';
import { write } from '../../db/repository.js';
import { eraseContact } from '../../db/queries/retention.js';
import { assertAdmin } from '../../domain/access.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, Uuid } from '../schemas.js';

const EraseOut = z.object({
  contactId: Uuid, activitiesDeleted: z.number().int(), leadsDetached: z.number().int(), salesDetached: z.number().int(),
}).openapi('ContactErasure');

/** Privacy requests (right to erasure): immediate, irreversible, admins only. */
export function privacyRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'post', path: '/contacts/{id}/erase', tags: ['contacts'],
    summary: 'Erase a contact now (privacy request): deletes the contact, its activities and its personal data in the change history; leads stay without the contact (admins)',
    request: { params: IdParam },
    responses: { 200: { description: 'Erased', content: { 'application/json': { schema: EraseOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const result = await write(deps.database, (tx) => eraseContact(tx, actor, c.req.valid('param').id));
    return c.json(result, 200);
  });
  return r;
}
