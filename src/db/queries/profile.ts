import { sql } from 'drizzle-orm';
import type { Actor } from '../../domain/access.js';
import {
  ageAt, canSeeSensitive, deriveLifecycle, effectiveLifecycle, profileSettingsOf, replyStats, REPLY_WINDOW_DAYS,
  type EmailFact, type Lifecycle, type LifecycleFacts, type ProfileSettings, type ReplyStats,
} from '../../domain/profile.js';
import type { Db } from '../client.js';
import { findRow, updateRow } from '../repository.js';
import { contact } from '../schema.js';

// The client profile's storage side (docs/profile.md): the facts the lifecycle is derived from,
// the computed purchase and reply figures of one contact, and who may see sensitive fields.

// tx.execute answers { rows } on both drivers; raw rows carry timestamps as text.
const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;
const asDate = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v)));
const asJson = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) as T : v as T);

export type ProfileAccess = {
  timeZone: string;
  settings: ProfileSettings;
  /** Keys of the contact custom fields flagged sensitive. */
  sensitiveCustomKeys: string[];
  /** Whether the actor's role sees sensitive fields (workspace setting `profile.sensitiveRoles`). */
  canSeeSensitive: boolean;
};

/** The workspace's profile settings and sensitive custom fields, as they apply to this actor; one query. */
export async function profileAccess(db: Db, actor: Actor): Promise<ProfileAccess> {
  const [row] = rowsOf<{ timeZone: string; settings: unknown; keys: unknown }>(await db.execute(sql`
    SELECT w.time_zone AS "timeZone", w.settings,
           coalesce((SELECT json_agg(f.key ORDER BY f.key) FROM custom_field f
                      WHERE f.workspace_id = w.id AND f.entity = 'contact' AND f.is_sensitive), '[]') AS keys
      FROM workspace w WHERE w.id = ${actor.workspaceId}`));
  const settings = profileSettingsOf(asJson<Record<string, unknown>>(row?.settings ?? {}));
  return {
    timeZone: row?.timeZone ?? 'UTC',
    settings,
    sensitiveCustomKeys: asJson<string[]>(row?.keys ?? []),
    canSeeSensitive: canSeeSensitive(actor.role, settings.sensitiveRoles),
  };
}

// The facts of deriveLifecycle for each contact, plus what is stored now; `lock` takes the rows for update.
const factsSql = (workspaceId: string, ids: string[], lock: boolean) => sql`
  SELECT c.id, c.lifecycle, c.lifecycle_override AS "override", w.settings,
         (SELECT count(*)::int FROM sale s WHERE s.workspace_id = c.workspace_id AND s.contact_id = c.id) AS purchases,
         (SELECT max(s.sold_at) FROM sale s WHERE s.workspace_id = c.workspace_id AND s.contact_id = c.id) AS "lastPurchaseAt",
         (SELECT max(l.probability) FROM lead l
           WHERE l.workspace_id = c.workspace_id AND l.contact_id = c.id AND l.status = 'open') AS "maxProbability",
         EXISTS (SELECT 1 FROM lead l JOIN stage st ON st.workspace_id = l.workspace_id AND st.id = l.stage_id
                  WHERE l.workspace_id = c.workspace_id AND l.contact_id = c.id AND l.status = 'open'
                    AND st.position > (SELECT min(f.position) FROM stage f
                                        WHERE f.workspace_id = l.workspace_id AND f.pipeline_id = l.pipeline_id AND f.kind = 'open')) AS "pastFirstStage"
    FROM contact c JOIN workspace w ON w.id = c.workspace_id
   WHERE c.workspace_id = ${workspaceId} AND c.id IN (${sql.join(ids.map((id) => sql`${id}::uuid`), sql`, `)})
   ${lock ? sql`FOR UPDATE OF c` : sql``}`;

type FactsRow = { id: string; lifecycle: Lifecycle; override: Lifecycle | null; settings: unknown; purchases: number; lastPurchaseAt: unknown; maxProbability: number | null; pastFirstStage: boolean };

