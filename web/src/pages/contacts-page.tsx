import { useDeferredValue, useState } from 'react';
import { useT, useI18n } from '../i18n/i18n.js';
import { useCursorList } from '../lib/use-list.js';
import type { Contact } from '../api/types.js';
import { Empty, ErrorState, Loading } from '../components/ui.js';
import { contactName } from '../lib/names.js';

export function ContactsPage() {
  const t = useT();
  const { fmt } = useI18n();
  const [q, setQ] = useState('');
  const query = useDeferredValue(q);
  const list = useCursorList<Contact>('/contacts', { q: query });
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="page" aria-labelledby="contacts-title">
      <header className="page__header">
        <h1 id="contacts-title">{t('contacts.title')}</h1>
        <div className="toolbar">
          <label className="visually-hidden" htmlFor="contacts-search">{t('contacts.search')}</label>
          <input id="contacts-search" type="search" placeholder={t('contacts.search')} value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
      </header>
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : rows.length === 0 ? <Empty>{t('common.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('contacts.name')}</th><th scope="col">{t('contacts.jobTitle')}</th>
              <th scope="col">{t('contacts.email')}</th><th scope="col">{t('contacts.phone')}</th><th scope="col">{t('contacts.lastActivity')}</th>
            </tr></thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td>{contactName(c)}</td><td>{c.jobTitle}</td><td>{c.email}</td><td>{c.phone}</td>
                  <td>{fmt.date(c.lastActivityAt ?? null)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && <button type="button" className="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}>{t('common.loadMore')}</button>}
    </section>
  );
}
