import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError, type ZodIssue } from 'zod';
import { AppError, type ErrorCode, type FieldError } from '../domain/errors.js';

/** The one mapping from error code to HTTP status. */
const statusOf: Record<ErrorCode, ContentfulStatusCode> = {
  validation: 422,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  rate_limited: 429,
  payload_too_large: 413,
  setup_already_done: 409,
};

const titles: Record<ErrorCode, string> = {
  validation: 'Invalid request',
  unauthenticated: 'Authentication required',
  forbidden: 'Forbidden',
  not_found: 'Not found',
  conflict: 'Conflict',
  version_conflict: 'The record was changed by someone else',
  rate_limited: 'Too many requests',
  payload_too_large: 'Payload too large',
  setup_already_done: 'Setup already done',
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  errors?: FieldError[];
  [k: string]: unknown;
};

export function problemOf(err: AppError): Problem {
  const status = statusOf[err.code];
  return {
    type: `https://seguimiento.dev/problems/${err.code.replace(/_/g, '-')}`,
    title: titles[err.code],
    status,
    detail: err.message,
    code: err.code,
    ...(err.fields.length ? { errors: err.fields } : {}),
    ...err.extra,
  };
}

export function respondProblem(c: Context, err: AppError): Response {
  const p = problemOf(err);
  return c.body(JSON.stringify(p), p.status as ContentfulStatusCode, { 'content-type': 'application/problem+json' });
}

function issueToField(i: ZodIssue, prefix?: string): FieldError {
  const path = [...(prefix ? [prefix] : []), ...i.path.map(String)].join('.');
  let code: string = i.code;
  if (i.code === 'invalid_type' && (i as { input?: unknown }).input === undefined) code = 'required';
  // A refinement names its own code (`params.code`), else it would reach the user as an untranslatable "custom".
  const own = i.code === 'custom' ? (i as { params?: { code?: unknown } }).params?.code : undefined;
  if (typeof own === 'string') code = own;
  if (i.code === 'unrecognized_keys') {
    const keys = (i as { keys: string[] }).keys;
    return { field: [path, keys.join(',')].filter(Boolean).join('.'), code: 'unknown_field', message: `Unknown field(s): ${keys.join(', ')}.` };
  }
  return { field: path || '(body)', code, message: i.message };
}

export function zodToAppError(err: ZodError, where?: 'query' | 'param' | 'header'): AppError {
  return new AppError('validation', 'The request has invalid fields.', err.issues.map((i) => issueToField(i as ZodIssue, where === 'query' ? undefined : undefined)));
}

