import { createRoute, z } from '@hono/zod-openapi';
import { countWorkspaces, createWorkspace } from '../../db/queries/workspaces.js';
import { checkPasswordStrength, hashPassword } from '../../auth/password.js';
import { fieldError } from '../../domain/errors.js';
import { newRouter, type Deps } from '../context.js';
import { startSession } from './auth.js';
import { SessionOut } from '../schemas.js';

export const SetupIn = z.strictObject({
  workspaceName: z.string().trim().min(1).max(120),
  name: z.string().trim().min(1).max(120),
  email: z.email().max(254).transform((e) => e.toLowerCase()),
  password: z.string().min(1).max(200),
  locale: z.enum(['es', 'en']).default('es'),
  currency: z.string().regex(/^[A-Z]{3}$/).default('EUR'),
  timeZone: z.string().min(1).default('Europe/Madrid'),
  defaultCountry: z.string().regex(/^[A-Z]{2}$/).default('ES'),
}).openapi('SetupInput');

export function setupRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'get', path: '/setup', tags: ['setup'], summary: 'Whether the one-time setup is still needed',
    responses: { 200: { description: 'Setup state', content: { 'application/json': { schema: z.object({ needed: z.boolean() }) } } } },
  }), async (c) => c.json({ needed: (await countWorkspaces(deps.database)) === 0 }, 200));

  r.openapi(createRoute({
    method: 'post', path: '/setup', tags: ['setup'],
    summary: 'Create the first workspace and its admin (only on an empty installation)',
    request: { body: { content: { 'application/json': { schema: SetupIn } }, required: true } },
    responses: {
      201: { description: 'Workspace created; the admin is logged in', content: { 'application/json': { schema: SessionOut } } },
      409: { description: 'Already set up' },
      422: { description: 'Invalid fields' },
    },
  }), async (c) => {
    const body = c.req.valid('json');
    const weak = checkPasswordStrength(body.password);
    if (weak) throw fieldError('password', weak, 'The password must have at least 10 characters.');
    if (!isValidTimeZone(body.timeZone)) throw fieldError('timeZone', 'invalid_time_zone', 'Unknown time zone.');
    const { admin } = await createWorkspace(deps.database, {
      workspaceName: body.workspaceName, currency: body.currency, timeZone: body.timeZone, locale: body.locale,
      defaultCountry: body.defaultCountry,
      admin: { name: body.name, email: body.email, passwordHash: await hashPassword(body.password) },
    }, { onlyIfFirst: true });
    const session = await startSession(c, deps, { workspaceId: admin.workspaceId, id: admin.id, role: admin.role, teamId: admin.teamId });
    return c.json(session, 201);
  });
  return r;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
