import { useId, useState, type ReactNode } from 'react';
import { useQuery, type QueryKey } from '@tanstack/react-query';
import type { Query } from '../api/client.js';
import { useI18n, useT } from '../i18n/i18n.js';
import { ErrorState, Loading } from './ui.js';
import { exportHref, type MetricName } from '../lib/dashboard-data.js';

export type Column<T> = { header: string; cell: (row: T) => ReactNode; numeric?: boolean };

/** A plain accessible table (also the text alternative of every chart). */
export function DataTable<T>({ caption, columns, rows, rowKey, empty }: { caption?: string; columns: Column<T>[]; rows: readonly T[]; rowKey: (row: T, i: number) => string; empty?: string }) {
  const t = useT();
  if (rows.length === 0) return <p className="empty">{empty ?? t('dashboard.noData')}</p>;
  return (
    <div className="table-wrap dash-table">
      <table className="table">
        {caption && <caption className="visually-hidden">{caption}</caption>}
        <thead><tr>{columns.map((c) => <th key={c.header} scope="col" className={c.numeric ? 'num' : undefined}>{c.header}</th>)}</tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={rowKey(r, i)}>{columns.map((c) => <td key={c.header} className={c.numeric ? 'num' : undefined}>{c.cell(r)}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** CSV and XLSX downloads of one metric's table, with the dashboard's period and filters. */
export function ExportLinks({ name, query, table, breakdown }: { name: MetricName; query: Query; table: string; breakdown?: string }) {
  const t = useT();
  // A metric with several tables (conversion by source and by owner…) downloads the one shown here.
  const q = breakdown ? { ...query, table: breakdown } : query;
  return (
    <span className="dash-export">
      {(['csv', 'xlsx'] as const).map((format) => (
        <a key={format} className="button button--small" href={exportHref(name, q, format)} download
          aria-label={t('dashboard.exportLabel', { table, format: format.toUpperCase() })}>
          {format.toUpperCase()}
        </a>
      ))}
    </span>
  );
}

/** A titled block holding a table, with its downloads beside the title. */
export function TableSection({ title, name, query, children, note, breakdown }: { title: string; name: MetricName; query: Query; children: ReactNode; note?: string; breakdown?: string }) {
  const id = useId();
  return (
    <section className="dash-block" aria-labelledby={id}>
      <header className="dash-block__header">
        <h3 id={id}>{title}</h3>
        <ExportLinks name={name} query={query} table={title} breakdown={breakdown} />
      </header>
      {note && <p className="muted small">{note}</p>}
      {children}
    </section>
  );
}

/**
 * A table too long to come with the dashboard (the weekly statistics: thousands of rows on a large
 * workspace): fetched when its block is opened, and drawn a page of rows at a time.
 */
export function OnDemandTable<T>({ queryKey, load, pageSize = 100, ...table }: {
  queryKey: QueryKey; load: () => Promise<T[]>; pageSize?: number; caption: string; columns: Column<T>[]; rowKey: (row: T, i: number) => string;
}) {
  const { t, fmt } = useI18n();
  const [open, setOpen] = useState(false);
  const [shown, setShown] = useState(pageSize);
  const rows = useQuery({ queryKey, queryFn: load, enabled: open, staleTime: 60_000 });
  return (
    <details className="dash-chart__data" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{t('dashboard.openTable')}</summary>
      {!open ? null : rows.error ? <ErrorState error={rows.error} onRetry={() => rows.refetch()} /> : !rows.data ? <Loading /> : (
        <>
          <DataTable {...table} rows={rows.data.slice(0, shown)} />
          {rows.data.length > 0 && (
            <p className="muted small" role="status">{t('dashboard.rowsShown', { shown: fmt.number(Math.min(shown, rows.data.length)), total: fmt.number(rows.data.length) })}</p>
          )}
          {rows.data.length > shown && (
            <button type="button" className="button button--small" onClick={() => setShown((n) => n + pageSize * 5)}>
              {t('dashboard.moreRows', { count: fmt.number(Math.min(pageSize * 5, rows.data.length - shown)) })}
            </button>
          )}
        </>
      )}
    </details>
  );
}
