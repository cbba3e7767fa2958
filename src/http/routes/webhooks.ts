import { createRoute, z } from '@hono/zod-openapi';
import { randomToken } from '../../auth/tokens.js';
import { assertAdmin } from '../../domain/access.js';
import { assertWebhookUrl, webhookEvents, type WebhookEvent } from '../../domain/webhook.js';
import { write } from '../../db/repository.js';
import {
  deleteWebhook, getDelivery, getWebhook, insertWebhook, listDeliveries, listWebhooks, replayDelivery, updateWebhook,
} from '../../db/queries/webhooks.js';
import { expectedVersion } from '../resource.js';
import { newRouter, type Deps } from '../context.js';
import { IdParam, problemResponses, TimestampOut, Uuid } from '../schemas.js';
import { decodeCursor, encodeCursor, pageLimit } from './notifications.js';

const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const Event = z.enum(webhookEvents);
const Url = z.string().trim().max(2000).openapi({ description: 'http or https URL that receives a POST per event', example: 'https://example.com/seguimiento' });

const WebhookIn = z.strictObject({
  name: z.string().trim().min(1).max(120),
  url: Url,
  events: z.array(Event).min(1).openapi({ description: 'The events sent to this URL' }),
  active: z.boolean().optional(),
}).openapi('WebhookInput');
const WebhookPatch = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  url: Url.optional(),
  events: z.array(Event).min(1).optional(),
  active: z.boolean().optional(),
  version: z.number().int().optional(),
}).openapi('WebhookPatch');
const WebhookOut = z.object({
  id: Uuid, name: z.string(), url: z.string(), events: z.array(Event), active: z.boolean(), createdBy: Uuid.nullable(),
  createdAt: TimestampOut, updatedAt: TimestampOut, version: z.number().int(),
}).openapi('Webhook');
const WebhookWithSecretOut = WebhookOut.extend({
  secret: z.string().openapi({ description: 'Signs every delivery (HMAC-SHA256). Shown in this answer only.' }),
}).openapi('WebhookWithSecret');
const DeliveryOut = z.object({
  id: Uuid, webhookId: Uuid, event: Event, eventId: Uuid.openapi({ description: 'The same for every delivery (and replay) of one event' }),
  payload: z.record(z.string(), z.unknown()), status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(), responseCode: z.number().int().nullable(), lastError: z.string().nullable(),
  nextAttemptAt: TimestampOut.nullable(), replayOf: Uuid.nullable(), createdAt: TimestampOut, finishedAt: TimestampOut.nullable(),
}).openapi('WebhookDelivery');
const DeliveryQuery = z.strictObject({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  limit: z.string().regex(/^\d+$/).optional().openapi({ description: 'Page size, 1–200 (default 50)' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});
const DeliveryParam = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }),
  deliveryId: z.uuid().openapi({ param: { name: 'deliveryId', in: 'path' } }),
});

const newSecret = () => `whsec_${randomToken(24)}`;
const events = (list: string[]) => [...new Set(list)] as WebhookEvent[];

/**
 * Outgoing webhooks (admins): where lead, sale and feedback events are POSTed, signed with the
 * webhook's secret, and the log of every delivery with its attempts, which an admin can replay.
 */
