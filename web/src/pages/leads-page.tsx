import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useVirtualizer } from '@tanstack/react-virtual';
import { errorText, useI18n, type MessageKey } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { useCursorList } from '../lib/use-list.js';
import type { Lead } from '../api/types.js';
import { allStages, byId, usePipelines, useSources, useUsers } from '../api/lookups.js';
import { ErrorState, Loading, Empty } from '../components/ui.js';
import { LeadsViewSwitch, NextActionCell, StageBadge } from '../components/lead-bits.js';
import { leadDisplayName } from '../lib/names.js';
import { statusLabelKey } from '../lib/labels.js';
import { columnIds, defaultView, toggleSort, viewFromSearch, viewToQuery, viewToSearch, type ColumnId, type LeadView } from '../lib/lead-views.js';
import { useSavedLeadViews } from '../lib/use-saved-views.js';
import { ExportMenu } from '../components/export-menu.js';

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
  const [params, setParams] = useSearchParams();
  // The URL holds the view, so a link (a dashboard drill-down, a colleague's) opens the same list.
  const [view, setView] = useState<LeadView>(() => viewFromSearch(params));
  const saved = useSavedLeadViews(me.user.id);
  const [viewName, setViewName] = useState('');
  const [shareView, setShareView] = useState(false);
  const [search, setSearch] = useState(view.filters.q);

  useEffect(() => {
    const next = viewToSearch(view).toString();
    if (next !== params.toString()) setParams(new URLSearchParams(next), { replace: true });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- the URL follows the view, not the other way round
  }, [view]);
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
          <ExportMenu resource="leads" query={viewToQuery(view, me.workspace.timeZone)} />
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
            {saved.views.length === 0 && !saved.isLoading && <p className="muted">{t('leads.noViews')}</p>}
            <ul className="view-list">
              {saved.views.map((v) => (
                <li key={v.id}>
                  <button type="button" className="linkish" onClick={() => { setView(v); setSearch(v.filters.q); }}>{v.name}</button>
                  {v.userId !== me.user.id && <span className="muted small">{t('leads.viewSharedBy')}</span>}
                  {v.userId === me.user.id && v.shared && <span className="muted small">{t('leads.viewShared')}</span>}
                  {(v.userId === me.user.id || me.user.role === 'admin') && (
                    <button type="button" className="button button--ghost button--small" aria-label={`${t('leads.deleteView')}: ${v.name}`}
                      onClick={() => saved.remove.mutate(v.id)}>×</button>
                  )}
                </li>
              ))}
            </ul>
            <form className="view-save" onSubmit={(e) => {
              e.preventDefault();
              const name = viewName.trim();
              if (name) saved.save.mutate({ name, view, shared: shareView }, { onSuccess: () => setViewName('') });
            }}>
              <label htmlFor="view-name">{t('leads.viewName')}</label>
              <input id="view-name" value={viewName} maxLength={80} onChange={(e) => setViewName(e.target.value)} />
              <label className="check"><input type="checkbox" checked={shareView} onChange={(e) => setShareView(e.target.checked)} />{t('leads.shareView')}</label>
              <button type="submit" className="button button--small" disabled={saved.save.isPending}>{t('leads.saveView')}</button>
              {saved.save.error && <p className="field-error" role="alert">{errorText(t, saved.save.error)}</p>}
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
        <div className="field field--narrow">
          <label htmlFor="leads-probability-min">{t('leads.probabilityMin')}</label>
          <input id="leads-probability-min" type="number" inputMode="numeric" min={0} max={100} value={view.filters.probabilityMin} onChange={(e) => setFilter('probabilityMin', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="leads-last-from">{t('leads.lastFrom')}</label>
          <input id="leads-last-from" type="date" value={view.filters.lastActivityFrom} onChange={(e) => setFilter('lastActivityFrom', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="leads-last-to">{t('leads.lastTo')}</label>
          <input id="leads-last-to" type="date" value={view.filters.lastActivityTo} onChange={(e) => setFilter('lastActivityTo', e.target.value)} />
        </div>
        {(view.filters.createdFrom || view.filters.createdTo) && (
          <>
            <div className="field">
              <label htmlFor="leads-created-from">{t('leads.createdFrom')}</label>
              <input id="leads-created-from" type="date" value={view.filters.createdFrom} onChange={(e) => setFilter('createdFrom', e.target.value)} />
            </div>
            <div className="field">
              <label htmlFor="leads-created-to">{t('leads.createdTo')}</label>
              <input id="leads-created-to" type="date" value={view.filters.createdTo} onChange={(e) => setFilter('createdTo', e.target.value)} />
            </div>
          </>
        )}
        <label className="check">
          <input type="checkbox" checked={view.filters.withoutNextAction} onChange={(e) => setFilter('withoutNextAction', e.target.checked)} />
          {t('leads.onlyWithoutNext')}
        </label>
        <label className="check">
          <input type="checkbox" checked={view.filters.withoutActivity} onChange={(e) => setFilter('withoutActivity', e.target.checked)} />
          {t('leads.onlyNeverContacted')}
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
                    const active = view.sort.column === c;
                    return (
                      <th key={c} scope="col" className={numeric.has(c) ? 'num' : undefined}
                        aria-sort={active ? (view.sort.descending ? 'descending' : 'ascending') : 'none'}>
                        <button type="button" onClick={() => setView((v) => ({ ...v, sort: toggleSort(v.sort, c) }))} title={t('leads.sortBy', { column: t(columnLabel[c]) })}>
                          {t(columnLabel[c])} <span aria-hidden="true">{active ? (view.sort.descending ? '↓' : '↑') : '↕'}</span>
                        </button>
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
