import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { useCursorList } from '../lib/use-list.js';
import type { Lead } from '../api/types.js';
import { allStages, byId, usePipelines, useSources, useUsers } from '../api/lookups.js';
import { ErrorState, Loading, Empty } from '../components/ui.js';
import { LeadsViewSwitch, NextActionCell, StageBadge } from '../components/lead-bits.js';
import { leadDisplayName } from '../lib/names.js';
import { statusLabelKey } from '../lib/labels.js';
import {
  columnIds, defaultView, deleteView, loadSavedViews, saveView, sortableColumns, toggleSort, viewToQuery,
  type ColumnId, type LeadView, type SavedView,
} from '../lib/lead-views.js';

const columnLabel: Record<ColumnId, MessageKey> = {
  contact: 'lead.contact', company: 'lead.company', stage: 'lead.stage', score: 'lead.score', probability: 'lead.probability',
  amount: 'lead.amount', source: 'lead.source', owner: 'lead.owner', nextActionAt: 'lead.nextAction', lastActivityAt: 'lead.lastInteraction',
};
const numeric = new Set<ColumnId>(['score', 'probability', 'amount']);
const ROW_HEIGHT = 44;

function Menu({ label, children }: { label: string; children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => { document.removeEventListener('mousedown', close); document.removeEventListener('keydown', close); };
  }, [open]);
  return (
    <div className="menu" ref={ref}>
      <button type="button" className="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>{label} ▾</button>
      {open && <div className="menu__panel" role="group" aria-label={label}>{children}</div>}
    </div>
  );
}

