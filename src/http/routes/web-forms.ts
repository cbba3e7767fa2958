import { createHash, createHmac, randomBytes } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { createRoute, z } from '@hono/zod-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { assertManagerOrAdmin } from '../../domain/access.js';
import { AppError, invalid, type FieldError } from '../../domain/errors.js';
import {
  extractUtm, HONEYPOT_FIELD, isHoneypotFilled, isSafeRedirectUrl, maxLengthOf, pageLocale, parseSubmission, rateLimitDecision, rateWindowStart,
  RATE_LIMIT, utmKeys, validateAssignment, validateFieldSet, webFormFieldKeys, type AssignmentRule, type WebFormField, type WebFormFieldKey,
} from '../../domain/web-form.js';
import { buildListQuery, runList } from '../../db/list.js';
import { findRow, write } from '../../db/repository.js';
import { leadForm, leadFormAssignments } from '../../db/schema.js';
import {
  assertFormReferences, captureSubmissionInTx, countFormHit, findPublicForm, formSubmissionList, leadFormList, recordSpamSubmission,
  type PublicForm, type SubmissionMeta,
} from '../../db/queries/web-forms.js';
import { newRouter, type AppEnv, type Deps } from '../context.js';
import { respondProblem } from '../problem.js';
import { resourceRoutes, type ResourceSpec } from '../resource.js';
import { IdParam, pageOf, problemResponses, recordMeta, TimestampOut, Uuid } from '../schemas.js';

type AnyRow = Record<string, unknown>;

// ───────────────────────── Admin API (/api/v1/web-forms, admins and managers) ─────────────────────────

const FieldIn = z.strictObject({
  key: z.enum(webFormFieldKeys),
  label: z.string().trim().min(1).max(200),
  required: z.boolean(),
}).openapi('WebFormField');

const formFields = {
  name: z.string().trim().min(1).max(200),
  intro: z.string().trim().max(2000).nullish().openapi({ description: 'Text shown above the fields' }),
  fields: z.array(FieldIn).min(1).max(webFormFieldKeys.length).openapi({ description: 'Asked in this order; firstName and an email or phone are required' }),
  sourceId: Uuid.nullish().openapi({ description: 'Source preset on every lead' }),
  campaignId: Uuid.nullish().openapi({ description: 'Campaign preset on every lead' }),
  productId: Uuid.nullish().openapi({ description: 'Product (service of interest) preset on every lead' }),
  assignment: z.enum(leadFormAssignments).openapi({ description: 'fixed: every lead to ownerId; round_robin: in turns over assigneeIds' }),
  ownerId: Uuid.nullish(),
  assigneeIds: z.array(Uuid).max(50).optional(),
  locale: z.enum(['es', 'en']).nullish().openapi({ description: 'Language of the page; none follows the visitor\'s browser' }),
  thankYouMessage: z.string().trim().max(2000).nullish(),
  redirectUrl: z.string().trim().max(2000).refine(isSafeRedirectUrl, 'An absolute http(s) URL.').nullish()
    .openapi({ description: 'Where the visitor goes after a good submission, instead of the thank-you message' }),
  isActive: z.boolean().optional(),
};
export const WebFormIn = z.strictObject(formFields).openapi('WebFormInput');
export const WebFormPatch = z.strictObject({
  ...Object.fromEntries(Object.entries(formFields).map(([k, v]) => [k, (v as z.ZodType).optional()])) as { [K in keyof typeof formFields]: z.ZodOptional<(typeof formFields)[K]> },
  version: z.number().int().optional(),
}).openapi('WebFormPatch');
export const WebFormOut = z.object({
  ...recordMeta,
  publicId: z.string().openapi({ description: 'The only part of the public URL: /f/{publicId}' }),
  name: z.string(), intro: z.string().nullable(),
  fields: z.array(z.object({ key: z.enum(webFormFieldKeys), label: z.string(), required: z.boolean() })),
  sourceId: Uuid.nullable(), campaignId: Uuid.nullable(), productId: Uuid.nullable(),
  assignment: z.enum(leadFormAssignments), ownerId: Uuid.nullable(), assigneeIds: z.array(Uuid),
  locale: z.enum(['es', 'en']).nullable(), thankYouMessage: z.string().nullable(), redirectUrl: z.string().nullable(),
  isActive: z.boolean(), createdBy: Uuid.nullable(),
}).openapi('WebForm');
export const FormSubmissionOut = z.object({
  id: Uuid, formId: Uuid, fieldValues: z.record(z.string(), z.string()),
  utmSource: z.string().nullable(), utmMedium: z.string().nullable(), utmCampaign: z.string().nullable(),
  utmTerm: z.string().nullable(), utmContent: z.string().nullable(), referrer: z.string().nullable(),
  isSpam: z.boolean(), contactId: Uuid.nullable(), leadId: Uuid.nullable(), createdAt: TimestampOut,
}).openapi('FormSubmission');

