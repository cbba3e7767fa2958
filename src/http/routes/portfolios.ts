import { createRoute, z } from '@hono/zod-openapi';
import { assertManagerOrAdmin, type Actor } from '../../domain/access.js';
import { forbidden, notFound } from '../../domain/errors.js';
import { ownerPortfolioFromTotals, portfolioWindows } from '../../domain/portfolio-owner.js';
import {
  contactLifecycles, listTransfers, portfolioTotals, portfolioUsers, previewTransfer, transferPortfolio, transferSelection, workspaceUserExists,
  type PortfolioUser,
} from '../../db/queries/portfolios.js';
import { segmentCondition } from '../../db/queries/segments.js';
import { workspaceClock } from '../../db/queries/today.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, TimestampOut, Uuid } from '../schemas.js';

const UserIdParam = z.object({ userId: z.uuid().openapi({ param: { name: 'userId', in: 'path' } }) });

const PortfolioOut = z.object({
  userId: Uuid,
  name: z.string(),
  role: z.enum(['admin', 'manager', 'sales']),
  isActive: z.boolean(),
  teamId: Uuid.nullable(),
  byLifecycle: z.record(z.string(), z.number().int()).openapi({ description: 'Active contacts owned, per lifecycle' }),
  contacts: z.number().int(),
  clients: z.number().int(),
  prospects: z.number().int(),
  purchases: z.number().int().openapi({ description: 'Sales of the portfolio\'s clients in the last 12 months' }),
  buyingClients: z.number().int(),
  revenue: z.number().openapi({ description: 'Revenue of the portfolio\'s clients in the last 12 months' }),
  previousRevenue: z.number().openapi({ description: 'The same over the 12 months before' }),
  growth: z.number().nullable().openapi({ description: '(revenue − previousRevenue) ÷ previousRevenue; null without a base' }),
  openLeads: z.number().int(),
  openAmount: z.number(),
  weightedAmount: z.number(),
  lastContactAt: TimestampOut.nullable(),
  quietClients30: z.number().int().openapi({ description: 'Active clients with no contact for 30 days' }),
  quietClients90: z.number().int(),
}).openapi('Portfolio');

const PortfolioWindowOut = z.object({ from: TimestampOut, to: TimestampOut, previousFrom: TimestampOut, asOf: TimestampOut }).openapi('PortfolioWindow');

const Counts = z.object({
  contacts: z.number().int(), companies: z.number().int(), leads: z.number().int(),
  activities: z.number().int(), followUps: z.number().int(), complaints: z.number().int(),
}).openapi('PortfolioTransferCounts');

const ReassignIn = z.strictObject({
  toUserId: Uuid.openapi({ description: 'The salesperson who receives the portfolio' }),
  segmentId: Uuid.nullish().openapi({ description: 'Only the contacts of this segment (and what goes with them); omitted: the whole portfolio' }),
}).openapi('PortfolioReassignInput');

const TransferOut = z.object({
  id: Uuid, fromUserId: Uuid, toUserId: Uuid, segmentId: Uuid.nullable(), counts: Counts,
  createdBy: Uuid.nullable(), createdAt: TimestampOut,
  replayed: z.boolean().openapi({ description: 'True when this answers a retried request (same Idempotency-Key): nothing moved again' }),
}).openapi('PortfolioTransfer');

const IdempotencyHeader = z.object({
  'idempotency-key': z.string().min(1).max(200).optional().openapi({ description: 'Any unique string; a retry with the same key answers the first result instead of moving again' }),
});

/**
 * Portfolios per salesperson and their reassignment (docs/portfolios.md). Reading follows the record
 * scope (admin all, manager their team and themselves, sales themselves); reassigning is for
 * managers (within their team) and admins.
 */
