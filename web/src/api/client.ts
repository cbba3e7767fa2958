/**
 * Thin typed fetch wrapper over /api/v1: sends the session cookie, adds X-CSRF-Token to writes,
 * turns problem+json into an ApiError with field errors, and reports a 401 once so the app can
 * send the user to the login page.
 */
export type FieldError = { field: string; code: string; message: string };

export type Problem = {
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  current?: unknown;
  [k: string]: unknown;
};

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail || `HTTP ${status}`);
    this.name = 'ApiError';
  }
  get code() { return this.problem.code; }
  get fieldErrors(): FieldError[] { return this.problem.errors ?? []; }
  /** Field errors keyed by field path; the first reason per field wins. */
  byField(): Record<string, FieldError> {
    const out: Record<string, FieldError> = {};
    for (const e of this.fieldErrors) out[e.field] ??= e;
    return out;
  }
}

let csrfToken = '';
let onUnauthenticated: (() => void) | null = null;

export const setCsrfToken = (token: string | null) => { csrfToken = token ?? ''; };
export const setUnauthenticatedHandler = (fn: (() => void) | null) => { onUnauthenticated = fn; };

export type Query = Record<string, string | number | boolean | null | undefined | readonly string[]>;

/** Query string without empty values; arrays become comma-separated lists (the API's `in` filters). */
export function toQueryString(q: Query | undefined): string {
  if (!q) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) { if (v.length) params.set(k, v.join(',')); continue; }
    params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** Reads a problem+json (or anything else) body into a Problem with at least status and code. */
export async function readProblem(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === 'object') {
      return { ...body, status: res.status, code: typeof body.code === 'string' ? body.code : `http_${res.status}`, detail: String(body.detail ?? '') };
    }
  } catch { /* not JSON */ }
  return { status: res.status, code: `http_${res.status}`, detail: text.slice(0, 200) };
}

export type RequestOptions = { query?: Query; body?: unknown; headers?: Record<string, string>; signal?: AbortSignal; quiet401?: boolean };

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  // A file (import upload) goes as it is; everything else is JSON.
  const isFile = opts.body instanceof Blob;
  if (opts.body !== undefined) headers['content-type'] = isFile ? 'application/octet-stream' : 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}${toQueryString(opts.query)}`, {
      method, headers, credentials: 'same-origin', signal: opts.signal ?? null,
      body: opts.body === undefined ? null : isFile ? (opts.body as Blob) : JSON.stringify(opts.body),
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, { status: 0, code: 'network', detail: (e as Error).message });
  }
  if (res.status === 204) return undefined as T;
  if (!res.ok) {
    const problem = await readProblem(res);
    if (res.status === 401 && !opts.quiet401) onUnauthenticated?.();
    throw new ApiError(res.status, problem);
  }
  return (await res.json()) as T;
}

export const api = {
  get: <T>(path: string, query?: Query, opts: Omit<RequestOptions, 'query'> = {}) => request<T>('GET', path, { ...opts, ...(query ? { query } : {}) }),
  post: <T>(path: string, body: unknown = {}, opts: RequestOptions = {}) => request<T>('POST', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts: RequestOptions = {}) => request<T>('PATCH', path, { ...opts, body }),
  del: <T = void>(path: string, opts: RequestOptions = {}) => request<T>('DELETE', path, opts),
};

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;