export function webhookRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/webhooks', tags: ['webhooks'], summary: 'The workspace\'s webhooks (admins)',
    responses: { 200: { description: 'Webhooks', content: { 'application/json': { schema: z.object({ data: z.array(WebhookOut) }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    return c.json({ data: await listWebhooks(deps.database.db, actor.workspaceId) } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/webhooks', tags: ['webhooks'], summary: 'Create a webhook (its secret is in this answer only)',
    request: { body: { content: { 'application/json': { schema: WebhookIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: WebhookWithSecretOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const input = c.req.valid('json');
    const url = assertWebhookUrl(input.url);
    const secret = newSecret();
    const row = await write(deps.database, (tx) => insertWebhook(tx, actor, { name: input.name, url, events: events(input.events), active: input.active ?? true, secret }));
    c.header('Cache-Control', 'no-store');
    c.header('Location', `/api/v1/webhooks/${row.id}`);
    return c.json({ ...row, secret } as never, 201);
  });

  r.openapi(createRoute({
    method: 'get', path: '/webhooks/{id}', tags: ['webhooks'], summary: 'One webhook (admins)',
    request: { params: IdParam },
    responses: { 200: { description: 'Webhook', content: { 'application/json': { schema: WebhookOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    return c.json(await getWebhook(deps.database.db, actor.workspaceId, c.req.valid('param').id) as never, 200);
  });

  r.openapi(createRoute({
    method: 'patch', path: '/webhooks/{id}', tags: ['webhooks'], summary: 'Change a webhook\'s name, URL, events or pause it',
    request: { params: IdParam, body: { content: { 'application/json': { schema: WebhookPatch } }, required: true } },
    responses: { 200: { description: 'Updated', content: { 'application/json': { schema: WebhookOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { version, ...patch } = c.req.valid('json');
    const expected = expectedVersion(c, version);
    const values = {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.url !== undefined ? { url: assertWebhookUrl(patch.url) } : {}),
      ...(patch.events !== undefined ? { events: events(patch.events) } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
    };
    const row = await write(deps.database, async (tx) => {
      const before = await getWebhook(tx, actor.workspaceId, c.req.valid('param').id, true);
      return updateWebhook(tx, actor, before, values, expected);
    });
    return c.json(row as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/webhooks/{id}/rotate-secret', tags: ['webhooks'], summary: 'Replace the signing secret (the new one is in this answer only)',
    request: { params: IdParam },
    responses: { 200: { description: 'Rotated', content: { 'application/json': { schema: WebhookWithSecretOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const secret = newSecret();
    const row = await write(deps.database, async (tx) => {
      const before = await getWebhook(tx, actor.workspaceId, c.req.valid('param').id, true);
      return updateWebhook(tx, actor, before, { secret }, undefined);
    });
    c.header('Cache-Control', 'no-store');
    return c.json({ ...row, secret } as never, 200);
  });

  r.openapi(createRoute({
    method: 'delete', path: '/webhooks/{id}', tags: ['webhooks'], summary: 'Delete a webhook and its delivery log',
    request: { params: IdParam },
    responses: { 204: { description: 'Deleted' }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    await write(deps.database, async (tx) => {
      const before = await getWebhook(tx, actor.workspaceId, c.req.valid('param').id, true);
      await deleteWebhook(tx, actor, before);
    });
    return c.body(null, 204);
  });

  r.openapi(createRoute({
    method: 'get', path: '/webhooks/{id}/deliveries', tags: ['webhooks'], summary: 'The delivery log of a webhook, newest first (admins)',
    request: { params: IdParam, query: DeliveryQuery },
    responses: {
      200: { description: 'A page', content: { 'application/json': { schema: z.object({ data: z.array(DeliveryOut), nextCursor: z.string().nullable() }) } } },
      ...problemResponses,
    },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const id = c.req.valid('param').id;
    const q = c.req.valid('query');
    await getWebhook(deps.database.db, actor.workspaceId, id);
    const page = await listDeliveries(deps.database, actor.workspaceId, id, {
      limit: pageLimit(q.limit, 200), status: q.status, before: decodeCursor(q.cursor, (s) => uuidRe.test(s)),
    });
    const last = page.data.at(-1);
    return c.json({
      data: page.data.map(({ cursorAt: _, ...d }) => d),
      nextCursor: page.hasMore && last ? encodeCursor(last.cursorAt, last.id) : null,
    } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/webhooks/{id}/deliveries/{deliveryId}/replay', tags: ['webhooks'],
    summary: 'Send a delivery again, as a new delivery with the same event id and payload',
    request: { params: DeliveryParam },
    responses: { 201: { description: 'The new delivery', content: { 'application/json': { schema: DeliveryOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const { id, deliveryId } = c.req.valid('param');
    const row = await write(deps.database, async (tx) => {
      const original = await getDelivery(tx, actor.workspaceId, id, deliveryId);
      return replayDelivery(tx, actor, original, deps.now());
    });
    return c.json(row as never, 201);
  });
  return r;
}
