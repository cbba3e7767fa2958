import { z } from '@hono/zod-openapi';
import type { ListSpec } from '../db/list.js';

export const Uuid = z.uuid();
export const IdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
export const Timestamp = z.iso.datetime({ offset: true }).openapi({ example: '2026-11-23T09:30:00+01:00' });
export const DateOnly = z.iso.date().openapi({ example: '2026-11-23' });
/**
 * Text that must hold more than spaces. A blank one is refused with the field error code
 * `required` (like a missing one), so the web app shows it in the user's language.
 */
export const NonBlankText = (max: number) =>
  z.string().max(max).refine((s) => s.trim().length > 0, { message: 'Must not be empty.', params: { code: 'required' } });
/** Output timestamps are Date objects serialised by JSON.stringify as ISO strings. */
export const TimestampOut = z.string().openapi({ format: 'date-time' });

const ProblemSchema = z.object({
  type: z.string(), title: z.string(), status: z.number(), detail: z.string(), code: z.string(),
  errors: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
}).openapi('Problem');

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ProblemSchema } } });
export const problemResponses = {
  401: problem('Not authenticated'),
  403: problem('Not allowed'),
  404: problem('No such record in this workspace'),
  409: problem('Conflict (stale version: the current record is in `current`)'),
  422: problem('Invalid fields, each named with its reason'),
} as const;

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), nextCursor: z.string().nullable() });
}

/** The query-string schema of a list, derived from its ListSpec (values are checked by the builder). */
export function listQuerySchema(spec: ListSpec) {
  const shape: Record<string, z.ZodOptional<z.ZodString>> = {
    // Offered only where the resource can search, so a `q` is never silently ignored.
    ...(spec.searchColumn ? { q: z.string().max(200).optional().openapi({ description: 'Text search, accent- and case-insensitive' }) } : {}),
    sort: z.string().optional().openapi({ description: `One of ${Object.keys(spec.sorts).join(', ')}; prefix - for descending. Default ${spec.defaultSort}` }),
    limit: z.string().optional().openapi({ description: 'Page size, 1–500 (default 50)' }),
    cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
  };
  if (spec.hideCancelled) shape['includeCancelled'] = z.string().optional().openapi({ description: 'true to include cancelled records' });
  for (const [name, f] of Object.entries(spec.filters)) {
    const description =
      f.kind === 'in' || f.kind === 'enum' ? 'One value or several separated by commas'
        : f.kind === 'gte' ? 'Lower bound (inclusive)' : f.kind === 'lt' ? 'Upper bound (exclusive)'
          : f.kind === 'arrayContains' ? 'Contains this id' : f.kind === 'external' ? f.description : 'true or false';
    shape[name] = z.string().optional().openapi({ description });
  }
  return z.strictObject(shape);
}

export const UserOut = z.object({
  id: Uuid, email: z.string(), name: z.string(), role: z.enum(['admin', 'manager', 'sales']),
  teamId: Uuid.nullable(), locale: z.enum(['es', 'en']).nullable(), isActive: z.boolean(),
  createdAt: TimestampOut, updatedAt: TimestampOut, version: z.number().int(),
}).openapi('User');

export const SessionOut = z.object({ csrfToken: z.string(), userId: Uuid, workspaceId: Uuid }).openapi('Session');

/** Fields common to every stored record in responses. */
export const recordMeta = {
  id: Uuid,
  createdAt: TimestampOut,
  updatedAt: TimestampOut,
  version: z.number().int(),
};

export const CustomFieldValues = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
