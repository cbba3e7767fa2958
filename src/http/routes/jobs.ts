import { createRoute, z } from '@hono/zod-openapi';
import { listJobs, retryFailedJob, type JobStatus } from '../../db/queries/jobs.js';
import { assertAdmin } from '../../domain/access.js';
import { fieldError, notFound } from '../../domain/errors.js';
import { jobStatuses } from '../../db/schema.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, TimestampOut } from '../schemas.js';
import { decodeCursor, encodeCursor, pageLimit } from './notifications.js';

export const JobOut = z.object({
  id: z.string(), kind: z.string(), payload: z.unknown(), runAt: TimestampOut,
  status: z.enum(jobStatuses), attempts: z.number().int(), maxAttempts: z.number().int(), lastError: z.string().nullable(),
  lockedUntil: TimestampOut.nullable(), createdAt: TimestampOut, finishedAt: TimestampOut.nullable(),
}).openapi('Job');

const ListQuery = z.strictObject({
  status: z.string().optional().openapi({ description: `One or several of ${jobStatuses.join(', ')}, separated by commas` }),
  kind: z.string().max(100).optional(),
  limit: z.string().regex(/^\d+$/).optional().openapi({ description: 'Page size, 1–200 (default 50)' }),
  cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
});

const JobIdParam = z.object({ id: z.string().min(1).max(300).openapi({ param: { name: 'id', in: 'path' }, example: 'retention:2026-11-23' }) });

function parseStatuses(raw: string | undefined): JobStatus[] | undefined {
  if (raw === undefined || raw === '') return undefined;
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.find((s) => !(jobStatuses as readonly string[]).includes(s));
  if (bad !== undefined) throw fieldError('status', 'invalid_choice', `status must be among: ${jobStatuses.join(', ')}.`);
  return list as JobStatus[];
}

const present = ({ workspaceId: _ws, cursorAt: _c, ...job }: Record<string, unknown>) => job;

/** The admins' view of the workspace's background jobs: what failed and why, what is waiting. */
export function jobRoutes(deps: Deps) {
  const r = newRouter();

  r.openapi(createRoute({
    method: 'get', path: '/jobs', tags: ['jobs'], summary: 'Background jobs of the workspace, newest first (admins)',
    request: { query: ListQuery },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: z.object({ data: z.array(JobOut), nextCursor: z.string().nullable() }) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const q = c.req.valid('query');
    const limit = pageLimit(q.limit, 200);
    const page = await listJobs(deps.database, actor.workspaceId, {
      statuses: parseStatuses(q.status), kind: q.kind, limit, before: decodeCursor(q.cursor, (s) => s.length > 0),
    });
    const last = page.data.at(-1);
    return c.json({ data: page.data.map(present), nextCursor: page.hasMore && last ? encodeCursor(last.cursorAt, last.id) : null } as never, 200);
  });

  r.openapi(createRoute({
    method: 'post', path: '/jobs/{id}/retry', tags: ['jobs'], summary: 'Queue a failed job again, now, with fresh attempts (admins)',
    request: { params: JobIdParam },
    responses: { 200: { description: 'The queued job', content: { 'application/json': { schema: JobOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    assertAdmin(actor);
    const job = await retryFailedJob(deps.database, actor.workspaceId, c.req.valid('param').id, deps.now());
    if (!job) throw notFound('failed job');
    return c.json(present(job) as never, 200);
  });

  return r;
}