export function LeadsPage() {
  const { t, fmt } = useI18n();
  const navigate = useNavigate();
  const me = useMe();
  const [view, setView] = useState<LeadView>(defaultView);
  const [views, setViews] = useState<SavedView[]>(() => loadSavedViews());
  const [viewName, setViewName] = useState('');
  const [search, setSearch] = useState('');
  const users = useUsers();
  const sources = useSources();
  const pipelines = usePipelines();
  const stages = useMemo(() => allStages(pipelines.data), [pipelines.data]);
  const stageById = useMemo(() => byId(stages), [stages]);

  // Typing in the search box waits a moment before asking the server.
  useEffect(() => {
    const h = setTimeout(() => setView((v) => (v.filters.q === search ? v : { ...v, filters: { ...v.filters, q: search } })), 250);
    return () => clearTimeout(h);
  }, [search]);

  const list = useCursorList<Lead>('/leads', viewToQuery(view, me.workspace.timeZone), 100);
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.data) ?? [], [list.data]);
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;

  // Infinite scroll: the next page is fetched when the last rendered row comes near the end.
  useEffect(() => {
    if (list.hasNextPage && !list.isFetchingNextPage && lastIndex >= rows.length - 30) void list.fetchNextPage();
  }, [lastIndex, rows.length, list.hasNextPage, list.isFetchingNextPage, list]);

  const setFilter = <K extends keyof LeadView['filters']>(k: K, v: LeadView['filters'][K]) =>
    setView((cur) => ({ ...cur, filters: { ...cur.filters, [k]: v } }));
  const visible = columnIds.filter((c) => view.columns.includes(c));

  const cell = (lead: Lead, c: ColumnId): ReactNode => {
    switch (c) {
      case 'contact': return <Link to={`/leads/${lead.id}`}>{leadDisplayName(lead)}</Link>;
      case 'company': return lead.companyName ?? '';
      case 'stage': return <StageBadge lead={lead} stage={stageById.get(lead.stageId)} />;
      case 'score': return fmt.number(lead.score);
      case 'probability': return fmt.percent(lead.probability);
      case 'amount': return fmt.money(lead.amount, lead.currency);
      case 'source': return lead.sourceName ?? '';
      case 'owner': return lead.ownerName ?? '';
      case 'nextActionAt': return <NextActionCell lead={lead} />;
      case 'lastActivityAt': return lead.lastActivityAt ? fmt.daysAgo(lead.lastActivityAt) : '';
    }
  };

  const paddingTop = items[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);

  return (
    <section className="page leads-layout" aria-labelledby="leads-title">
      <header className="page__header">
        <h1 id="leads-title">{t('leads.title')}</h1>
        <LeadsViewSwitch current="table" />
        <div className="toolbar">
          <Menu label={t('leads.columns')}>
            {columnIds.map((c) => (
              <label key={c}>
                <input type="checkbox" checked={view.columns.includes(c)} disabled={c === 'contact'}
                  onChange={(e) => setView((v) => ({ ...v, columns: e.target.checked ? [...v.columns, c] : v.columns.filter((x) => x !== c) }))} />
                {t(columnLabel[c])}
              </label>
            ))}
          </Menu>
          <Menu label={t('leads.views')}>
            {views.length === 0 && <p className="muted">{t('leads.noViews')}</p>}
            <ul className="view-list">
              {views.map((v) => (
                <li key={v.name}>
                  <button type="button" className="linkish" onClick={() => { setView(v); setSearch(v.filters.q); }}>{v.name}</button>
                  <button type="button" className="button button--ghost button--small" aria-label={`${t('leads.deleteView')}: ${v.name}`}
                    onClick={() => setViews(deleteView(views, v.name))}>×</button>
                </li>
              ))}
            </ul>
            <form className="view-save" onSubmit={(e) => { e.preventDefault(); if (viewName.trim()) { setViews(saveView(views, { ...view, name: viewName.trim() })); setViewName(''); } }}>
              <label htmlFor="view-name">{t('leads.viewName')}</label>
              <input id="view-name" value={viewName} onChange={(e) => setViewName(e.target.value)} />
              <button type="submit" className="button button--small">{t('leads.saveView')}</button>
            </form>
          </Menu>
        </div>
      </header>

      <div className="filters" role="search" aria-label={t('leads.filters')}>
        <div className="field">
          <label htmlFor="leads-q">{t('common.search')}</label>
          <input id="leads-q" type="search" value={search} placeholder={t('leads.search')} onChange={(e) => setSearch(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="leads-stage">{t('lead.stage')}</label>
          <select id="leads-stage" value={view.filters.stageId} onChange={(e) => setFilter('stageId', e.target.value)}>
            <option value="">{t('leads.allStages')}</option>
            {pipelines.data?.map((p) => (
              <optgroup key={p.id} label={p.name}>{p.stages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}</optgroup>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="leads-owner">{t('lead.owner')}</label>
          <select id="leads-owner" value={view.filters.ownerId} onChange={(e) => setFilter('ownerId', e.target.value)}>
            <option value="">{t('leads.allOwners')}</option>
            {users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="leads-source">{t('lead.source')}</label>
          <select id="leads-source" value={view.filters.sourceId} onChange={(e) => setFilter('sourceId', e.target.value)}>
            <option value="">{t('leads.allSources')}</option>
            {sources.data?.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </select>
        </div>
        <div className="field">
          <label htmlFor="leads-status">{t('lead.status')}</label>
          <select id="leads-status" value={view.filters.status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">{t('leads.allStatuses')}</option>
            {(['open', 'won', 'lost', 'cancelled'] as const).map((s) => <option key={s} value={s}>{t(statusLabelKey[s])}</option>)}
          </select>
        </div>
        <div className="field field--narrow">
          <label htmlFor="leads-score-min">{t('leads.scoreMin')}</label>
          <input id="leads-score-min" type="number" inputMode="numeric" min={0} max={100} value={view.filters.scoreMin ?? ''} onChange={(e) => setFilter('scoreMin', e.target.value)} />
        </div>
        <div className="field field--narrow">
          <label htmlFor="leads-amount-min">{t('leads.amountMin')}</label>
          <input id="leads-amount-min" type="text" inputMode="decimal" value={view.filters.amountMin ?? ''} onChange={(e) => setFilter('amountMin', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="leads-next-from">{t('leads.nextFrom')}</label>
          <input id="leads-next-from" type="date" value={view.filters.nextActionFrom ?? ''} onChange={(e) => setFilter('nextActionFrom', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="leads-next-to">{t('leads.nextTo')}</label>
          <input id="leads-next-to" type="date" value={view.filters.nextActionTo ?? ''} onChange={(e) => setFilter('nextActionTo', e.target.value)} />
        </div>
        <label className="check">
          <input type="checkbox" checked={view.filters.withoutNextAction} onChange={(e) => setFilter('withoutNextAction', e.target.checked)} />
          {t('leads.onlyWithoutNext')}
        </label>
        <button type="button" className="button button--ghost" onClick={() => { setView((v) => ({ ...defaultView, columns: v.columns })); setSearch(''); }}>
          {t('leads.clearFilters')}
        </button>
      </div>

      {list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : (
        <>
          <p className="muted small" aria-live="polite">{list.isLoading ? t('app.loading') : t('leads.count', { count: fmt.number(rows.length) })}{list.hasNextPage ? '+' : ''}</p>
          <div className="vtable" ref={scrollRef} tabIndex={0} aria-label={t('leads.title')}>
            <table aria-rowcount={list.hasNextPage ? -1 : rows.length + 1}>
              <colgroup>{visible.map((c) => <col key={c} className={`col-${c}`} />)}</colgroup>
              <thead>
                <tr>
                  {visible.map((c) => {
                    const sortable = !!sortableColumns[c];
                    const active = view.sort.column === c;
                    return (
                      <th key={c} scope="col" className={numeric.has(c) ? 'num' : undefined}
                        aria-sort={active ? (view.sort.descending ? 'descending' : 'ascending') : sortable ? 'none' : undefined}>
                        {sortable ? (
                          <button type="button" onClick={() => setView((v) => ({ ...v, sort: toggleSort(v.sort, c) }))} title={t('leads.sortBy', { column: t(columnLabel[c]) })}>
                            {t(columnLabel[c])} <span aria-hidden="true">{active ? (view.sort.descending ? '↓' : '↑') : '↕'}</span>
                          </button>
                        ) : <span className="th-static">{t(columnLabel[c])}</span>}
                      </th>
                    );
                  })}
                </tr>
              </thead>
              <tbody>
                {paddingTop > 0 && <tr aria-hidden="true"><td colSpan={visible.length} style={{ height: paddingTop, padding: 0, border: 0 }} /></tr>}
                {items.map((vi) => {
                  const lead = rows[vi.index]!;
                  return (
                    <tr key={lead.id} aria-rowindex={vi.index + 2} onDoubleClick={() => navigate(`/leads/${lead.id}`)}>
                      {visible.map((c) => <td key={c} className={numeric.has(c) ? 'num' : undefined}>{cell(lead, c)}</td>)}
                    </tr>
                  );
                })}
                {paddingBottom > 0 && <tr aria-hidden="true"><td colSpan={visible.length} style={{ height: paddingBottom, padding: 0, border: 0 }} /></tr>}
              </tbody>
            </table>
            {list.isLoading && <Loading />}
            {!list.isLoading && rows.length === 0 && <Empty>{t('leads.empty')}</Empty>}
            {list.isFetchingNextPage && <p className="loading" role="status">{t('leads.more')}</p>}
          </div>
        </>
      )}
    </section>
  );
}
