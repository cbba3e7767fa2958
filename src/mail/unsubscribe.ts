import { createHmac, timingSafeEqual } from 'node:crypto';
import { mailOptOutKinds } from '../db/schema.js';

/**
 * One-click unsubscribe links (RFC 8058). The token names the workspace, the user and the kind of
 * email, signed with the server secret: it needs no login and no stored state, and it never expires
 * (an unsubscribe link in an old email must still work). It only ever turns an email off.
 */
export type UnsubscribeClaims = { workspaceId: string; userId: string; kind: (typeof mailOptOutKinds)[number] };

const sign = (secret: string, payload: string) => createHmac('sha256', secret).update(`unsubscribe:${payload}`).digest();

export function unsubscribeToken(secret: string, c: UnsubscribeClaims): string {
  const payload = Buffer.from(JSON.stringify([c.workspaceId, c.userId, c.kind])).toString('base64url');
  return `${payload}.${sign(secret, payload).toString('base64url')}`;
}

/** The claims of a token this server signed, else null (tampered, truncated, another secret). */
export function readUnsubscribeToken(secret: string, token: string): UnsubscribeClaims | null {
  const [payload, sig, ...rest] = token.split('.');
  if (!payload || !sig || rest.length) return null;
  const given = Buffer.from(sig, 'base64url');
  const expected = sign(secret, payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const [workspaceId, userId, kind] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown[];
    if (typeof workspaceId !== 'string' || typeof userId !== 'string' || !mailOptOutKinds.includes(kind as UnsubscribeClaims['kind'])) return null;
    return { workspaceId, userId, kind: kind as UnsubscribeClaims['kind'] };
  } catch {
    return null;
  }
}

export const UNSUBSCRIBE_PATH = '/mail/unsubscribe';

export const unsubscribeUrl = (baseUrl: string, token: string) => `${baseUrl.replace(/\/+$/, '')}${UNSUBSCRIBE_PATH}/${token}`;

/** The RFC 2369 / RFC 8058 headers that let a mail client offer "unsubscribe" with one click. */
export const listUnsubscribeHeaders = (url: string) => ({ 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });
