import { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Actor } from '../domain/access.js';
import { respondProblem, zodToAppError } from './problem.js';

/** What every route needs, built once in src/server.ts. */
export type Deps = {
  database: Database;
  config: Config;
  /** HMAC key for session cookies and CSRF tokens. */
  secret: string;
  now: () => Date;
};

export type AuthInfo =
  | { kind: 'session'; token: string }
  /** scopes: what the token may call; null is the user's full rights (src/domain/api-scope.ts). */
  | { kind: 'token'; scopes: string[] | null };

export type AppEnv = { Variables: { actor: Actor; auth: AuthInfo; requestId: string } };

/** A router whose request validation failures answer problem+json with every field at once. */
export function newRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) return respondProblem(c, zodToAppError(result.error));
      return undefined;
    },
  });
}

export type Router = ReturnType<typeof newRouter>;