function assertFormRules(form: AnyRow): void {
  const errors: FieldError[] = [
    ...validateFieldSet((form['fields'] as WebFormField[] | undefined) ?? []),
    ...validateAssignment(form['assignment'] === 'round_robin'
      ? { assignment: 'round_robin', assigneeIds: (form['assigneeIds'] as string[] | undefined) ?? [] }
      : { assignment: 'fixed', ownerId: (form['ownerId'] as string | null | undefined) ?? null } satisfies AssignmentRule),
  ];
  if (errors.length) throw invalid(errors, 'The web form is not valid.');
}

// The cursor is operational state (whose turn it is), not part of the form's definition.
const presentForm = ({ roundRobinCursor: _cursor, ...row }: AnyRow) => row;

export function webFormRoutes(deps: Deps) {
  const spec: ResourceSpec = {
    entity: 'leadForm', path: '/web-forms', tag: 'web-forms', table: leadForm, list: leadFormList,
    out: WebFormOut, createIn: WebFormIn, updateIn: WebFormPatch, present: presentForm,
    canWrite: (actor) => assertManagerOrAdmin(actor, 'Only a manager or an admin can manage web forms.'),
    beforeCreate: async ({ tx, actor }, input) => {
      assertFormRules(input);
      await assertFormReferences(tx, actor.workspaceId, input);
      // 128 random bits: the public URL cannot be guessed from another form's.
      return { ...input, assigneeIds: input['assigneeIds'] ?? [], publicId: randomBytes(16).toString('base64url'), createdBy: actor.userId };
    },
    beforeUpdate: async ({ tx, actor }, before, patch) => {
      assertFormRules({ ...before, ...patch });
      await assertFormReferences(tx, actor.workspaceId, patch);
      return patch;
    },
  };
  const r = newRouter();
  // Forms decide who receives leads: reading them is for the people who may change them.
  const guard = async (c: Context<AppEnv>, next: () => Promise<void>) => {
    assertManagerOrAdmin(c.get('actor'), 'Only a manager or an admin can manage web forms.');
    await next();
  };
  r.use('/web-forms', guard);
  r.use('/web-forms/*', guard);
  r.route('/', resourceRoutes(deps, spec));

  r.openapi(createRoute({
    method: 'get', path: '/web-forms/{id}/submissions', tags: ['web-forms'], summary: 'The submissions log of a form, newest first (spam included, flagged)',
    request: {
      params: IdParam,
      query: z.strictObject({
        isSpam: z.enum(['true', 'false']).optional(),
        limit: z.string().optional().openapi({ description: 'Page size, 1–500 (default 50)' }),
        cursor: z.string().optional().openapi({ description: 'nextCursor of the previous page' }),
      }),
    },
    responses: { 200: { description: 'A page', content: { 'application/json': { schema: pageOf(FormSubmissionOut) } } }, ...problemResponses },
  }), async (c) => {
    const actor = c.get('actor');
    const { id } = c.req.valid('param');
    await findRow(deps.database.db, leadForm, actor.workspaceId, id, 'leadForm');
    const page = await runList(deps.database, buildListQuery(formSubmissionList, actor, { ...c.req.valid('query'), formId: id }));
    return c.json({ data: page.data.map(({ ipHash: _ip, workspaceId: _ws, ...s }) => s), nextCursor: page.nextCursor } as never, 200);
  });
  return r;
}

// ───────────────────────── Public side (hosted page and submissions endpoint) ─────────────────────────

const publicIdRe = /^[A-Za-z0-9_-]{22}$/;
const SUBMIT_PATH = (publicId: string) => `/api/public/forms/${publicId}/submissions`;

