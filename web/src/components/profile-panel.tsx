import type { ReactNode } from 'react';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import type { InlineKind } from '../lib/lead-fields.js';
import { bestTimesToContact, contactPreferences, lifecycles, maritalStatuses, type ContactRecord } from '../lib/records.js';

type FieldFn = (f: string, label: string, kind: InlineKind, extra?: { children?: ReactNode; stored?: unknown }) => ReactNode;

const lifecycleKey = (l: string) => `contact.lifecycle.${l}` as MessageKey;

/** "Barrio, Ciudad (Provincia), ES" from whichever parts the contact has. */
export function locationLine(c: Pick<ContactRecord, 'neighbourhood' | 'city' | 'region' | 'country'>): string {
  const place = [c.neighbourhood, c.city].filter(Boolean).join(', ');
  const region = c.region && c.region !== c.city ? c.region : null;
  return [place + (region ? (place ? ` (${region})` : region) : ''), c.country].filter(Boolean).join(', ');
}

/**
 * The "Perfil" panel of the contact page (docs/profile.md): age, location, lifecycle with its
 * override, contact preferences, purchases by product and the email reply rate. Sensitive fields
 * are absent from the record for roles that may not see them, and then not shown at all.
 */
export function ProfilePanel({ contact: c, field }: { contact: ContactRecord; field: FieldFn }) {
  const { t, fmt } = useI18n();
  const seesSensitive = 'birthDate' in c;
  const options = (values: readonly string[], key: (v: string) => MessageKey) => (
    <><option value="">—</option>{values.map((v) => <option key={v} value={v}>{t(key(v))}</option>)}</>
  );
  const location = locationLine(c);
  const purchases = c.purchases;
  const replies = c.emailReplies;
  const decided = replies ? replies.sent - replies.pending : 0;
  const derived = c.lifecycleDerived ?? c.lifecycle;

  return (
    <section className="card profile-panel" aria-labelledby="profile-title">
      <h2 id="profile-title">{t('profile.title')}</h2>
      <dl className="dl">
        {seesSensitive && (
          <><dt>{t('profile.age')}</dt><dd data-testid="profile-age">{c.age != null ? t('profile.ageYears', { age: c.age }) : t('profile.noAge')}</dd></>
        )}
        <><dt>{t('profile.location')}</dt><dd>{location || <span className="muted">{t('profile.noLocation')}</span>}</dd></>
        <>
          <dt>{t('profile.lifecycle')}</dt>
          <dd>
            <span className="badge" data-testid="profile-lifecycle">{t(lifecycleKey(c.lifecycle))}</span>
            {c.lifecycleOverride && <> <span className="badge">{t('profile.lifecycleManual')}</span> <span className="muted small">{t('profile.lifecycleDerived', { value: t(lifecycleKey(derived)) })}</span></>}
          </dd>
        </>
      </dl>

      {field('lifecycle', t('profile.lifecycle'), 'select', {
        stored: c.lifecycleOverride ?? '',
        children: <><option value="">{t('profile.lifecycleAuto', { value: t(lifecycleKey(derived)) })}</option>{lifecycles.map((l) => <option key={l} value={l}>{t(lifecycleKey(l))}</option>)}</>,
      })}
      <p className="muted small">{t('profile.lifecycleHint')}</p>

      <h3 className="subhead">{t('profile.preferences')}</h3>
      {field('contactPreference', t('contact.contactPreference'), 'select', { children: options(contactPreferences, (v) => `contact.preference.${v}` as MessageKey) })}
      {field('bestTimeToContact', t('profile.bestTime'), 'select', { children: options(bestTimesToContact, (v) => `profile.bestTime.${v}` as MessageKey) })}

      {seesSensitive ? (
        <>
          {field('birthDate', t('contact.birthDate'), 'date')}
          {field('maritalStatus', t('contact.maritalStatus'), 'select', { children: options(maritalStatuses, (v) => `contact.marital.${v}` as MessageKey) })}
          {field('occupation', t('profile.occupation'), 'text')}
        </>
      ) : <p className="muted small">{t('profile.sensitiveHidden')}</p>}

      <h3 className="subhead">{t('profile.purchases')}</h3>
      {!purchases || purchases.count === 0 ? <p className="muted">{t('profile.noPurchases')}</p> : (
        <>
          <dl className="dl">
            <><dt>{t('profile.purchases')}</dt><dd data-testid="profile-purchases">{fmt.number(purchases.count)}</dd></>
            <><dt>{t('profile.total')}</dt><dd>{purchases.totals.map((x) => fmt.money(x.amount, x.currency)).join(' + ')}</dd></>
            <><dt>{t('profile.lastPurchase')}</dt><dd>{fmt.date(purchases.lastPurchaseAt)}</dd></>
            <><dt>{t('profile.firstPurchase')}</dt><dd>{fmt.date(purchases.firstPurchaseAt)}</dd></>
          </dl>
          <div className="table-wrap">
            <table className="table profile-products">
              <caption className="visually-hidden">{t('profile.byProduct')}</caption>
              <thead><tr><th scope="col">{t('profile.product')}</th><th scope="col" className="num">{t('profile.times')}</th><th scope="col" className="num">{t('profile.quantity')}</th><th scope="col" className="num">{t('profile.total')}</th></tr></thead>
              <tbody>
                {purchases.products.map((p) => (
                  <tr key={p.productId ?? p.name ?? ''}>
                    <th scope="row">{p.name ?? t('profile.otherProduct')}</th>
                    <td className="num">{fmt.number(p.purchases)}</td><td className="num">{fmt.number(p.quantity)}</td><td className="num">{fmt.money(p.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      <h3 className="subhead">{t('profile.replies')}</h3>
      {!replies || replies.sent === 0 ? <p className="muted">{t('profile.noEmails')}</p> : (
        <p>
          <strong data-testid="profile-reply-rate">{replies.replyRate == null ? '—' : fmt.percent(replies.replyRate * 100)}</strong>{' '}
          <span className="muted">{t('profile.replySummary', { answered: replies.answered, decided, days: replies.windowDays })}</span>
          {replies.pending > 0 && <span className="muted"> · {t('profile.replyPending', { count: replies.pending })}</span>}
        </p>
      )}
    </section>
  );
}
