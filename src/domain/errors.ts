/**
 * The one list of error codes. The domain and the storage layer throw AppError with a code; the
 * HTTP layer maps each code to a status once (src/http/problem.ts). `message` is for developers
 * (English); the UI translates `code` and each field error's `code` into the user's language.
 */
export type ErrorCode =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'version_conflict'
  | 'rate_limited'
  | 'payload_too_large'
  | 'setup_already_done';

export type FieldError = {
  /** Path of the field in the request, dotted: `lines.0.quantity`, `customFields.budget`. */
  field: string;
  /** Machine code of the reason: `required`, `invalid_type`, `too_small`, `not_in_pipeline`… */
  code: string;
  message: string;
};

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const invalid = (fields: FieldError[], message = 'The request has invalid fields.') =>
  new AppError('validation', message, fields);

export const fieldError = (field: string, code: string, message: string): AppError =>
  invalid([{ field, code, message }], message);

export const notFound = (entity: string) => new AppError('not_found', `${entity} not found.`, [], { entity });

export const forbidden = (message = 'You are not allowed to do this.') => new AppError('forbidden', message);
