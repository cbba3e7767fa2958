import { useId, type ReactNode } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useT } from '../i18n/i18n.js';
import { recordsHref } from '../lib/dashboard-data.js';

/** One figure of a card; `link` is the API drill-down link of the records behind it. */
export type Figure = { label: string; value: string; link?: string | null };

/** A number that opens the list of records behind it (plain text when there is no such list). */
export function DrillValue({ value, link, label }: { value: string; link: string | null | undefined; label: string }) {
  const t = useT();
  const href = recordsHref(link);
  if (!href || value === '—') return <>{value}</>;
  return <Link to={href} title={t('dashboard.drill', { label })} aria-label={`${label}: ${value}`}>{value}</Link>;
}

/** A headline card: the main value, a hint, and the figures it is made of, each drilling down. */
export function MetricCard(props: { title: string; value: string; link?: string | null; hint?: ReactNode; figures?: Figure[] }) {
  const id = useId();
  return (
    <section className="dash-card" aria-labelledby={id}>
      <h3 id={id} className="dash-card__title">{props.title}</h3>
      <p className="dash-card__value"><DrillValue value={props.value} link={props.link} label={props.title} /></p>
      {props.hint && <p className="dash-card__hint">{props.hint}</p>}
      {props.figures && props.figures.length > 0 && (
        <dl className="dash-card__figures">
          {props.figures.map((f) => (
            <div key={f.label}>
              <dt>{f.label}</dt>
              <dd><DrillValue value={f.value} link={f.link} label={f.label} /></dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

/** A client of a sale (`contact:<id>` / `company:<id>`, or the ids of a sale) by name, linked to its page. */
export function ClientName({ clientKey }: { clientKey: string | null }) {
  const [kind, id] = (clientKey ?? ':').split(':') as [string, string];
  const path = kind === 'contact' ? `/contacts/${id}` : kind === 'company' ? `/companies/${id}` : null;
  const q = useQuery({
    queryKey: ['dashboard', 'client', clientKey], staleTime: 5 * 60_000, enabled: !!path && !!id,
    queryFn: () => api.get<{ name?: string; firstName?: string; lastName?: string | null }>(path!),
  });
  if (!path || !id) return <>—</>;
  const r = q.data;
  const name = r ? (r.name ?? [r.firstName, r.lastName].filter(Boolean).join(' ')) : q.error ? '—' : '…';
  return <Link to={path}>{name}</Link>;
}
