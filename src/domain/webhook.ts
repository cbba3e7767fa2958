import { createHmac, timingSafeEqual } from 'node:crypto';
import { fieldError } from './errors.js';

/**
 * Outgoing webhooks: which changes become events, how a delivery is signed, and when a failed one
 * is tried again. Pure: the outbox (src/db/queries/webhooks.ts) and the delivery job
 * (src/jobs/webhooks.ts) call these.
 */
export const webhookEvents = ['lead.created', 'lead.updated', 'lead.won', 'lead.lost', 'sale.created', 'feedback.received'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export type AuditedChange = {
  entity: string;
  action: string;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
};

/**
 * The events one audited change raises. Every write records an audit event, so mapping here means
 * no write path (API, import, job, sale closing a lead) can forget to emit. A lead that reaches won
 * or lost raises lead.updated and lead.won / lead.lost; deletions, purges and erasures raise none
 * (a receiver must not get personal data after it was erased).
 */
export function eventsForChange(c: AuditedChange): WebhookEvent[] {
  if (!c.after) return [];
  switch (c.entity) {
    case 'lead': {
      if (c.action === 'create') return ['lead.created'];
      if (!c.before) return [];
      const events: WebhookEvent[] = ['lead.updated'];
      const was = c.before['status'];
      const is = c.after['status'];
      if (is !== was && is === 'won') events.push('lead.won');
      if (is !== was && is === 'lost') events.push('lead.lost');
      return events;
    }
    case 'sale': return c.action === 'create' ? ['sale.created'] : [];
    case 'feedback': return c.action === 'create' ? ['feedback.received'] : [];
    default: return [];
  }
}

/** Only http and https targets: anything else (file:, ftp:, javascript:) is refused. */
export function assertWebhookUrl(raw: string, field = 'url'): string {
  let u: URL;
  try { u = new URL(raw); } catch { throw fieldError(field, 'invalid_url', 'The URL is not valid.'); }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw fieldError(field, 'unsupported_scheme', 'Only http and https URLs can receive webhooks.');
  if (u.username || u.password) throw fieldError(field, 'credentials_in_url', 'Put no user or password in the URL; verify the signature instead.');
  return u.toString();
}

export const SIGNATURE_HEADER = 'X-Seguimiento-Signature';
export const TIMESTAMP_HEADER = 'X-Seguimiento-Timestamp';
export const EVENT_HEADER = 'X-Seguimiento-Event';
export const DELIVERY_HEADER = 'X-Seguimiento-Delivery';

/**
 * `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">` with the webhook's secret. Signing the timestamp
 * with the body lets a receiver refuse replays older than a few minutes.
 */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (and what the tests do): recompute and compare in constant time. */
export function verifySignature(secret: string, timestamp: number, body: string, signature: string): boolean {
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const sent = Buffer.from(signature);
  return expected.length === sent.length && timingSafeEqual(expected, sent);
}

/** Attempts per delivery, the first included; then it is marked failed (an admin can replay it). */
export const MAX_DELIVERY_ATTEMPTS = 8;
const MINUTE = 60_000;
/** The longest wait between attempts: a receiver down for hours is better reported than hammered. */
export const MAX_DELIVERY_DELAY_MS = 60 * MINUTE;

/**
 * The wait after the `attempt`-th failed attempt (1-based): 1, 2, 4, 8, 16, 32, 60, 60… minutes,
 * so the eight attempts span about two hours. No jitter: deliveries of one workspace are few, and a
 * fixed schedule is what the delivery log can show.
 */
export function deliveryRetryDelayMs(attempt: number): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(MINUTE * 2 ** Math.min(n - 1, 20), MAX_DELIVERY_DELAY_MS);
}

/** A 2xx answer is delivered; anything else (or no answer) is tried again, up to the limit. */
export function isDelivered(status: number | null): boolean {
  return status !== null && status >= 200 && status < 300;
}

/** How long the receiver has to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;
