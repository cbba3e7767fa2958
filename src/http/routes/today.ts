import { createRoute, z } from '@hono/zod-openapi';
import { forbidden, notFound } from '../../domain/errors.js';
import { cadenceDaysOf, dayRange, isValidTimeZone, staleBefore } from '../../domain/today.js';
import { managedUserIds } from '../../db/queries/users.js';
import { loadToday, userExists, workspaceClock } from '../../db/queries/today.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, TimestampOut, Uuid } from '../schemas.js';
import { LeadOut, presentLead } from './leads.js';
import { followUpsDue } from '../../db/queries/follow-ups.js';
import { FollowUpOut } from './follow-ups.js';

const SECTION_LIMIT = 100;

const sectionOf = <T extends z.ZodType>(item: T) => z.object({ total: z.number().int(), items: z.array(item) });

export const TodayOut = z.object({
  userId: Uuid,
  date: z.string().openapi({ description: 'Today in the workspace time zone (YYYY-MM-DD)' }),
  timeZone: z.string(),
  dayStart: TimestampOut,
  dayEnd: TimestampOut,
  dueToday: sectionOf(LeadOut).openapi({ description: 'Open leads whose next action is later today, by time' }),
  overdue: sectionOf(LeadOut).openapi({ description: 'Open leads whose next action is already past, oldest first' }),
  withoutNextAction: sectionOf(LeadOut).openapi({ description: 'Open leads with no next action' }),
  staleContacts: sectionOf(z.object({
    id: Uuid, firstName: z.string(), lastName: z.string().nullable(), secondLastName: z.string().nullable(),
    email: z.string().nullable(), phone: z.string().nullable(), lifecycle: z.string(), companyId: Uuid.nullable(),
    companyName: z.string().nullable(), lastActivityAt: TimestampOut.nullable(),
  })).openapi({ description: 'Prospects and clients not contacted within the workspace cadence (settings.cadenceDays, default 7)' }),
  tasksDue: sectionOf(z.object({
    id: Uuid, type: z.string(), subject: z.string().nullable(), dueAt: TimestampOut,
    leadId: Uuid.nullable(), contactId: Uuid.nullable(), companyId: Uuid.nullable(),
  })).openapi({ description: 'Your activities due today or earlier and not done' }),
  followUpsDue: sectionOf(FollowUpOut).openapi({ description: 'Your planned post-sale follow-ups due today or earlier, oldest first' }),
}).openapi('Today');

export function todayRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'get', path: '/today', tags: ['today'], summary: 'What a user has to do today',
    request: {
      query: z.strictObject({
        userId: Uuid.optional().openapi({ description: 'Defaults to you; a manager may ask for their team members, an admin for anyone' }),
        limit: z.coerce.number().int().min(1).max(SECTION_LIMIT).optional().openapi({ description: `Items per section, at most ${SECTION_LIMIT}` }),
      }),
    },
    responses: { 200: { description: 'Today', content: { 'application/json': { schema: TodayOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { userId: asked, limit } = c.req.valid('query');
    const userId = asked ?? actor.userId;
    if (userId !== actor.userId) {
      if (actor.role === 'sales') throw forbidden('You can only see your own Today.');
      if (actor.role === 'manager' && !(await managedUserIds(deps.database, actor)).includes(userId)) {
        throw forbidden('A manager can see the Today of the members of the teams they manage.');
      }
      if (!(await userExists(deps.database, actor.workspaceId, userId))) throw notFound('user');
    }
    const clock = await workspaceClock(deps.database, actor.workspaceId);
    const timeZone = isValidTimeZone(clock.timeZone) ? clock.timeZone : 'UTC';
    const now = deps.now();
    const day = dayRange(now, timeZone);
    const t = await loadToday(deps.database, {
      workspaceId: actor.workspaceId, userId, now, dayStart: day.start, dayEnd: day.end,
      staleBefore: staleBefore(now, cadenceDaysOf(clock.settings)), limit: limit ?? SECTION_LIMIT,
    });
    const leads = (s: { total: number; items: Record<string, unknown>[] }) => ({ total: s.total, items: s.items.map(presentLead) });
    const followUps = await followUpsDue(deps.database, { workspaceId: actor.workspaceId, userId, dayEnd: day.end, limit: limit ?? SECTION_LIMIT });
    return c.json({
      userId, date: day.date, timeZone, dayStart: day.start.toISOString(), dayEnd: day.end.toISOString(),
      dueToday: leads(t.dueToday), overdue: leads(t.overdue), withoutNextAction: leads(t.withoutNextAction),
      staleContacts: t.staleContacts, tasksDue: t.tasksDue, followUpsDue: followUps,
    } as never, 200);
  });
  return r;
}
