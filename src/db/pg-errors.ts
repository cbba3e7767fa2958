import { AppError } from '../domain/errors.js';

type DriverError = { code?: string; message?: unknown; constraint?: string; detail?: string; column?: string; cause?: unknown };

/**
 * The PostgreSQL error under the wrappers: Drizzle wraps driver errors (DrizzleQueryError, whose
 * message carries the whole statement and its parameters) with the PostgreSQL error as `cause`.
 */
export function driverError(err: unknown): DriverError | null {
  let e = err as DriverError | null | undefined;
  for (let i = 0; i < 3 && e && typeof e.code !== 'string' && e.cause; i++) e = e.cause as DriverError;
  return e ?? null;
}

/** Maps PostgreSQL constraint violations that reach us to precise problems instead of 500s. */
export function pgErrorToAppError(err: unknown): AppError | null {
  const e = driverError(err);
  if (typeof e?.code !== 'string') return null;
  switch (e.code) {
    case '23505': {
      // "Key (workspace_id, user_id, lower(name))=(…) already exists": the last key column is the field
      // the person typed (the leading ones scope the uniqueness).
      const column = /\(([^)]*?(?:\([^)]*\))?[^)]*)\)=/.exec(e.detail ?? '')?.[1]?.split(',').at(-1)?.trim().replace(/^[a-z_]+\(([a-z_]+)\)$/, '$1');
      const field = column && /^[a-z_]+$/.test(column) ? column.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase()) : null;
      return new AppError('conflict', 'A record with the same value already exists.',
        field ? [{ field, code: 'already_exists', message: 'Another record already has this value.' }] : [], { constraint: e.constraint });
    }
    case '23503': {
      const field = /\((?:workspace_id, )?([a-z_]+)\)/.exec(e.detail ?? '')?.[1];
      const camel = field?.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
      return new AppError('validation', 'A referenced record does not exist.', camel ? [{ field: camel, code: 'not_found', message: 'No such record in this workspace.' }] : []);
    }
    case '23514': return new AppError('validation', `A value is out of range (${e.constraint ?? 'check'}).`, [], { constraint: e.constraint });
    case '23502': return new AppError('validation', 'A required value is missing.', e.column ? [{ field: e.column, code: 'required', message: 'Required.' }] : []);
    case '22P02': case '22007': case '22008': case '22003':
      return new AppError('validation', 'A value has the wrong format.');
    default: return null;
  }
}