const texts = {
  es: {
    send: 'Enviar', optional: '(opcional)', thanks: '¡Gracias! Hemos recibido tus datos y te contactaremos pronto.',
    missing: 'Este formulario no existe o ya no está disponible.', fix: 'Revisa los campos marcados.',
    tooMany: (s: number) => `Has enviado demasiadas veces seguidas. Vuelve a intentarlo dentro de ${s} segundos.`,
    honeypot: 'No rellenes este campo', reasons: {
      required: 'Este campo es obligatorio.', too_long: 'El texto es demasiado largo.', invalid_email: 'El correo electrónico no es válido.',
      invalid_phone: 'El teléfono no es válido.', invalid_postal_code: 'El código postal no es válido.',
    } as Record<string, string>,
    other: 'Este dato no es válido.',
    fieldNames: {
      firstName: 'Nombre', lastName: 'Apellidos', secondLastName: 'Segundo apellido', email: 'Correo electrónico', phone: 'Teléfono',
      jobTitle: 'Cargo', postalCode: 'Código postal', city: 'Ciudad', message: 'Mensaje',
    } as Record<string, string>,
  },
  en: {
    send: 'Send', optional: '(optional)', thanks: 'Thank you! We have received your details and will contact you soon.',
    missing: 'This form does not exist or is no longer available.', fix: 'Please check the marked fields.',
    tooMany: (s: number) => `You have sent this too many times in a row. Try again in ${s} seconds.`,
    honeypot: 'Do not fill in this field', reasons: {
      required: 'This field is required.', too_long: 'The text is too long.', invalid_email: 'The email address is not valid.',
      invalid_phone: 'The phone number is not valid.', invalid_postal_code: 'The postal code is not valid.',
    } as Record<string, string>,
    other: 'This value is not valid.',
    fieldNames: {
      firstName: 'First name', lastName: 'Last name', secondLastName: 'Second last name', email: 'Email', phone: 'Phone',
      jobTitle: 'Job title', postalCode: 'Postal code', city: 'City', message: 'Message',
    } as Record<string, string>,
  },
} as const;
type Locale = keyof typeof texts;

const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

// The page's only style; the CSP allows exactly this text by its hash, so no other style or any script runs.
const CSS = `body{font-family:system-ui,sans-serif;max-width:36rem;margin:1.5rem auto;padding:0 1rem;color:#1f2933;line-height:1.4}
label{display:block;font-weight:600;margin:.9rem 0 .3rem}input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.55rem;border:1px solid #9aa5b1;border-radius:.3rem}
textarea{min-height:7rem}input:focus,textarea:focus,button:focus{outline:3px solid #2563eb;outline-offset:2px}
button{margin-top:1.2rem;font:inherit;font-weight:600;padding:.6rem 1.4rem;border:0;border-radius:.3rem;background:#1d4ed8;color:#fff;cursor:pointer}
.error{color:#b42318;margin:.25rem 0 0}.hint{font-weight:400;color:#52606d}[aria-invalid=true]{border-color:#b42318}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}`;
const CSS_HASH = `'sha256-${createHash('sha256').update(CSS).digest('base64')}'`;

/** A strict policy: nothing loads, no script runs, only this page's style; it may be framed anywhere (the embed). */
function cspFor(formActionOrigin: string | null): string {
  const formAction = ["'self'", ...(formActionOrigin ? [formActionOrigin] : [])].join(' ');
  return `default-src 'none'; style-src ${CSS_HASH}; form-action ${formAction}; frame-ancestors *; base-uri 'none'`;
}

