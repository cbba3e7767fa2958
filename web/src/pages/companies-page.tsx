import { useDeferredValue, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { useCursorList } from '../lib/use-list.js';
import type { Company } from '../api/types.js';
import { Empty, ErrorState, Loading } from '../components/ui.js';

export function CompaniesPage() {
  const t = useT();
  const [q, setQ] = useState('');
  const query = useDeferredValue(q);
  const list = useCursorList<Company>('/companies', { q: query });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="page" aria-labelledby="companies-title">
      <header className="page__header">
        <h1 id="companies-title">{t('companies.title')}</h1>
        <div className="toolbar">
          <label className="visually-hidden" htmlFor="companies-search">{t('companies.search')}</label>
          <input id="companies-search" type="search" placeholder={t('companies.search')} value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
      </header>
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : rows.length === 0 ? <Empty>{t('common.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('companies.name')}</th><th scope="col">{t('companies.sector')}</th>
              <th scope="col">{t('companies.city')}</th><th scope="col">{t('companies.phone')}</th>
            </tr></thead>
            <tbody>
              {rows.map((c) => <tr key={c.id}><td>{c.name}</td><td>{c.sector}</td><td>{c.city}</td><td>{c.phone}</td></tr>)}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && <button type="button" className="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>{t('common.loadMore')}</button>}
    </section>
  );
}
