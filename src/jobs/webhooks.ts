import { registerJob } from './registry.js';
import { deliveryTarget, recordAttempt, WEBHOOK_JOB } from '../db/queries/webhooks.js';
import {
  DELIVERY_HEADER, DELIVERY_TIMEOUT_MS, deliveryRetryDelayMs, EVENT_HEADER, isDelivered, MAX_DELIVERY_ATTEMPTS, SIGNATURE_HEADER,
  signPayload, TIMESTAMP_HEADER,
} from '../domain/webhook.js';

type Payload = { deliveryId: string; attempt: number };

const MAX_ERROR_LENGTH = 500;

/**
 * Sends one attempt of one webhook delivery: POST of the stored JSON, signed, with a timeout.
 * A 2xx answer marks it delivered; anything else schedules the next attempt on the backoff of
 * src/domain/webhook.ts, until the last one marks it failed. The receiver's failures are recorded on
 * the delivery, not thrown, so the generic job retry is left for our own errors (database down).
 * Delivery is at least once: a crash between the POST and the record sends the attempt again, with
 * the same X-Seguimiento-Delivery id for the receiver to drop.
 */
registerJob(WEBHOOK_JOB, async ({ deps, workspaceId, payload, now }) => {
  const { deliveryId, attempt } = payload as Payload;
  const target = await deliveryTarget(deps.database, workspaceId, deliveryId);
  // Already recorded by an earlier run of this job, or the webhook was deleted.
  if (!target || target.status !== 'pending' || target.attempts !== attempt - 1) return;

  let responseCode: number | null = null;
  let error: string | null = null;
  if (!target.active) {
    error = 'The webhook is inactive.';
  } else {
    const body = JSON.stringify(target.payload);
    const timestamp = Math.floor(now.getTime() / 1000);
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Seguimiento-Webhooks/1',
          [SIGNATURE_HEADER]: signPayload(target.secret, timestamp, body),
          [TIMESTAMP_HEADER]: String(timestamp),
          [EVENT_HEADER]: target.event,
          [DELIVERY_HEADER]: target.id,
        },
        body,
      });
      responseCode = res.status;
      await res.body?.cancel();
      if (!isDelivered(res.status)) error = `The receiver answered ${res.status}.`;
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      error = ((e as Error).name === 'TimeoutError' ? `No answer within ${DELIVERY_TIMEOUT_MS / 1000} s.` : `${(e as Error).message}${cause ? ` (${cause})` : ''}`).slice(0, MAX_ERROR_LENGTH);
    }
  }
  const delivered = error === null;
  const last = attempt >= MAX_DELIVERY_ATTEMPTS || !target.active;
  await deps.database.transaction((tx) => recordAttempt(tx, workspaceId, deliveryId, attempt, {
    status: delivered ? 'delivered' : last ? 'failed' : 'pending',
    responseCode, error, at: now,
    nextAttemptAt: delivered || last ? null : new Date(now.getTime() + deliveryRetryDelayMs(attempt)),
  }));
});