export function portfolioRoutes(deps: Deps) {
  const r = newRouter();

  async function portfoliosOf(actor: Actor, users: PortfolioUser[]) {
    const clock = await workspaceClock(deps.database, actor.workspaceId);
    const w = portfolioWindows(deps.now(), clock.timeZone);
    const totals = await portfolioTotals(deps.database, actor.workspaceId, users.map((u) => u.id), w);
    const data = users.map((u) => ({
      ...ownerPortfolioFromTotals(u.id, totals.get(u.id)!, contactLifecycles),
      name: u.name, role: u.role, isActive: u.isActive, teamId: u.teamId,
    }));
    return { data, window: { from: w.current.from, to: w.current.to, previousFrom: w.previous.from, asOf: w.now } };
  }

  /** The portfolio's owner, if the actor may see it: 404 when no such user, 403 when out of reach. */
  async function visibleUser(actor: Actor, userId: string): Promise<PortfolioUser> {
    const [user] = await portfolioUsers(deps.database, actor, userId);
    if (user) return user;
    if (await workspaceUserExists(deps.database, actor.workspaceId, userId)) throw forbidden('This portfolio belongs to someone outside your team.');
    throw notFound('user');
  }

  async function selectionFor(actor: Actor, fromUserId: string, segmentId: string | null) {
    // Before the segment is even read: a sales user may not reassign at all.
    assertManagerOrAdmin(actor, 'Only a manager or an admin can reassign a portfolio.');
    const condition = segmentId
      ? (p: (v: unknown) => string, expr: string) => segmentCondition(deps.database, actor.workspaceId, segmentId, p, expr)
      : null;
    return transferSelection(actor.workspaceId, fromUserId, segmentId, condition);
  }

  r.openapi(createRoute({
    method: 'get', path: '/portfolios', tags: ['portfolios'], summary: 'Portfolio of each salesperson the actor may see',
    responses: { 200: { description: 'One row per salesperson', content: { 'application/json': { schema: z.object({ data: z.array(PortfolioOut), window: PortfolioWindowOut }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    return c.json(await portfoliosOf(actor, await portfolioUsers(deps.database, actor)) as never, 200);
  });

  r.openapi(createRoute({
    method: 'get', path: '/portfolios/transfers', tags: ['portfolios'], summary: 'The latest portfolio reassignments the actor may see',
    responses: { 200: { description: 'Newest first', content: { 'application/json': { schema: z.object({ data: z.array(TransferOut) }) } } }, ...problemResponses },
  }), async (c) => c.json({ data: await listTransfers(deps.database, c.get('actor')) } as never, 200));

  r.openapi(createRoute({
    method: 'get', path: '/portfolios/{userId}', tags: ['portfolios'], summary: 'One salesperson\'s portfolio',
    request: { params: UserIdParam },
    responses: { 200: { description: 'The portfolio', content: { 'application/json': { schema: z.object({ data: PortfolioOut, window: PortfolioWindowOut }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const user = await visibleUser(actor, c.req.valid('param').userId);
    const { data, window } = await portfoliosOf(actor, [user]);
    return c.json({ data: data[0], window } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/portfolios/{userId}/reassign/preview', tags: ['portfolios'],
    summary: 'What a reassignment would move (nothing moves); refused like the reassignment itself',
    request: { params: UserIdParam, body: { content: { 'application/json': { schema: ReassignIn } }, required: true } },
    responses: { 200: { description: 'Counts per kind of record', content: { 'application/json': { schema: z.object({ counts: Counts }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { toUserId, segmentId } = c.req.valid('json');
    const sel = await selectionFor(actor, c.req.valid('param').userId, segmentId ?? null);
    return c.json(await previewTransfer(deps.database, actor, sel, toUserId) as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/portfolios/{userId}/reassign', tags: ['portfolios'],
    summary: 'Reassign the portfolio (or a segment of it) to another salesperson, in one audited transaction',
    request: { params: UserIdParam, headers: IdempotencyHeader, body: { content: { 'application/json': { schema: ReassignIn } }, required: true } },
    responses: {
      201: { description: 'Moved', content: { 'application/json': { schema: TransferOut } } },
      200: { description: 'Already done under this Idempotency-Key: the first result', content: { 'application/json': { schema: TransferOut } } },
      ...problemResponses,
    },
  }), async (c) => {
    const actor = c.get('actor');
    const { toUserId, segmentId } = c.req.valid('json');
    const sel = await selectionFor(actor, c.req.valid('param').userId, segmentId ?? null);
    const transfer = await transferPortfolio(deps.database, actor, sel, toUserId, c.req.valid('header')['idempotency-key'] ?? null);
    return c.json(transfer as never, transfer.replayed ? 200 : 201);
  });

  return r;
}