const factsOf = (r: FactsRow): LifecycleFacts => ({
  purchases: Number(r.purchases),
  lastPurchaseAt: asDate(r.lastPurchaseAt),
  hasOpenLeadPastFirstStage: r.pastFirstStage === true,
  maxOpenLeadProbability: r.maxProbability === null ? null : Number(r.maxProbability),
});

/**
 * Brings the stored lifecycle of these contacts in line with the domain rule (deriveLifecycle, or
 * the override set by hand), inside the caller's transaction, so the change commits with the sale
 * or lead write that caused it. Each change is a versioned, audited update (action `lifecycle`).
 * Returns how many contacts changed.
 */
export async function refreshLifecycle(tx: Db, actor: Actor, contactIds: readonly (string | null | undefined)[], now: Date): Promise<number> {
  const ids = [...new Set(contactIds.filter((x): x is string => typeof x === 'string'))];
  if (!ids.length) return 0;
  let changed = 0;
  for (const r of rowsOf<FactsRow>(await tx.execute(factsSql(actor.workspaceId, ids, true)))) {
    const settings = profileSettingsOf(asJson<Record<string, unknown>>(r.settings));
    const next = effectiveLifecycle(deriveLifecycle(factsOf(r), now, settings), r.override);
    if (next === r.lifecycle) continue;
    const before = await findRow(tx, contact, actor.workspaceId, r.id, 'contact', true);
    await updateRow(tx, contact, actor, 'contact', before, { lifecycle: next }, undefined, 'lifecycle');
    changed += 1;
  }
  return changed;
}

/** The lifecycle the data gives a contact (ignoring any override), for a write that sets or clears the override. */
export async function derivedLifecycle(tx: Db, workspaceId: string, contactId: string, now: Date): Promise<Lifecycle> {
  const [r] = rowsOf<FactsRow>(await tx.execute(factsSql(workspaceId, [contactId], false)));
  if (!r) return 'prospect';
  return deriveLifecycle(factsOf(r), now, profileSettingsOf(asJson<Record<string, unknown>>(r.settings)));
}

/**
 * Contacts whose lifecycle may have changed with time alone: clients whose last purchase is now older
 * than the cutoff, and former clients with a purchase after it (the setting was lengthened). The
 * domain rule decides; this only narrows the candidates. Keyset by id, `limit` at a time.
 */
export async function lifecycleCandidates(tx: Db, workspaceId: string, cutoff: Date, afterId: string | null, limit: number): Promise<string[]> {
  const rows = rowsOf<{ id: string }>(await tx.execute(sql`
    SELECT c.id FROM contact c
     WHERE c.workspace_id = ${workspaceId} AND c.lifecycle IN ('client', 'former') AND c.lifecycle_override IS NULL
       ${afterId ? sql`AND c.id > ${afterId}::uuid` : sql``}
       AND (c.lifecycle = 'client') = NOT EXISTS (SELECT 1 FROM sale s WHERE s.workspace_id = c.workspace_id AND s.contact_id = c.id AND s.sold_at >= ${cutoff.toISOString()}::timestamptz)
     ORDER BY c.id LIMIT ${limit}`));
  return rows.map((r) => r.id);
}

export type ProductPurchase = { productId: string | null; name: string | null; purchases: number; quantity: number; total: number };
export type ContactProfile = {
  age: number | null;
  lifecycleDerived: Lifecycle;
  purchases: { count: number; totals: { currency: string; amount: number }[]; firstPurchaseAt: Date | null; lastPurchaseAt: Date | null; products: ProductPurchase[] };
  emailReplies: ReplyStats & { windowDays: number };
};

/** Emails older than this do not count toward the reply rate: it describes how the contact answers now. */
export const REPLY_LOOKBACK_DAYS = 365;

/**
 * The computed, read-only part of one contact's profile, in one statement: purchases (count, totals
 * per currency, first and last, and by product from the sale lines), the logged emails of the last
 * year for the reply rate, and the lifecycle facts. For the single-contact read only, never for lists.
 */
