import { useState, type ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Area, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, request } from '../api/client.js';
import { usePipelines } from '../api/lookups.js';
import { useI18n, errorText } from '../i18n/i18n.js';
import { zonedDate } from '../lib/format.js';
import { chartRows, shareText, type FunnelModel, type JourneyStep, type Projection, type Sensitivity, type StepKind } from '../lib/funnel-data.js';
import { FormAlert, SelectField, TextField } from './ui.js';
import { palette } from './dashboard-charts.js';

const stepKinds: StepKind[] = ['stage', 'activity', 'sale', 'repeat_sale', 'promoter', 'manual'];
const activityTypes = ['call', 'email', 'meeting', 'visit', 'message', 'task'] as const;

/** While the model is being prepared, pages ask again every few seconds (react-query refetchInterval). */
export const pollWhilePreparing = (q: { state: { data?: { status?: string } | undefined } }) => (q.state.data?.status === 'preparing' ? 5000 : false);

/** Said instead of figures while the pipeline's model is rebuilt after a journey change. */
export function ModelPreparing() {
  const { t } = useI18n();
  return <p className="alert alert--info" role="status">{t('funnel.preparing')}</p>;
}

/** The period every funnel page fits on: the year up to today unless chosen. */
export function useBaseline(timeZone: string) {
  const [to, setTo] = useState(() => zonedDate(timeZone));
  const [from, setFrom] = useState(() => zonedDate(timeZone, -364));
  return { from, to, setFrom, setTo };
}

export function FunnelHeader({ title, baseline, children }: { title: string; baseline?: ReturnType<typeof useBaseline>; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <header className="page__header">
      <h1 id="funnel-title">{title}</h1>
      <nav aria-label={t('funnel.tabs')} className="toolbar">
        <NavLink end to="/funnel" className={({ isActive }) => `button button--ghost${isActive ? ' navlink--active' : ''}`}>{t('funnel.tab.model')}</NavLink>
        <NavLink to="/funnel/scenarios" className={({ isActive }) => `button button--ghost${isActive ? ' navlink--active' : ''}`}>{t('funnel.tab.scenarios')}</NavLink>
        <NavLink to="/funnel/review" className={({ isActive }) => `button button--ghost${isActive ? ' navlink--active' : ''}`}>{t('funnel.tab.review')}</NavLink>
      </nav>
      {baseline && (
        <div className="toolbar">
          <TextField label={t('funnel.from')} type="date" value={baseline.from} max={baseline.to} onChange={(e) => e.target.value && baseline.setFrom(e.target.value)} />
          <TextField label={t('funnel.to')} type="date" value={baseline.to} min={baseline.from} onChange={(e) => e.target.value && baseline.setTo(e.target.value)} />
        </div>
      )}
      {children}
    </header>
  );
}