function page(c: Context, locale: Locale, title: string, body: string, status: 200 | 404 | 422 | 429, form?: PublicForm) {
  const redirectOrigin = form?.redirectUrl && isSafeRedirectUrl(form.redirectUrl) ? new URL(form.redirectUrl).origin : null;
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${esc(title)}</title><style>${CSS}</style></head>
<body><main>${body}</main></body></html>`;
  return c.html(html, status, {
    'content-security-policy': cspFor(redirectOrigin),
    'cache-control': 'no-store',
    'referrer-policy': 'strict-origin-when-cross-origin',
  });
}

const inputAttrs: Record<WebFormFieldKey, string> = {
  firstName: 'type="text" autocomplete="given-name"', lastName: 'type="text" autocomplete="family-name"',
  secondLastName: 'type="text" autocomplete="additional-name"', email: 'type="email" autocomplete="email" inputmode="email"',
  phone: 'type="tel" autocomplete="tel" inputmode="tel"', jobTitle: 'type="text" autocomplete="organization-title"',
  postalCode: 'type="text" autocomplete="postal-code"', city: 'type="text" autocomplete="address-level2"', message: '',
};

type FormState = { values: Record<string, string>; errors: FieldError[]; hidden: Record<string, string> };

function formPage(c: Context, form: PublicForm, locale: Locale, state: FormState, status: 200 | 422) {
  const tx = texts[locale];
  const errorOf = (key: string) => state.errors.find((e) => e.field === key);
  const reason = (e: FieldError) => tx.reasons[e.code] ?? tx.other;
  const asked = new Set(form.fields.map((f) => f.key as string));
  // Problems with fields the form does not ask (a capture-policy rule the admin set) are shown on top.
  const general = state.errors.filter((e) => !asked.has(e.field));
  const rows = form.fields.map((f) => {
    const id = `f-${f.key}`;
    const err = errorOf(f.key);
    const v = state.values[f.key] ?? '';
    const aria = `${f.required ? ' required aria-required="true"' : ''}${err ? ` aria-invalid="true" aria-describedby="${id}-error"` : ''}`;
    const control = f.key === 'message'
      ? `<textarea id="${id}" name="${f.key}" maxlength="${maxLengthOf(f.key)}"${aria}>${esc(v)}</textarea>`
      : `<input id="${id}" name="${f.key}" ${inputAttrs[f.key]} maxlength="${maxLengthOf(f.key)}" value="${esc(v)}"${aria}>`;
    return `<label for="${id}">${esc(f.label)}${f.required ? '' : ` <span class="hint">${esc(tx.optional)}</span>`}</label>${control}${err ? `<p class="error" id="${id}-error">${esc(reason(err))}</p>` : ''}`;
  }).join('\n');
  const hidden = Object.entries(state.hidden).map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  const body = `<h1>${esc(form.name)}</h1>${form.intro ? `<p>${esc(form.intro)}</p>` : ''}
${state.errors.length ? `<div role="alert"><p class="error">${esc(tx.fix)}</p>${general.map((e) => `<p class="error">${esc(tx.fieldNames[e.field] ?? e.field)}: ${esc(reason(e))}</p>`).join('')}</div>` : ''}
<form method="post" action="${esc(SUBMIT_PATH(form.publicId))}" accept-charset="utf-8">
${rows}
<div class="hp" aria-hidden="true"><label for="f-${HONEYPOT_FIELD}">${esc(tx.honeypot)}</label><input id="f-${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" type="text" tabindex="-1" autocomplete="off"></div>
${hidden}
<button type="submit">${esc(tx.send)}</button>
</form>`;
  return page(c, locale, form.name, body, status, form);
}

const messagePage = (c: Context, locale: Locale, title: string, text: string, status: 200 | 404 | 429, form?: PublicForm) =>
  page(c, locale, title, `<h1>${esc(title)}</h1><p role="status">${esc(text)}</p>`, status, form);

// Hops a proxy chain in front of the app usually has: loopback, private, link-local and CGNAT ranges.
const proxyRanges = new BlockList();
for (const [net, bits] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16], ['100.64.0.0', 10]] as const) {
  proxyRanges.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) proxyRanges.addSubnet(net, bits, 'ipv6');

/** One X-Forwarded-For entry as a bare address: no brackets or port, IPv4-mapped IPv6 as IPv4. */
function bareAddress(hop: string): string {
  let a = hop.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed) a = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.indexOf(':'));
  const mapped = /^::ffff:([\d.]+)$/i.exec(a);
  return mapped ? mapped[1]! : a;
}

const isProxyHop = (a: string) => {
  const family = isIP(a);
  return family !== 0 && proxyRanges.check(a, family === 4 ? 'ipv4' : 'ipv6');
};

/**
 * The address a web-form submission is rate-limited by. Anyone can send X-Forwarded-For, so it is
 * read only with TRUST_PROXY on, and then from the right: each proxy appends the address it saw, so
 * the right-most hop that is not one of the proxies is the client (left of it the client may have
 * written anything). When every hop is private (a LAN), the left-most one is the client.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  let socket = 'unknown';
  try {
    socket = getConnInfo(c).remote.address ?? 'unknown';
  } catch { /* not served by node:http (tests without a socket) */ }
  if (!trustProxy) return socket;
  const hops = (c.req.header('x-forwarded-for') ?? '').split(',').map(bareAddress).filter((h) => h !== '');
  for (let i = hops.length - 1; i >= 0; i--) if (!isProxyHop(hops[i]!)) return hops[i]!;
  return hops[0] ?? socket;
}

const localeOf = (c: Context, form: PublicForm | null): Locale =>
  pageLocale(form?.locale ?? null, c.req.header('accept-language'), form?.workspaceLocale === 'en' ? 'en' : 'es');

/** Plain strings only: a JSON caller's numbers become text, anything nested is dropped. */
function flatStrings(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!body || typeof body !== 'object' || Array.isArray(body)) return out;
  for (const [k, v] of Object.entries(body as AnyRow)) {
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}

/** Public, without a session: mounted in src/http/app.ts next to the other public routes. */
export function webFormPublicRoutes(deps: Deps) {
  const r = new Hono<AppEnv>();

  r.get('/f/:publicId', async (c) => {
    const publicId = c.req.param('publicId');
    const form = publicIdRe.test(publicId) ? await findPublicForm(deps.database, publicId) : null;
    const locale = localeOf(c, form);
    if (!form) return messagePage(c, locale, '404', texts[locale].missing, 404);
    // UTM parameters of the link and the page that linked here travel with the submission.
    const hidden: Record<string, string> = {};
    for (const k of utmKeys) {
      const v = c.req.query(k);
      if (v) hidden[k] = v.slice(0, 200);
    }
    const referrer = c.req.query('referrer') ?? c.req.header('referer');
    if (referrer) hidden['referrer'] = referrer.slice(0, 2000);
    return formPage(c, form, locale, { values: {}, errors: [], hidden }, 200);
  });

  const submit = `/api/public/forms/:publicId/submissions`;
  // Any site may post here (the embed, or its own form through fetch); no cookie is ever read.
  r.use(submit, cors({ origin: '*', allowMethods: ['POST', 'OPTIONS'], allowHeaders: ['Content-Type'], maxAge: 600 }));
  r.use(submit, bodyLimit({ maxSize: 32 * 1024, onError: (c) => respondProblem(c, new AppError('payload_too_large', 'A form submission is at most 32 KB.')) }));

  r.post(submit, async (c) => {
    const type = c.req.header('content-type') ?? '';
    const isJson = type.includes('application/json');
    // A browser posting the hosted form gets pages back; scripts get JSON and problem+json.
    const asHtml = !isJson && (c.req.header('accept') ?? '').includes('text/html');
    const raw = isJson ? flatStrings(await c.req.json().catch(() => { throw new AppError('validation', 'The body is not valid JSON.'); })) : flatStrings(await c.req.parseBody());

    const publicId = c.req.param('publicId');
    const form = publicIdRe.test(publicId) ? await findPublicForm(deps.database, publicId) : null;
    const locale = localeOf(c, form);
    const tx = texts[locale];
    if (!form) {
      if (asHtml) return messagePage(c, locale, '404', tx.missing, 404);
      throw new AppError('not_found', 'No such web form, or it is not active.');
    }

    const now = deps.now();
    // Keyed by the secret so the stored hash cannot be reversed by trying every IPv4 address.
    const ipHash = createHmac('sha256', deps.secret).update(clientAddress(c, deps.config.trustProxy)).digest('base64url').slice(0, 32);
    const hits = await countFormHit(deps.database, form, ipHash, rateWindowStart(now), RATE_LIMIT.windowSeconds);
    const decision = rateLimitDecision(hits, now);
    if (!decision.allowed) {
      c.header('Retry-After', String(decision.retryAfterSeconds));
      if (asHtml) return messagePage(c, locale, form.name, tx.tooMany(decision.retryAfterSeconds), 429, form);
      throw new AppError('rate_limited', `Too many submissions from this address; retry in ${decision.retryAfterSeconds} s.`, [], { retryAfter: decision.retryAfterSeconds });
    }

    const referrer = raw['referrer'] ?? c.req.header('referer') ?? null;
    const meta: SubmissionMeta = { utm: extractUtm(raw, raw['pageUrl'], referrer), referrer, ipHash };
    const thanks = form.thankYouMessage || tx.thanks;
    const accepted = () => {
      if (form.redirectUrl && isSafeRedirectUrl(form.redirectUrl)) {
        return asHtml ? c.redirect(form.redirectUrl, 303) : c.json({ received: true, message: thanks, redirectUrl: form.redirectUrl }, 201);
      }
      return asHtml ? messagePage(c, locale, form.name, thanks, 200, form) : c.json({ received: true, message: thanks, redirectUrl: null }, 201);
    };

    // A bot that filled the honeypot is answered exactly like a person, so it learns nothing.
    if (isHoneypotFilled(raw)) {
      await recordSpamSubmission(deps.database, form, raw, meta);
      return accepted();
    }

    const hidden: Record<string, string> = {};
    for (const k of [...utmKeys, 'referrer'] as const) if (raw[k]) hidden[k] = raw[k];
    const parsed = parseSubmission(form.fields, raw);
    const refuse = (errors: FieldError[]) => {
      if (asHtml) return formPage(c, form, locale, { values: raw, errors, hidden }, 422);
      return respondProblem(c, invalid(errors, 'Some fields are missing or not valid.'));
    };
    if (parsed.errors.length) return refuse(parsed.errors);
    try {
      await write(deps.database, (t) => captureSubmissionInTx(t, form, parsed.values, meta, now));
    } catch (e) {
      if (e instanceof AppError && e.code === 'validation') return refuse(e.fields);
      throw e;
    }
    return accepted();
  });
  return r;
}
