import { createRoute, z } from '@hono/zod-openapi';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { randomToken, sha256 } from '../../auth/tokens.js';
import { AppError } from '../../domain/errors.js';
import { NPS_MAX, NPS_MIN, parseFormAnswers, SATISFACTION_MAX, SATISFACTION_MIN, satisfactionLinkExpiry, satisfactionLinkState } from '../../domain/feedback.js';
import {
  answerSatisfactionRequestInTx, createSatisfactionRequestInTx, findSatisfactionRequest, markSatisfactionEmailed, type SatisfactionLink,
} from '../../db/queries/feedback.js';
import { write } from '../../db/repository.js';
import { isEmailEnabled, mailerFor } from '../../mail/transport.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { problemResponses, TimestampOut, Uuid } from '../schemas.js';

/**
 * Satisfaction links: a seller creates one for a sale (and it is emailed to the client when email
 * is configured and the client has an address); the client answers once on a public page, without
 * an account. The link's secret is 256 random bits, stored only as its sha256: unguessable like a
 * signature, and revocable row by row without rotating any key.
 */
const PUBLIC_PATH = '/satisfaction';
const tokenRe = /^[A-Za-z0-9_-]{43}$/;

const baseUrlOf = (c: Context, deps: Deps) => (deps.config.publicUrl ?? new URL(c.req.url).origin).replace(/\/+$/, '');

type Locale = 'es' | 'en';
const texts = {
  es: {
    title: 'Tu opinión', hello: (n: string | null) => (n ? `Hola, ${n}:` : 'Hola:'),
    intro: (w: string) => `Gracias por tu compra en ${w}. ¿Nos cuentas qué tal?`,
    nps: '¿Qué probabilidad hay de que nos recomiendes a un amigo o familiar? (0 = ninguna, 10 = total)',
    satisfaction: '¿Cuál es tu grado de satisfacción con la compra? (1 = muy bajo, 5 = muy alto)',
    comment: 'Comentarios (opcional)', send: 'Enviar',
    thanks: '¡Gracias! Hemos recibido tu opinión.', answered: 'Esta encuesta ya se respondió. ¡Gracias!',
    expired: 'Este enlace ha caducado.', missing: 'Este enlace no es válido.',
    invalid: 'Revisa tus respuestas: indica al menos una puntuación o un comentario.',
    subject: (w: string) => `${w}: ¿qué tal tu compra?`,
    mail: (n: string | null, w: string, url: string) => `${n ? `Hola, ${n}:` : 'Hola:'}\n\nGracias por tu compra en ${w}. Nos ayudaría mucho saber qué tal te ha ido; es un minuto:\n\n${url}\n\nGracias.`,
  },
  en: {
    title: 'Your opinion', hello: (n: string | null) => (n ? `Hello ${n},` : 'Hello,'),
    intro: (w: string) => `Thank you for buying from ${w}. How did it go?`,
    nps: 'How likely are you to recommend us to a friend or relative? (0 = not at all, 10 = extremely)',
    satisfaction: 'How satisfied are you with your purchase? (1 = very low, 5 = very high)',
    comment: 'Comments (optional)', send: 'Send',
    thanks: 'Thank you! We have received your answer.', answered: 'This survey has already been answered. Thank you!',
    expired: 'This link has expired.', missing: 'This link is not valid.',
    invalid: 'Please check your answers: give at least one score or a comment.',
    subject: (w: string) => `${w}: how was your purchase?`,
    mail: (n: string | null, w: string, url: string) => `${n ? `Hello ${n},` : 'Hello,'}\n\nThank you for buying from ${w}. It would help us a lot to know how it went; it takes a minute:\n\n${url}\n\nThank you.`,
  },
} as const;
const textsFor = (locale: string) => texts[(locale === 'en' ? 'en' : 'es') as Locale];

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

function page(locale: string, body: string): string {
  const tx = textsFor(locale);
  return `<!doctype html>
<html lang="${locale === 'en' ? 'en' : 'es'}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(tx.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1f2933}
fieldset{border:0;padding:0;margin:1.25rem 0}legend{font-weight:600;margin-bottom:.5rem}
.scale{display:flex;flex-wrap:wrap;gap:.25rem}.scale label{display:inline-flex;align-items:center;gap:.2rem;border:1px solid #cbd2d9;border-radius:.25rem;padding:.35rem .5rem}
textarea{width:100%;min-height:6rem}button{font-size:1rem;padding:.5rem 1.25rem}.error{color:#b42318}</style></head>
<body>${body}</body></html>`;
}

function scale(name: string, min: number, max: number): string {
  const items = [];
  for (let i = min; i <= max; i++) items.push(`<label><input type="radio" name="${name}" value="${i}">${i}</label>`);
  return `<div class="scale">${items.join('')}</div>`;
}

function formPage(r: { locale: string; workspaceName: string; contactName: string | null }, error?: string): string {
  const tx = textsFor(r.locale);
  return page(r.locale, `<h1>${esc(tx.title)}</h1>
<p>${esc(tx.hello(r.contactName))}</p><p>${esc(tx.intro(r.workspaceName))}</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form method="post">
<fieldset><legend>${esc(tx.nps)}</legend>${scale('nps', NPS_MIN, NPS_MAX)}</fieldset>
<fieldset><legend>${esc(tx.satisfaction)}</legend>${scale('satisfaction', SATISFACTION_MIN, SATISFACTION_MAX)}</fieldset>
<fieldset><legend><label for="comment">${esc(tx.comment)}</label></legend><textarea id="comment" name="comment" maxlength="5000"></textarea></fieldset>
<button type="submit">${esc(tx.send)}</button>
</form>`);
}

