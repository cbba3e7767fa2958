import { useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { components } from '../api/openapi.js';
import { useI18n } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { Empty, ErrorState, Loading } from '../components/ui.js';
import { ReassignDialog, type Portfolio } from '../components/portfolios-reassign.js';
import '../components/portfolios-styles.css';

type S = components['schemas'];
type PortfolioList = { data: Portfolio[]; window: S['PortfolioWindow'] };
type Transfer = S['PortfolioTransfer'];

/**
 * Portfolios per salesperson (docs/portfolios.md): what each one holds in volume and capital, its
 * growth, open pipeline and how recently it was contacted; drill-down to the contacts and leads
 * lists filtered by owner; reassignment for managers and admins.
 */
export function PortfoliosPage() {
  const { t, fmt } = useI18n();
  const me = useMe();
  const list = useQuery({ queryKey: ['portfolios'], queryFn: () => api.get<PortfolioList>('/portfolios') });
  const transfers = useQuery({ queryKey: ['portfolios', 'transfers'], queryFn: () => api.get<{ data: Transfer[] }>('/portfolios/transfers') });
  const [reassigning, setReassigning] = useState<Portfolio | null>(null);
  const canReassign = me.user.role !== 'sales';
  const rows = list.data?.data ?? [];
  const nameOf = (id: string) => rows.find((p) => p.userId === id)?.name ?? '—';
  const growth = (g: number | null) => (g === null ? '—' : `${g > 0 ? '+' : ''}${fmt.percent(g * 100)}`);

  return (
    <section className="page" aria-labelledby="portfolios-title">
      <header className="page__header">
        <h1 id="portfolios-title">{t('portfolios.title')}</h1>
      </header>
      {list.data && (
        <p className="field__hint">{t('portfolios.window', { from: fmt.date(list.data.window.from), to: fmt.date(new Date(new Date(list.data.window.to).getTime() - 1)) })}</p>
      )}
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : rows.length === 0 ? <Empty>{t('portfolios.empty')}</Empty> : (
        <div className="table-wrap portfolio-table">
          <table className="table">
            <caption className="visually-hidden">{t('portfolios.caption')}</caption>
            <thead><tr>
              <th scope="col">{t('portfolios.salesperson')}</th>
              <th scope="col" className="num">{t('portfolios.clients')}</th>
              <th scope="col" className="num">{t('portfolios.prospects')}</th>
              <th scope="col" className="num">{t('portfolios.purchases')}</th>
              <th scope="col" className="num">{t('portfolios.revenue')}</th>
              <th scope="col" className="num"><abbr title={t('portfolios.growthHint')}>{t('portfolios.growth')}</abbr></th>
              <th scope="col" className="num">{t('portfolios.pipeline')}</th>
              <th scope="col">{t('portfolios.lastContact')}</th>
              <th scope="col" className="num">{t('portfolios.quiet')}</th>
            </tr></thead>
            <tbody>
              {rows.map((p) => (
                <tr key={p.userId} data-user={p.userId}>
                  <th scope="row" data-label={t('portfolios.salesperson')}>
                    <span className="portfolio-name">{p.name}{!p.isActive && <> <span className="badge">{t('portfolios.inactive')}</span></>}</span>
                    <span className="portfolio-links">
                      <Link to={`/contacts?ownerId=${p.userId}`} aria-label={t('portfolios.openContacts', { name: p.name })}>{t('portfolios.contactsShort')} ({fmt.number(p.contacts)})</Link>
                      <Link to={`/leads?ownerId=${p.userId}&status=open`} aria-label={t('portfolios.openLeads', { name: p.name })}>{t('portfolios.leadsShort')}</Link>
                    </span>
                    {canReassign && (
                      <button type="button" className="button button--small portfolio-reassign" onClick={() => setReassigning(p)} aria-label={t('portfolios.reassignOf', { name: p.name })}>
                        {t('portfolios.reassign')}
                      </button>
                    )}
                  </th>
                  <td className="num" data-label={t('portfolios.clients')}>
                    <Link to={`/contacts?ownerId=${p.userId}&lifecycle=client`} aria-label={t('portfolios.clientsOf', { name: p.name, n: fmt.number(p.clients) })}>{fmt.number(p.clients)}</Link>
                  </td>
                  <td className="num" data-label={t('portfolios.prospects')}>
                    <Link to={`/contacts?ownerId=${p.userId}&lifecycle=prospect`} aria-label={t('portfolios.prospectsOf', { name: p.name, n: fmt.number(p.prospects) })}>{fmt.number(p.prospects)}</Link>
                  </td>
                  <td className="num" data-label={t('portfolios.purchases')}>{fmt.number(p.purchases)}</td>
                  <td className="num" data-label={t('portfolios.revenue')}>{fmt.money(p.revenue)}</td>
                  <td className="num" data-label={t('portfolios.growth')}>{growth(p.growth)}</td>
                  <td className="num" data-label={t('portfolios.pipeline')}>
                    <span className="portfolio-pipeline">
                      <span>{t('portfolios.pipelineValue', { count: fmt.number(p.openLeads), amount: fmt.money(p.openAmount) })}</span>
                      <span className="portfolio-sub">{t('portfolios.weightedValue', { amount: fmt.money(p.weightedAmount) })}</span>
                    </span>
                  </td>
                  <td data-label={t('portfolios.lastContact')}>{p.lastContactAt ? fmt.date(p.lastContactAt) : t('portfolios.noContact')}</td>
                  <td className="num" data-label={t('portfolios.quiet')}>{t('portfolios.quietValue', { d30: fmt.number(p.quietClients30), d90: fmt.number(p.quietClients90) })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {(transfers.data?.data.length ?? 0) > 0 && (
        <section aria-labelledby="portfolio-transfers-title" className="portfolio-transfers">
          <h2 id="portfolio-transfers-title">{t('portfolios.recent')}</h2>
          <ul>
            {transfers.data!.data.map((x) => (
              <li key={x.id}>
                {t('portfolios.recentLine', { date: fmt.dateTime(x.createdAt), from: nameOf(x.fromUserId), to: nameOf(x.toUserId) })}
                {' · '}{x.segmentId ? t('portfolios.bySegment') : t('portfolios.wholePortfolio')}
                {' · '}{t('portfolios.recentCounts', { contacts: fmt.number(x.counts.contacts), leads: fmt.number(x.counts.leads), actions: fmt.number(x.counts.activities + x.counts.followUps + x.counts.complaints) })}
              </li>
            ))}
          </ul>
        </section>
      )}
      {reassigning && <ReassignDialog from={reassigning} candidates={rows} onClose={() => setReassigning(null)} />}
    </section>
  );
}