/** The measured model, one row per step, "—" where there is nothing to divide. */
export function ModelTable({ model }: { model: FunnelModel }) {
  const { t, fmt } = useI18n();
  const pct = (v: number | null) => shareText(v, fmt.locale);
  const money = (v: number | null) => (v === null ? '—' : fmt.money(v));
  return (
    <div className="table-scroll">
      <p className="muted">{t('funnel.summary', { leads: model.leads, won: model.won, deal: money(model.averageDeal), repeat: pct(model.repeatRate) })}</p>
      <table className="table" aria-label={t('funnel.model')}>
        <thead>
          <tr>
            <th scope="col">{t('funnel.col.step')}</th><th scope="col">{t('funnel.col.entrants')}</th><th scope="col">{t('funnel.col.rate')}</th>
            <th scope="col">{t('funnel.col.interval')}</th><th scope="col">{t('funnel.col.median')}</th><th scope="col">{t('funnel.col.cost')}</th>
            <th scope="col">{t('funnel.col.value')}</th><th scope="col">{t('funnel.col.carried')}</th>
          </tr>
        </thead>
        <tbody>
          {model.steps.map((s) => (
            <tr key={s.stepId}>
              <th scope="row">
                {s.name}
                {s.warning && <div className="small warning" role="note">{t(`funnel.warning.${s.warning}`)}</div>}
              </th>
              <td>{s.entrants === null ? '—' : fmt.number(s.entrants)}</td>
              <td>{pct(s.rate)}</td>
              <td>{s.low === null || s.high === null ? '—' : `${pct(s.low)} – ${pct(s.high)}`}</td>
              <td>{s.medianDays === null ? '—' : fmt.number(s.medianDays)}</td>
              <td>{money(s.costPerEntrant)}</td>
              <td>{money(s.valuePerEntrant)}</td>
              <td>{money(s.revenueCarried)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Journey steps of the pipeline: add, reorder, remove (managers and admins). */
export function JourneyEditor({ pipelineId, canEdit }: { pipelineId: string | undefined; canEdit: boolean }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const pipelines = usePipelines();
  const journey = useQuery({
    queryKey: ['funnel', 'journey', pipelineId ?? 'default'],
    queryFn: () => api.get<{ pipelineId: string; steps: JourneyStep[] }>('/funnel/journey', { pipelineId }),
  });
  const [name, setName] = useState('');
  const [kind, setKind] = useState<StepKind>('manual');
  const [stageId, setStageId] = useState('');
  const [activityType, setActivityType] = useState('meeting');
  const [error, setError] = useState<string | null>(null);
  const steps = journey.data?.steps ?? [];
  const pid = journey.data?.pipelineId;
  const openStages = (pipelines.data?.find((p) => p.id === pid)?.stages ?? []).filter((s) => s.kind === 'open');
  const refresh = () => qc.invalidateQueries({ queryKey: ['funnel'] });
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try { await fn(); await refresh(); } catch (e) { setError(errorText(t, e)); }
  };
  const move = (i: number, d: -1 | 1) => run(() => {
    const ids = steps.map((s) => s.id);
    [ids[i], ids[i + d]] = [ids[i + d]!, ids[i]!];
    return request('PUT', '/funnel/journey/order', { body: { pipelineId: pid, stepIds: ids } });
  });
  return (
    <section aria-labelledby="journey-title" className="card">
      <h2 id="journey-title">{t('funnel.journey')}</h2>
      <p className="muted small">{t('funnel.journeyHint')}</p>
      <ol className="funnel-steps">
        {steps.map((s, i) => (
          <li key={s.id}>
            <span>{s.name}</span> <span className="muted small">({t(`funnel.kind.${s.kind}`)})</span>
            {canEdit && (
              <span className="toolbar">
                <button type="button" className="button button--ghost" disabled={i === 0} aria-label={t('funnel.step.up', { name: s.name })} onClick={() => move(i, -1)}>↑</button>
                <button type="button" className="button button--ghost" disabled={i === steps.length - 1} aria-label={t('funnel.step.down', { name: s.name })} onClick={() => move(i, 1)}>↓</button>
                <button type="button" className="button button--ghost" aria-label={t('funnel.step.delete', { name: s.name })} onClick={() => run(() => api.del(`/funnel/steps/${s.id}`))}>✕</button>
              </span>
            )}
          </li>
        ))}
      </ol>
      {canEdit && (
        <form className="toolbar" onSubmit={(e) => {
          e.preventDefault();
          void run(async () => {
            await api.post('/funnel/steps', { pipelineId: pid, name, kind, ...(kind === 'stage' ? { stageId } : {}), ...(kind === 'activity' ? { activityType } : {}) });
            setName('');
          });
        }}>
          <TextField label={t('funnel.step.name')} value={name} required maxLength={120} onChange={(e) => setName(e.target.value)} />
          <SelectField label={t('funnel.step.kind')} value={kind} onChange={(e) => setKind(e.target.value as StepKind)}>
            {stepKinds.map((k) => <option key={k} value={k}>{t(`funnel.kind.${k}`)}</option>)}
          </SelectField>
          {kind === 'stage' && (
            <SelectField label={t('funnel.step.stage')} value={stageId} required onChange={(e) => setStageId(e.target.value)}>
              <option value="" />
              {openStages.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </SelectField>
          )}
          {kind === 'activity' && (
            <SelectField label={t('funnel.step.activityType')} value={activityType} onChange={(e) => setActivityType(e.target.value)}>
              {activityTypes.map((a) => <option key={a} value={a}>{t(`activity.${a}`)}</option>)}
            </SelectField>
          )}
          <button type="submit" className="button">{t('funnel.step.add')}</button>
        </form>
      )}
      {canEdit && steps.some((s) => s.kind === 'manual') && <CountForm steps={steps.filter((s) => s.kind === 'manual')} onSaved={refresh} />}
      <FormAlert message={error} />
    </section>
  );
}

function CountForm({ steps, onSaved }: { steps: JourneyStep[]; onSaved: () => Promise<unknown> }) {
  const { t } = useI18n();
  const [stepId, setStepId] = useState(steps[0]!.id);
  const [count, setCount] = useState('');
  const [periodStart, setStart] = useState('');
  const [periodEnd, setEnd] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form className="toolbar" onSubmit={(e) => {
      e.preventDefault();
      setError(null);
      api.post('/funnel/counts', { stepId, count: Number(count), periodStart, periodEnd })
        .then(async () => { setCount(''); await onSaved(); })
        .catch((err: unknown) => setError(errorText(t, err)));
    }}>
      <SelectField label={t('funnel.count.step')} value={stepId} onChange={(e) => setStepId(e.target.value)}>
        {steps.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
      </SelectField>
      <TextField label={t('funnel.count.value')} type="number" min={0} required value={count} onChange={(e) => setCount(e.target.value)} />
      <TextField label={t('funnel.count.start')} type="date" required value={periodStart} onChange={(e) => setStart(e.target.value)} />
      <TextField label={t('funnel.count.end')} type="date" required value={periodEnd} onChange={(e) => setEnd(e.target.value)} />
      <button type="submit" className="button">{t('funnel.count.add')}</button>
      <FormAlert message={error} />
    </form>
  );
}

/** Cumulative revenue, baseline vs scenario, medians as lines and P10–P90 as bands; the table gives the numbers. */
export function ScenarioChart({ baseline, scenario }: { baseline: Projection; scenario: Projection }) {
  const { t, fmt } = useI18n();
  const rows = chartRows(baseline, scenario);
  const range = (r: { p10: number; p90: number }) => `${fmt.money(r.p10)} – ${fmt.money(r.p90)}`;
  return (
    <figure className="dash-chart" aria-labelledby="funnel-chart-title">
      <figcaption><h2 id="funnel-chart-title">{t('funnel.chart')}</h2></figcaption>
      <div className="dash-chart__plot" role="img" aria-label={t('funnel.chart')} data-testid="funnel-chart">
        <ResponsiveContainer width="100%" height={280}>
          <ComposedChart data={rows} margin={{ top: 8, right: 8, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="month" tick={{ fontSize: 12 }} />
            <YAxis tick={{ fontSize: 12 }} tickFormatter={(v: number) => fmt.number(Math.round(v / 1000)) + 'k'} width={48} />
            <Tooltip formatter={(v: unknown) => (Array.isArray(v) ? `${fmt.money(v[0] as number)} – ${fmt.money(v[1] as number)}` : fmt.money(v as number))} />
            <Legend />
            <Area type="monotone" dataKey="baselineBand" name={`${t('funnel.chart.baseline')} (${t('funnel.chart.range')})`} fill={palette[0]} stroke="none" fillOpacity={0.15} isAnimationActive={false} />
            <Area type="monotone" dataKey="scenarioBand" name={`${t('funnel.chart.scenario')} (${t('funnel.chart.range')})`} fill={palette[1]} stroke="none" fillOpacity={0.2} isAnimationActive={false} />
            <Line type="monotone" dataKey="baseline" name={t('funnel.chart.baseline')} stroke={palette[0]} strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line type="monotone" dataKey="scenario" name={t('funnel.chart.scenario')} stroke={palette[1]} strokeWidth={2} dot={false} isAnimationActive={false} />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <details className="dash-chart__data">
        <summary>{t('dashboard.showTable')}</summary>
        <table className="table">
          <thead><tr><th scope="col">{t('funnel.chart.month')}</th><th scope="col">{t('funnel.chart.baseline')}</th><th scope="col">{t('funnel.chart.scenario')}</th></tr></thead>
          <tbody>
            {baseline.months.map((b, i) => (
              <tr key={b.month}>
                <th scope="row">{b.month}</th>
                <td>{fmt.money(b.cumulativeRevenue.p50)} ({range(b.cumulativeRevenue)})</td>
                <td>{fmt.money(scenario.months[i]!.cumulativeRevenue.p50)} ({range(scenario.months[i]!.cumulativeRevenue)})</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
      <p>{t('funnel.total', {
        months: scenario.months.length, sales: fmt.number(scenario.total.sales.p50), salesRange: `${scenario.total.sales.p10}–${scenario.total.sales.p90}`,
        revenue: fmt.money(scenario.total.revenue.p50), revenueRange: range(scenario.total.revenue),
      })}</p>
    </figure>
  );
}

export function SensitivityTable({ rows }: { rows: Sensitivity }) {
  const { t, fmt } = useI18n();
  return (
    <section aria-labelledby="sensitivity-title">
      <h2 id="sensitivity-title">{t('funnel.sensitivity')}</h2>
      <table className="table">
        <thead><tr><th scope="col">{t('funnel.col.step')}</th><th scope="col">{t('funnel.col.rate')}</th><th scope="col">{t('funnel.sensitivity.gain')}</th></tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.stepId}>
              <th scope="row">{r.name}{i === 0 && <strong className="badge"> {t('funnel.sensitivity.bottleneck')}</strong>}</th>
              <td>{shareText(r.rate, fmt.locale)}</td>
              <td>{fmt.money(r.revenueGain)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
