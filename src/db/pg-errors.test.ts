import { describe, expect, it } from 'vitest';
import { pgErrorToAppError } from './pg-errors.js';

describe('PostgreSQL errors', () => {
  it('map a foreign key violation to a 422 naming the field, also when wrapped by Drizzle', () => {
    const pgErr = { code: '23503', detail: 'Key (workspace_id, contact_id)=(a, b) is not present in table "contact".' };
    const wrapped = Object.assign(new Error('Failed query'), { cause: pgErr });
    for (const e of [pgErr, wrapped]) {
      const mapped = pgErrorToAppError(e);
      expect(mapped?.code).toBe('validation');
      expect(mapped?.fields).toEqual([{ field: 'contactId', code: 'not_found', message: 'No such record in this workspace.' }]);
    }
  });
  it('map a unique violation to a conflict and leave unknown errors alone', () => {
    expect(pgErrorToAppError({ code: '23505', constraint: 'x' })?.code).toBe('conflict');
    expect(pgErrorToAppError(new Error('boom'))).toBeNull();
  });
});
