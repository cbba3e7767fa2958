import { useCallback, useEffect, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router';
import { useQueries, useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { allStages, byId, usePipelines, useProducts, useSources, useUsers } from '../api/lookups.js';
import type { Page } from '../api/types.js';
import type { CampaignRecord } from '../lib/records.js';
import { useI18n } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { zonedDate } from '../lib/format.js';
import {
  activityByWeek, activityWeekLink, drillLink, forecastMonthLink, forecastData, formatDay, formatMonth, funnelData, latestFrequency, leadCohortLink, newLeadsBySource, orDash,
  pivot, ratioText, weeklyTable, withParam, type Dashboard, type SalesByClientType, type WeeklyRow,
} from '../lib/dashboard-data.js';
import { addDays, chartUnit, dashboardQuery, dashboardSearch, parseDashboardView, periodBuckets, periodInstants, periodRange, type DashboardView } from '../lib/dashboard-period.js';
import { complaintCategoryKey } from '../components/record-related.js';
import { ErrorState, Loading } from '../components/ui.js';
import { DashboardFilters } from '../components/dashboard-filters.js';
import { ClientName, DrillValue, MetricCard } from '../components/dashboard-card.js';
import { ForecastChart, FunnelChart, StackedChart } from '../components/dashboard-charts.js';
import { DataTable, ExportLinks, OnDemandTable, TableSection } from '../components/dashboard-table.js';
import { ObjectivesBlock } from '../components/objective-progress.js';
import '../components/dashboard-styles.css';

const MAX_SALES_BUCKETS = 24;

/**
 * New vs existing clients per bucket of the period. "New" means a first-ever sale inside the
 * period asked for (docs/metrics.md), so each bucket is its own period: a client who first bought
 * in March is new in March and existing in April. Long periods are drawn in coarser buckets
 * (chartUnit) so the number of requests stays small.
 */
function useSalesOverTime(query: Record<string, string | undefined>, range: { from: string; to: string }, chosen: DashboardView['unit']) {
  const unit = chartUnit(range.from, range.to, chosen);
  const buckets = periodBuckets(range.from, range.to, unit, MAX_SALES_BUCKETS);
  const capped = periodBuckets(range.from, range.to, unit, Number.MAX_SAFE_INTEGER).length > buckets.length;
  const results = useQueries({
    queries: buckets.map((b) => ({
      queryKey: ['dashboard', 'salesByClientType', query, b.from, b.to],
      queryFn: async () => (await api.get<{ value: SalesByClientType }>('/metrics/salesByClientType', { ...query, from: b.from, to: b.to })).value,
      staleTime: 60_000,
    })),
  });
  const ready = results.every((r) => r.data);
  const rows = ready ? buckets.flatMap((b, i) => {
    const v = results[i]!.data!;
    // Sales with no client recorded are neither new nor existing (docs/metrics.md): their own series, when there are any.
    return [
      { key: b.key, series: 'new', amount: v.newClients.amount }, { key: b.key, series: 'existing', amount: v.existingClients.amount },
      ...(v.unattributed.amount ? [{ key: b.key, series: 'none', amount: v.unattributed.amount }] : []),
    ];
  }) : [];
  return { unit, ready, capped, count: buckets.length, pivot: pivot(rows, (r) => r.key, (r) => r.series, (r) => r.amount), error: results.find((r) => r.error)?.error };
}

export function DashboardPage() {
  const { t, fmt } = useI18n();
  const me = useMe();
  const [params, setParams] = useSearchParams();
  const view = useMemo(() => parseDashboardView(params), [params]);
  const tz = me.workspace.timeZone;
  const today = zonedDate(tz);
  const range = periodRange(view, today);
  const query = dashboardQuery(view, today) as Record<string, string | undefined>;
  // Two quick changes (typing both days of a range) can come before the address has updated:
  // each change applies to the latest view asked for, not to the one on screen.
  const latest = useRef(view);
  useEffect(() => { latest.current = view; }, [view]);
  const setView = useCallback((patch: Partial<DashboardView>) => {
    latest.current = { ...latest.current, ...patch };
    setParams(new URLSearchParams(dashboardSearch(latest.current)), { replace: true });
  }, [setParams]);

  const dashboard = useQuery({
    queryKey: ['dashboard', query],
    queryFn: () => api.get<Dashboard>('/dashboard', query),
    placeholderData: (prev) => prev,
  });
  const sales = useSalesOverTime(query, range, view.unit);
  const users = useUsers();
  const sources = useSources();
  const products = useProducts();
  const pipelines = usePipelines();
  const campaigns = useQuery({ queryKey: ['lookup', 'campaigns'], staleTime: 5 * 60_000, queryFn: async () => (await api.get<Page<CampaignRecord>>('/campaigns', { limit: '500' })).data });
  const userById = byId(users.data);
  const sourceById = byId(sources.data);
  const productById = byId(products.data);
  const stageById = byId(allStages(pipelines.data));
  const campaignById = byId(campaigns.data);
  const named = (map: Map<string, { name: string }>) => (key: string) => (key === 'none' ? t('dashboard.none') : map.get(key)?.name ?? '…');
  const userName = named(userById);
  const sourceName = named(sourceById);
  const productName = named(productById);
  const day = (d: string) => formatDay(fmt.locale, d);
  const shortDay = (d: string) => formatDay(fmt.locale, d, { day: 'numeric', month: 'short' });
  const labelIn = (unit: DashboardView['unit']) => (d: string) => (unit === 'week' ? shortDay(d) : unit === 'month' ? formatMonth(fmt.locale, d.slice(0, 7)) : t('dashboard.quarterOf', { quarter: Math.floor((Number(d.slice(5, 7)) - 1) / 3) + 1, year: d.slice(0, 4) }));
  const bucketLabel = labelIn(view.unit);
  const pct = fmt.percent;
  const money = (n: number | null | undefined) => orDash(n, (x) => fmt.money(x));
  const num = (n: number | null | undefined) => orDash(n, (x) => fmt.number(x));
  const scope = me.user.role === 'admin' ? t('dashboard.scope.all') : me.user.role === 'manager' ? t('dashboard.scope.team') : t('dashboard.scope.own');

  const d = dashboard.data;
  // A week cell counts the leads of that week inside the period: its first and last days are clipped to it.
  const weekRange = (week: string) => periodInstants(week < range.from ? range.from : week, addDays(week, 6) > range.to ? range.to : addDays(week, 6), tz);

  return (
    <section className="page dashboard" aria-labelledby="dashboard-title">
      <header className="page__header">
        <h1 id="dashboard-title">{t('dashboard.title')}</h1>
        <p className="muted dashboard__scope">
          {scope} · <span data-testid="dashboard-period">{t('dashboard.periodShown', { from: day(range.from), to: day(range.to) })}</span>
          {dashboard.isFetching && d ? <span className="small" role="status"> · {t('dashboard.refreshing')}</span> : null}
        </p>
      </header>
      <DashboardFilters view={view} range={range} onChange={setView} />

      <ObjectivesBlock range={range} ownerId={view.ownerId} teamId={view.teamId} />

      {dashboard.error ? <ErrorState error={dashboard.error} onRetry={() => dashboard.refetch()} /> : !d ? <Loading /> : (() => {
        const c = d.cards;
        const conv = c.conversion.value;
        const cpl = c.costPerLead.value;
        const split = c.salesByClientType.value;
        const freq = latestFrequency(c.frequency.value);
        const nps = c.nps.value;
        const comp = c.complaints.value;
        const port = c.portfolio.value;
        const pipe = c.pipeline.value;
        const win = c.winRate.value;
        const interactionsTotal = c.interactions.value.total;
        const activity = activityByWeek(c.interactions.value.byWeek);
        const newLeads = newLeadsBySource(c.weeklyNewLeads.value);
        return (
          <>
            <section aria-labelledby="dash-headline" className="dash-section">
              <h2 id="dash-headline" className="visually-hidden">{t('dashboard.headline')}</h2>
              <div className="dash-cards">
                <MetricCard title={t('dashboard.card.conversion')} value={ratioText(pct, conv.total.rate)} link={drillLink(c.conversion.drillDown, 'won')}
                  figures={[
                    { label: t('dashboard.created'), value: num(conv.total.created), link: drillLink(c.conversion.drillDown, 'created') },
                    { label: t('dashboard.won'), value: num(conv.total.won), link: drillLink(c.conversion.drillDown, 'won') },
                  ]} />
                <MetricCard title={t('dashboard.card.cpl')} value={money(cpl.total.cpl)} link={drillLink(c.costPerLead.drillDown, 'leads')}
                  figures={[
                    { label: t('dashboard.cost'), value: money(cpl.total.cost), link: drillLink(c.costPerLead.drillDown, 'campaigns') },
                    { label: t('dashboard.leads'), value: num(cpl.total.leads), link: drillLink(c.costPerLead.drillDown, 'leads') },
                    { label: t('dashboard.costPerWon'), value: money(cpl.total.costPerWon) },
                  ]} />
                <MetricCard title={t('dashboard.card.clientType')} value={ratioText(pct, split.newAmountShare)} link={drillLink(c.salesByClientType.drillDown, 'sales')}
                  hint={t('dashboard.newShare')}
                  figures={[
                    { label: t('dashboard.newClients'), value: `${money(split.newClients.amount)} · ${t('dashboard.salesOf', { count: num(split.newClients.count), clients: num(split.newClients.clients) })}`, link: drillLink(c.salesByClientType.drillDown, 'sales') },
                    { label: t('dashboard.existingClients'), value: `${money(split.existingClients.amount)} · ${t('dashboard.salesOf', { count: num(split.existingClients.count), clients: num(split.existingClients.clients) })}`, link: drillLink(c.salesByClientType.drillDown, 'sales') },
                  ]} />
                <MetricCard title={t('dashboard.card.frequency')} value={orDash(freq?.frequency, (x) => fmt.number(x))} link={drillLink(c.frequency.drillDown, 'sales')}
                  hint={freq ? t('dashboard.latestBucket', { date: bucketLabel(freq.bucket) }) : t('dashboard.noData')}
                  figures={[
                    { label: t('dashboard.frequency'), value: orDash(freq?.frequency, (x) => fmt.number(x)), link: drillLink(c.frequency.drillDown, 'sales') },
                    { label: t('dashboard.intensity'), value: money(freq?.intensity) },
                  ]} />
                <MetricCard title={t('dashboard.card.nps')} value={num(nps.nps)} link={drillLink(c.nps.drillDown, 'answers')}
                  figures={[
                    { label: t('dashboard.answers'), value: num(nps.answers), link: drillLink(c.nps.drillDown, 'answers') },
                    { label: t('dashboard.promoters'), value: num(nps.promoters) },
                    { label: t('dashboard.detractors'), value: num(nps.detractors) },
                    { label: t('dashboard.satisfaction'), value: num(nps.averageSatisfaction) },
                  ]} />
                <MetricCard title={t('dashboard.card.complaints')} value={num(comp.total)} link={drillLink(c.complaints.drillDown, 'total')}
                  figures={[
                    { label: t('dashboard.open'), value: num(comp.open), link: drillLink(c.complaints.drillDown, 'open') },
                    { label: t('dashboard.resolved'), value: num(comp.resolved), link: drillLink(c.complaints.drillDown, 'resolved') },
                    { label: t('dashboard.medianToResolve'), value: orDash(comp.medianHoursToResolve, (x) => t('dashboard.hours', { count: fmt.number(x) })) },
                  ]} />
                <MetricCard title={t('dashboard.card.portfolio')} value={money(port.salesAmount)} link={drillLink(c.portfolio.drillDown, 'sales')} hint={t('dashboard.salesAmount')}
                  figures={[
                    { label: t('dashboard.clients'), value: num(port.clients), link: drillLink(c.portfolio.drillDown, 'clients') },
                    { label: t('dashboard.prospects'), value: num(port.prospects), link: drillLink(c.portfolio.drillDown, 'prospects') },
                    { label: t('dashboard.revenuePerClient'), value: money(port.revenuePerClient) },
                    { label: t('dashboard.averageBasket'), value: money(port.averageBasket) },
                  ]} />
                <MetricCard title={t('dashboard.card.forecast')} value={money(pipe.total.weighted)} link={drillLink(c.pipeline.drillDown, 'open')}
                  figures={[
                    { label: t('dashboard.openAmount'), value: money(pipe.total.amount), link: drillLink(c.pipeline.drillDown, 'open') },
                    { label: t('dashboard.openLeads'), value: num(pipe.total.count), link: drillLink(c.pipeline.drillDown, 'open') },
                  ]} />
                <MetricCard title={t('dashboard.card.winRate')} value={ratioText(pct, win.winRate)} link={drillLink(c.winRate.drillDown, 'won')}
                  figures={[
                    { label: t('dashboard.won'), value: num(win.won), link: drillLink(c.winRate.drillDown, 'won') },
                    { label: t('dashboard.lost'), value: num(win.lost), link: drillLink(c.winRate.drillDown, 'lost') },
                  ]} />
                <MetricCard title={t('dashboard.card.cycle')} value={orDash(win.averageCycleDays, (x) => t('dashboard.days', { count: fmt.number(x) }))}
                  link={drillLink(c.winRate.drillDown, 'cycle')} hint={t('dashboard.cycleHint')} />
                <MetricCard title={t('dashboard.card.activity')} value={num(interactionsTotal)} link={drillLink(c.interactions.drillDown, 'activities')} hint={t('dashboard.interactions')}
                  figures={[{ label: t('dashboard.cadenceMisses'), value: num(c.cadenceMisses.value.total), link: drillLink(c.cadenceMisses.drillDown, 'activities') }]} />
                <MetricCard title={t('dashboard.card.overdue')} value={num(c.overdueNextActions.value.total)} link={drillLink(c.overdueNextActions.drillDown, 'leads')} hint={t('dashboard.overdueNow')} />
              </div>
            </section>

            <section aria-labelledby="dash-charts" className="dash-section">
              <h2 id="dash-charts">{t('dashboard.charts')}</h2>
              <div className="dash-charts">
                <FunnelChart title={t('dashboard.chart.funnel')} steps={funnelData(c.stageConversion.value.steps)}
                  actions={(
                    <>
                      {(pipelines.data?.length ?? 0) > 1 && (
                        <span className="dash-inline-field">
                          <label htmlFor="dash-pipeline" className="visually-hidden">{t('dashboard.pipeline')}</label>
                          <select id="dash-pipeline" value={view.pipelineId || c.stageConversion.value.pipelineId || ''} onChange={(e) => setView({ pipelineId: e.target.value })}>
                            {pipelines.data!.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}
                          </select>
                        </span>
                      )}
                      <ExportLinks name="stageConversion" query={query} table={t('dashboard.chart.funnel')} />
                    </>
                  )}
                  cohortCell={(s) => <DrillValue value={num(s.reached)} link={drillLink(c.stageConversion.drillDown, 'cohort')} label={s.name} />} />
                <ForecastChart title={t('dashboard.chart.forecast')} rows={forecastData(pipe.byCloseMonth)}
                  monthLabel={(k) => (k === 'none' ? t('dashboard.noDate') : formatMonth(fmt.locale, k))}
                  countCell={(r) => <DrillValue value={num(r.count)} link={forecastMonthLink(r.key, d.ownerIds, view.sourceId || null)} label={r.key} />}
                  actions={<ExportLinks name="pipeline" query={query} table={t('dashboard.chart.forecast')} breakdown="byCloseMonth" />} />
                {sales.error ? <ErrorState error={sales.error} /> : !sales.ready ? <Loading /> : (
                  <StackedChart title={t('dashboard.chart.sales')} pivot={sales.pivot} rowHeader={t('dashboard.bucket')} rowLabel={labelIn(sales.unit)} money
                    seriesLabel={(s) => (s === 'new' ? t('dashboard.newClients') : s === 'existing' ? t('dashboard.existingClients') : t('dashboard.noClient'))}
                    note={sales.capped ? t('dashboard.chart.salesCapped', { count: sales.count }) : undefined}
                    actions={<ExportLinks name="frequency" query={query} table={t('dashboard.card.frequency')} />} />
                )}
                <StackedChart title={t('dashboard.chart.activity')} pivot={activity} rowHeader={t('dashboard.week')} rowLabel={shortDay} seriesLabel={userName}
                  cell={(week, user, v) => <DrillValue value={fmt.number(v)} link={activityWeekLink(weekRange(week), d.ownerIds, user)} label={`${shortDay(week)} ${userName(user)}`} />}
                  actions={<ExportLinks name="interactions" query={query} table={t('dashboard.chart.activity')} />} />
                <StackedChart title={t('dashboard.chart.newLeads')} pivot={newLeads} rowHeader={t('dashboard.week')} rowLabel={shortDay} seriesLabel={sourceName}
                  note={t('dashboard.chart.newLeadsNote')}
                  cell={(week, source, v) => <DrillValue value={fmt.number(v)} link={leadCohortLink(weekRange(week), d.ownerIds, { sourceId: source })} label={`${shortDay(week)} ${sourceName(source)}`} />}
                  actions={<ExportLinks name="weeklyNewLeads" query={query} table={t('dashboard.chart.newLeads')} />} />
              </div>
            </section>

            <section aria-labelledby="dash-tables" className="dash-section">
              <h2 id="dash-tables">{t('dashboard.tables')}</h2>
              <TableSection title={t('dashboard.table.weekly')} name="weeklyNewLeads" query={query} note={t('dashboard.weeklyAreaNote')}>
                <OnDemandTable<WeeklyRow> caption={t('dashboard.table.weekly')} queryKey={['dashboard', 'weeklyNewLeads', query]}
                  load={async () => weeklyTable((await api.get<{ value: WeeklyRow[] }>('/metrics/weeklyNewLeads', query)).value)} rowKey={(r) => `${r.week}|${r.sourceId}|${r.productId}|${r.neighbourhood}|${r.city}`}
                  columns={[
                    { header: t('dashboard.week'), cell: (r) => shortDay(r.week) },
                    { header: t('dashboard.source'), cell: (r) => sourceName(r.sourceId) },
                    { header: t('dashboard.product'), cell: (r) => productName(r.productId) },
                    { header: t('dashboard.neighbourhood'), cell: (r) => (r.neighbourhood === 'none' ? '—' : r.neighbourhood) },
                    { header: t('dashboard.city'), cell: (r) => (r.city === 'none' ? '—' : r.city) },
                    { header: t('dashboard.count'), numeric: true, cell: (r) => <DrillValue value={fmt.number(r.count)} link={leadCohortLink(weekRange(r.week), d.ownerIds, { sourceId: r.sourceId, productId: r.productId })} label={`${shortDay(r.week)} ${sourceName(r.sourceId)} ${productName(r.productId)}`} /> },
                  ]} />
              </TableSection>
              <div className="dash-tables">
                <TableSection title={t('dashboard.table.bySource')} name="conversion" query={query}>
                  <DataTable caption={t('dashboard.table.bySource')} rows={conv.bySource} rowKey={(r) => r.key}
                    columns={[
                      { header: t('dashboard.source'), cell: (r) => sourceName(r.key) },
                      { header: t('dashboard.created'), numeric: true, cell: (r) => <DrillValue value={num(r.created)} link={drillLink(c.conversion.drillDown, 'bySource', r.key)} label={`${sourceName(r.key)} ${t('dashboard.created')}`} /> },
                      { header: t('dashboard.won'), numeric: true, cell: (r) => num(r.won) },
                      { header: t('dashboard.rate'), numeric: true, cell: (r) => ratioText(pct, r.rate) },
                    ]} />
                </TableSection>
                {me.user.role !== 'sales' && (
                  <TableSection title={t('dashboard.table.byOwner')} name="conversion" query={query} breakdown="byOwner">
                    <DataTable caption={t('dashboard.table.byOwner')} rows={conv.byOwner} rowKey={(r) => r.key}
                      columns={[
                        { header: t('dashboard.owner'), cell: (r) => userName(r.key) },
                        { header: t('dashboard.created'), numeric: true, cell: (r) => <DrillValue value={num(r.created)} link={drillLink(c.conversion.drillDown, 'byOwner', r.key)} label={`${userName(r.key)} ${t('dashboard.created')}`} /> },
                        { header: t('dashboard.won'), numeric: true, cell: (r) => num(r.won) },
                        { header: t('dashboard.rate'), numeric: true, cell: (r) => ratioText(pct, r.rate) },
                      ]} />
                  </TableSection>
                )}
                <TableSection title={t('dashboard.table.byCampaign')} name="costPerLead" query={query}>
                  <DataTable caption={t('dashboard.table.byCampaign')} rows={cpl.byCampaign} rowKey={(r) => r.key}
                    columns={[
                      { header: t('dashboard.campaign'), cell: (r) => named(campaignById)(r.key) },
                      { header: t('dashboard.cost'), numeric: true, cell: (r) => money(r.cost) },
                      { header: t('dashboard.leads'), numeric: true, cell: (r) => <DrillValue value={num(r.leads)} link={drillLink(c.costPerLead.drillDown, 'byCampaign', r.key)} label={named(campaignById)(r.key)} /> },
                      { header: t('dashboard.cpl'), numeric: true, cell: (r) => money(r.cpl) },
                      { header: t('dashboard.costPerWon'), numeric: true, cell: (r) => money(r.costPerWon) },
                    ]} />
                </TableSection>
                <TableSection title={t('dashboard.table.byStage')} name="pipeline" query={query}>
                  <DataTable caption={t('dashboard.table.byStage')} rows={pipe.byStage} rowKey={(r) => r.key}
                    columns={[
                      { header: t('dashboard.stage'), cell: (r) => stageById.get(r.key)?.name ?? '…' },
                      { header: t('dashboard.openLeads'), numeric: true, cell: (r) => <DrillValue value={num(r.count)} link={drillLink(c.pipeline.drillDown, 'byStage', r.key)} label={stageById.get(r.key)?.name ?? ''} /> },
                      { header: t('dashboard.amount'), numeric: true, cell: (r) => money(r.amount) },
                      { header: t('dashboard.weighted'), numeric: true, cell: (r) => money(r.weighted) },
                    ]} />
                </TableSection>
                <TableSection title={t('dashboard.table.byCategory')} name="complaints" query={query}>
                  <DataTable caption={t('dashboard.table.byCategory')} rows={comp.byCategory} rowKey={(r) => r.category}
                    columns={[
                      { header: t('dashboard.category'), cell: (r) => t(complaintCategoryKey(r.category)) },
                      { header: t('dashboard.total'), numeric: true, cell: (r) => <DrillValue value={num(r.total)} link={drillLink(c.complaints.drillDown, 'byCategory', r.category)} label={t(complaintCategoryKey(r.category))} /> },
                      { header: t('dashboard.open'), numeric: true, cell: (r) => num(r.open) },
                      { header: t('dashboard.resolved'), numeric: true, cell: (r) => num(r.resolved) },
                    ]} />
                </TableSection>
                <TableSection title={t('dashboard.table.topClients')} name="portfolio" query={query}>
                  <DataTable caption={t('dashboard.table.topClients')} rows={port.topClients} rowKey={(r) => r.clientKey}
                    columns={[
                      { header: t('dashboard.client'), cell: (r) => <ClientName clientKey={r.clientKey} /> },
                      { header: t('dashboard.salesCount'), numeric: true, cell: (r) => <DrillValue value={num(r.count)} link={drillLink(c.portfolio.drillDown, 'topClients', r.clientKey)} label={r.clientKey} /> },
                      { header: t('dashboard.amount'), numeric: true, cell: (r) => money(r.amount) },
                    ]} />
                </TableSection>
                <TableSection title={t('dashboard.table.overdue')} name="overdueNextActions" query={query}>
                  <DataTable caption={t('dashboard.table.overdue')} rows={c.overdueNextActions.value.byOwner} rowKey={(r) => r.userId}
                    columns={[
                      { header: t('dashboard.owner'), cell: (r) => userName(r.userId) },
                      { header: t('dashboard.count'), numeric: true, cell: (r) => <DrillValue value={num(r.count)} link={r.userId === 'none' ? null : withParam(drillLink(c.overdueNextActions.drillDown, 'leads'), 'ownerId', r.userId)} label={userName(r.userId)} /> },
                    ]} />
                </TableSection>
              </div>
            </section>
          </>
        );
      })()}
    </section>
  );
}