const message = (locale: string, text: string) => page(locale, `<h1>${esc(textsFor(locale).title)}</h1><p>${esc(text)}</p>`);

// The page holds a credential in its URL: keep it out of caches and referrers.
const noStore = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' };

export const SatisfactionLinkIn = z.strictObject({
  saleId: Uuid.nullish().openapi({ description: 'The sale to ask about; the client is its contact' }),
  contactId: Uuid.nullish(),
  send: z.boolean().optional().openapi({ description: 'Email the link to the client (default true; needs SMTP and a client email)' }),
}).openapi('SatisfactionLinkInput');

export const SatisfactionLinkOut = z.object({
  id: Uuid,
  url: z.string().openapi({ description: 'The public page; share it by any channel (shown once, only its hash is stored)' }),
  expiresAt: TimestampOut,
  emailedTo: z.string().nullable().openapi({ description: 'Where it was emailed, or null when it was not' }),
}).openapi('SatisfactionLink');

/** Sends the link; a failure leaves the link usable (the seller can share the URL another way). */
async function emailLink(deps: Deps, link: SatisfactionLink, url: string): Promise<string | null> {
  if (!link.email || !isEmailEnabled(deps.config.smtp)) return null;
  const tx = textsFor(link.locale);
  const text = tx.mail(link.contactName, link.workspaceName, url);
  try {
    await mailerFor(deps.config.smtp).send({
      to: link.email, subject: tx.subject(link.workspaceName), text,
      html: `<p>${esc(text).replace(/\n\n/g, '</p><p>').replace(esc(url), `<a href="${esc(url)}">${esc(url)}</a>`)}</p>`,
    });
  } catch (e) {
    console.error('satisfaction link email failed', (e as Error).message);
    return null;
  }
  return link.email;
}

/** Authenticated: create (and email) a link. Mounted in protectedRouters. */
export function satisfactionLinkRoutes(deps: Deps) {
  const r = newRouter();
  r.openapi(createRoute({
    method: 'post', path: '/satisfaction-links', tags: ['feedback'],
    summary: 'Create a single-use satisfaction link for a sale (emailed to the client when possible)',
    request: { body: { content: { 'application/json': { schema: SatisfactionLinkIn } }, required: true } },
    responses: { 201: { description: 'Created', content: { 'application/json': { schema: SatisfactionLinkOut } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { send, ...refs } = c.req.valid('json');
    const token = randomToken(32);
    const now = deps.now();
    const link = await write(deps.database, (tx) => createSatisfactionRequestInTx(tx, actor, refs, sha256(token), now, satisfactionLinkExpiry(now)));
    const url = `${baseUrlOf(c, deps)}${PUBLIC_PATH}/${token}`;
    const emailedTo = send === false ? null : await emailLink(deps, link, url);
    if (emailedTo) await markSatisfactionEmailed(deps.database, actor.workspaceId, link.id, deps.now());
    return c.json({ id: link.id, url, expiresAt: link.expiresAt.toISOString(), emailedTo }, 201);
  });
  return r;
}

/** Public: the client's page. Mounted outside /api/v1 authentication; the token in the URL is the credential. */
export function satisfactionPageRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();
  // Outside /api, so the API's body limit does not apply; a filled-in form is a few kilobytes.
  r.use(`${PUBLIC_PATH}/*`, bodyLimit({ maxSize: 32 * 1024, onError: (c) => c.text('Payload too large', 413) }));
  const lookup = async (token: string) => (tokenRe.test(token) ? findSatisfactionRequest(deps.database, sha256(token)) : null);

  r.get(`${PUBLIC_PATH}/:token`, async (c) => {
    const req = await lookup(c.req.param('token'));
    if (!req) return c.html(message('es', texts.es.missing), 404, noStore);
    const state = satisfactionLinkState(req, deps.now());
    if (state === 'answered') return c.html(message(req.locale, textsFor(req.locale).answered), 410, noStore);
    if (state === 'expired') return c.html(message(req.locale, textsFor(req.locale).expired), 410, noStore);
    return c.html(formPage(req), 200, noStore);
  });

  r.post(`${PUBLIC_PATH}/:token`, async (c) => {
    const token = c.req.param('token');
    const req = await lookup(token);
    if (!req) return c.html(message('es', texts.es.missing), 404, noStore);
    const tx = textsFor(req.locale);
    const form = await c.req.parseBody();
    const str = (k: string) => (typeof form[k] === 'string' ? form[k] : undefined);
    try {
      const answers = parseFormAnswers({ nps: str('nps'), satisfaction: str('satisfaction'), comment: str('comment') });
      await write(deps.database, (t) => answerSatisfactionRequestInTx(t, sha256(token), answers, deps.now()));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      if (e.code === 'validation') return c.html(formPage(req, tx.invalid), 422, noStore);
      const reason = e.extra['reason'];
      return c.html(message(req.locale, reason === 'expired' ? tx.expired : tx.answered), 410, noStore);
    }
    return c.html(message(req.locale, tx.thanks), 200, noStore);
  });
  return r;
}
