import { useEffect, useRef } from 'react';
import { useI18n } from '../i18n/i18n.js';

/**
 * Infinite scroll for cursor lists: the next page loads when the end of the table comes into view;
 * the button stays for keyboard users and browsers without IntersectionObserver.
 */
export function LoadMore({ hasNextPage, isFetching, fetchNextPage }: { hasNextPage: boolean; isFetching: boolean; fetchNextPage: () => unknown }) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el || !hasNextPage || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting) && !isFetching) void fetchNextPage(); }, { rootMargin: '400px' });
    io.observe(el);
    return () => io.disconnect();
  }, [hasNextPage, isFetching, fetchNextPage]);
  if (!hasNextPage) return null;
  return (
    <div ref={ref} className="load-more">
      <button type="button" className="button" onClick={() => fetchNextPage()} disabled={isFetching}>{isFetching ? t('app.loading') : t('common.loadMore')}</button>
    </div>
  );
}

/** A sortable column header: the button toggles the direction, aria-sort tells the current one. */
export function SortHeader({ label, column, sort, onSort }: { label: string; column: string; sort: string; onSort: (s: string) => void }) {
  const { t } = useI18n();
  const active = sort.replace(/^-/, '') === column;
  const desc = sort.startsWith('-');
  return (
    <th scope="col" aria-sort={active ? (desc ? 'descending' : 'ascending') : undefined}>
      <button type="button" className="sort-button" onClick={() => onSort(active && !desc ? `-${column}` : column)} aria-label={t('leads.sortBy', { column: label })}>
        {label}{active ? (desc ? ' ↓' : ' ↑') : ''}
      </button>
    </th>
  );
}
