import { createRoute, z } from '@hono/zod-openapi';
import { classifyQuery, MAX_QUERY_LENGTH } from '../../domain/search.js';
import { dayRange, isValidTimeZone } from '../../domain/today.js';
import { getCountryCallingCode, type CountryCode } from 'libphonenumber-js';
import { instantSearch, searchContext } from '../../db/queries/search.js';
import { newRouter, type Deps } from '../context.js';
import { problemResponses, TimestampOut, Uuid } from '../schemas.js';

const HitOut = z.object({
  kind: z.enum(['contact', 'company']), id: Uuid, name: z.string(), companyName: z.string().nullable(),
  email: z.string().nullable(), phone: z.string().nullable(), ownerName: z.string().nullable(), lastActivityAt: TimestampOut.nullable(),
  today: z.array(z.object({ leadId: Uuid, title: z.string(), at: TimestampOut, type: z.string().nullable(), ownerName: z.string().nullable() })),
  recent: z.array(z.object({ id: Uuid, type: z.string(), subject: z.string().nullable(), at: TimestampOut, userName: z.string().nullable() })),
}).openapi('SearchHit');

const callingCode = (country: string): string | null => {
  try { return getCountryCallingCode(country.trim().toUpperCase() as CountryCode); } catch { return null; }
};

/**
 * Instant search from anywhere in the app: a person or company by name, phone or email, with what
 * whoever answers needs at once — who owns them, whether they were expected today, what was last
 * said. Contacts and companies are readable by the whole workspace, so is this.
 */
export function searchRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'get', path: '/search', tags: ['search'], summary: 'Instant search of people and companies',
    request: { query: z.strictObject({ q: z.string().max(MAX_QUERY_LENGTH * 2).openapi({ description: 'Name (partial, accents and case ignored), phone in any format, or email' }) }) },
    responses: {
      200: { description: 'Best matches, people first', content: { 'application/json': { schema: z.object({ kind: z.enum(['phone', 'email', 'name']).nullable(), results: z.array(HitOut) }) } } },
      ...problemResponses,
    },
  }), async (c) => {
    const actor = c.get('actor');
    const query = classifyQuery(c.req.valid('query').q);
    if (!query) return c.json({ kind: null, results: [] }, 200);
    const ws = await searchContext(deps.database, actor.workspaceId);
    const day = dayRange(deps.now(), isValidTimeZone(ws.timeZone) ? ws.timeZone : 'UTC');
    const results = await instantSearch(deps.database, actor.workspaceId, query, day, callingCode(ws.defaultCountry));
    return c.json({ kind: query.kind, results } as never, 200);
  });
  return r;
}
