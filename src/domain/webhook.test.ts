import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assertWebhookUrl, deliveryRetryDelayMs, eventsForChange, MAX_DELIVERY_ATTEMPTS, signPayload, verifySignature } from './webhook.js';

describe('eventsForChange', () => {
  it('raises lead.created for a new lead and lead.updated for any later change', () => {
    expect(eventsForChange({ entity: 'lead', action: 'create', after: { status: 'open' } })).toEqual(['lead.created']);
    expect(eventsForChange({ entity: 'lead', action: 'next_action', before: { status: 'open' }, after: { status: 'open' } })).toEqual(['lead.updated']);
  });

  it('adds lead.won or lead.lost only when the status becomes so', () => {
    expect(eventsForChange({ entity: 'lead', action: 'move', before: { status: 'open' }, after: { status: 'won' } })).toEqual(['lead.updated', 'lead.won']);
    expect(eventsForChange({ entity: 'lead', action: 'move', before: { status: 'open' }, after: { status: 'lost' } })).toEqual(['lead.updated', 'lead.lost']);
    expect(eventsForChange({ entity: 'lead', action: 'sale', before: { status: 'won' }, after: { status: 'won' } })).toEqual(['lead.updated']);
  });

  it('raises sale.created and feedback.received on creation only, and nothing on deletion or for other entities', () => {
    expect(eventsForChange({ entity: 'sale', action: 'create', after: {} })).toEqual(['sale.created']);
    expect(eventsForChange({ entity: 'sale', action: 'update', before: {}, after: {} })).toEqual([]);
    expect(eventsForChange({ entity: 'feedback', action: 'create', after: {} })).toEqual(['feedback.received']);
    expect(eventsForChange({ entity: 'lead', action: 'delete', before: { status: 'open' } })).toEqual([]);
    expect(eventsForChange({ entity: 'contact', action: 'create', after: {} })).toEqual([]);
  });
});

describe('signPayload', () => {
  it('is the hex HMAC-SHA256 of timestamp.body, which a receiver verifies', () => {
    const body = '{"event":"lead.created"}';
    const sig = signPayload('s3cret', 1_700_000_000, body);
    expect(sig).toBe(`sha256=${createHmac('sha256', 's3cret').update(`1700000000.${body}`).digest('hex')}`);
    expect(verifySignature('s3cret', 1_700_000_000, body, sig)).toBe(true);
    expect(verifySignature('s3cret', 1_700_000_001, body, sig)).toBe(false);
    expect(verifySignature('other', 1_700_000_000, body, sig)).toBe(false);
    expect(verifySignature('s3cret', 1_700_000_000, `${body} `, sig)).toBe(false);
  });
});

describe('deliveryRetryDelayMs', () => {
  it('doubles from one minute and is capped at an hour', () => {
    const minutes = Array.from({ length: MAX_DELIVERY_ATTEMPTS }, (_, i) => deliveryRetryDelayMs(i + 1) / 60_000);
    expect(minutes).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
    expect(deliveryRetryDelayMs(500)).toBe(3_600_000);
  });
});

describe('assertWebhookUrl', () => {
  it('accepts http and https and refuses other schemes, bad URLs and credentials', () => {
    expect(assertWebhookUrl('https://example.com/hook')).toBe('https://example.com/hook');
    expect(assertWebhookUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
    expect(() => assertWebhookUrl('ftp://example.com/')).toThrow(/http and https/);
    expect(() => assertWebhookUrl('javascript:alert(1)')).toThrow(/http and https/);
    expect(() => assertWebhookUrl('not a url')).toThrow(/not valid/);
    expect(() => assertWebhookUrl('https://u:p@example.com/')).toThrow(/password/);
  });
});
