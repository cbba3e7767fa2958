import { z } from 'zod';

/**
 * The only reader of process.env. Every variable is described here and in .env.example;
 * a bad environment is reported all at once at start, never one variable at a time.
 */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000)
    .describe('HTTP port the app listens on'),
  HOST: z.string().default('0.0.0.0').describe('Interface to bind'),
  DATA_DIR: z.string().default('./data')
    .describe('Folder of the embedded database (PGlite); unused when DATABASE_URL is set'),
  DATABASE_URL: z.string().url().optional()
    .describe('PostgreSQL connection string; when set, the embedded engine is not used'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10)
    .describe('Connections per app instance to PostgreSQL'),
  PUBLIC_URL: z.string().url().optional()
    .describe('External URL (https://crm.example.com); https here makes session cookies Secure'),
  SESSION_SECRET: z.string().min(32).optional()
    .describe('HMAC key for session cookies; generated once and kept in the database when unset'),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).default(24 * 14)
    .describe('Lifetime of a login session'),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024)
    .describe('Largest accepted request body'),
  IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).default(200 * 1024 * 1024)
    .describe('Largest CSV or XLSX file accepted for import (streamed into the database in chunks, never held in memory)'),
  SMTP_HOST: z.string().optional()
    .describe('SMTP server for outgoing email (morning digest); email is disabled when unset'),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(587)
    .describe('SMTP port: 587 with STARTTLS, 465 with SMTP_SECURE=true'),
  SMTP_SECURE: z.enum(['true', 'false']).default('false')
    .describe('true to connect with TLS from the start (port 465); false upgrades with STARTTLS when offered'),
  SMTP_USER: z.string().optional().describe('SMTP login user, when the server requires authentication'),
  SMTP_PASSWORD: z.string().optional().describe('SMTP login password (secret: never logged)'),
  SMTP_FROM: z.string().optional()
    .describe('Sender of outgoing email, e.g. "Seguimiento <crm@example.com>"; required with SMTP_HOST'),
  DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(7)
    .describe('Local hour (workspace time zone) at which each user gets the morning digest email'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false')
    .describe('true behind a reverse proxy: the client address (web-form rate limits) is the right-most X-Forwarded-For hop that is not a private or loopback address; false uses the socket address and ignores the header'),
  FUNNEL_RAW_MAX_LEADS: z.coerce.number().int().min(0).default(20_000)
    .describe('While a pipeline\'s funnel rollups are rebuilt after its journey changed, pipelines with up to this many leads are fitted from the raw rows (seconds); larger ones answer that the model is being prepared'),
});

/**
 * Rules across variables, checked even when single variables are wrong so every problem is
 * reported at once. A server with no sender would fail at the first email, hours after start.
 */
function crossProblems(env: Record<string, string | undefined>): string[] {
  return env['SMTP_HOST'] && !env['SMTP_FROM'] ? ['SMTP_FROM: required when SMTP_HOST is set'] : [];
}

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  publicUrl: string | undefined;
  secureCookies: boolean;
  sessionSecret: string | undefined;
  sessionTtlHours: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  bodyLimitBytes: number;
  /** Largest import file; uploads stream into the database in chunks (import_file_chunk). */
  importMaxBytes: number;
  /** Outgoing email; `host` undefined means email is disabled. */
  smtp: {
    host: string | undefined;
    port: number;
    secure: boolean;
    user: string | undefined;
    password: string | undefined;
    from: string | undefined;
  };
  /** Local hour of the morning digest, in each workspace's time zone. */
  digestHour: number;
  /** Whether X-Forwarded-For names the client (only behind a proxy that sets it; anyone can send it). */
  trustProxy: boolean;
  /** Largest pipeline (leads) the funnel model reads raw while its rollups are rebuilt (docs/funnel.md#speed). */
  funnelRawMaxLeads: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const cross = crossProblems(cleaned);
  if (!parsed.success || cross.length) {
    throw new ConfigError([...(parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)), ...cross]);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    publicUrl: e.PUBLIC_URL,
    secureCookies: e.PUBLIC_URL?.startsWith('https://') ?? false,
    sessionSecret: e.SESSION_SECRET,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    logLevel: e.LOG_LEVEL,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    importMaxBytes: e.IMPORT_MAX_BYTES,
    smtp: {
      host: e.SMTP_HOST,
      port: e.SMTP_PORT,
      secure: e.SMTP_SECURE === 'true',
      user: e.SMTP_USER,
      password: e.SMTP_PASSWORD,
      from: e.SMTP_FROM,
    },
    digestHour: e.DIGEST_HOUR,
    trustProxy: e.TRUST_PROXY === 'true',
    funnelRawMaxLeads: e.FUNNEL_RAW_MAX_LEADS,
  };
}

/** For docs and `seguimiento config`: every variable with its description and default. */
export function describeConfig(): { name: string; description: string }[] {
  return Object.entries(envSchema.shape).map(([name, schema]) => ({
    name,
    description: (schema as z.ZodType).description ?? '',
  }));
}