export async function contactProfile(db: Db, workspaceId: string, contactId: string, birthDate: string | null | undefined, timeZone: string, now: Date): Promise<ContactProfile> {
  const since = new Date(now.getTime() - REPLY_LOOKBACK_DAYS * 86_400_000);
  const [r] = rowsOf<FactsRow & { totals: unknown; firstPurchaseAt: unknown; products: unknown; emails: unknown }>(await db.execute(sql`
    WITH facts AS (${factsSql(workspaceId, [contactId], false)})
    SELECT facts.*,
      (SELECT min(s.sold_at) FROM sale s WHERE s.workspace_id = ${workspaceId} AND s.contact_id = ${contactId}::uuid) AS "firstPurchaseAt",
      (SELECT coalesce(json_agg(json_build_object('currency', t.currency, 'amount', t.amount) ORDER BY t.amount DESC), '[]')
         FROM (SELECT s.currency, sum(s.total)::float8 AS amount FROM sale s
                WHERE s.workspace_id = ${workspaceId} AND s.contact_id = ${contactId}::uuid GROUP BY s.currency) t) AS totals,
      (SELECT coalesce(json_agg(json_build_object('productId', p.product_id, 'name', p.name, 'purchases', p.purchases, 'quantity', p.quantity, 'total', p.total)
                                ORDER BY p.total DESC, p.name), '[]')
         FROM (SELECT l.product_id, coalesce(pr.name, min(l.description)) AS name, count(DISTINCT s.id)::int AS purchases,
                      sum(l.quantity)::float8 AS quantity, sum(l.line_total)::float8 AS total
                 FROM sale s
                 JOIN sale_line l ON l.workspace_id = s.workspace_id AND l.sale_id = s.id
                 LEFT JOIN product pr ON pr.workspace_id = l.workspace_id AND pr.id = l.product_id
                WHERE s.workspace_id = ${workspaceId} AND s.contact_id = ${contactId}::uuid
                GROUP BY l.product_id, pr.name) p) AS products,
      (SELECT coalesce(json_agg(json_build_object('direction', a.direction, 'at', coalesce(a.occurred_at, a.done_at))), '[]')
         FROM activity a
        WHERE a.workspace_id = ${workspaceId} AND a.contact_id = ${contactId}::uuid AND a.type = 'email' AND a.direction IS NOT NULL
          AND coalesce(a.occurred_at, a.done_at) >= ${since.toISOString()}::timestamptz
          AND coalesce(a.occurred_at, a.done_at) <= ${now.toISOString()}::timestamptz) AS emails
    FROM facts`));
  const settings = profileSettingsOf(asJson<Record<string, unknown>>(r?.settings ?? {}));
  const emails = asJson<{ direction: EmailFact['direction']; at: string }[]>(r?.emails ?? []).map((e) => ({ direction: e.direction, at: new Date(e.at) }));
  const facts = r ? factsOf(r) : { purchases: 0, lastPurchaseAt: null, hasOpenLeadPastFirstStage: false, maxOpenLeadProbability: null };
  return {
    age: ageAt(birthDate, now, timeZone),
    lifecycleDerived: deriveLifecycle(facts, now, settings),
    purchases: {
      count: facts.purchases,
      totals: asJson<{ currency: string; amount: number }[]>(r?.totals ?? []).map((t) => ({ currency: t.currency.trim(), amount: Number(t.amount) })),
      firstPurchaseAt: asDate(r?.firstPurchaseAt),
      lastPurchaseAt: facts.lastPurchaseAt,
      products: asJson<ProductPurchase[]>(r?.products ?? []).map((p) => ({ ...p, purchases: Number(p.purchases), quantity: Number(p.quantity), total: Number(p.total) })),
    },
    emailReplies: { ...replyStats(emails, now), windowDays: REPLY_WINDOW_DAYS },
  };
}
