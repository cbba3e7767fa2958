import { useId, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useI18n } from '../i18n/i18n.js';
import type { Pivot, PipelineRow, StageStep } from '../lib/dashboard-data.js';
import { ratioText } from '../lib/dashboard-data.js';
import { DataTable, type Column } from './dashboard-table.js';

// Distinguishable in print and for the common colour-vision deficiencies (Okabe–Ito order).
export const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#5b6475'];

/**
 * A chart with its title, a note, and the same data as a table for screen readers, keyboards and
 * anyone who wants the exact numbers (the table also carries the drill-down links).
 */
export function ChartFigure({ title, note, table, children, actions, empty }: { title: string; note?: string | undefined; table: ReactNode; children: ReactNode; actions?: ReactNode; empty?: boolean }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <figure className="dash-chart" aria-labelledby={id}>
      <figcaption className="dash-block__header"><h3 id={id}>{title}</h3>{actions}</figcaption>
      {empty ? <p className="empty">{t('dashboard.noData')}</p> : (
        <>
          <div className="dash-chart__plot" role="img" aria-label={t('dashboard.chartLabel', { title })}>
            <ResponsiveContainer width="100%" height={260}>{children as never}</ResponsiveContainer>
          </div>
          {note && <p className="muted small">{note}</p>}
          <details className="dash-chart__data">
            <summary>{t('dashboard.showTable')}</summary>
            {table}
          </details>
        </>
      )}
    </figure>
  );
}

const axis = { fontSize: 12, fill: '#5b6475' };

export function FunnelChart({ title, steps, actions, cohortCell }: { title: string; steps: StageStep[]; actions?: ReactNode; cohortCell: (s: StageStep) => ReactNode }) {
  const { t, fmt } = useI18n();
  const columns: Column<StageStep>[] = [
    { header: t('dashboard.stage'), cell: (s) => s.name },
    { header: t('dashboard.reached'), cell: cohortCell, numeric: true },
    { header: t('dashboard.stepRate'), cell: (s) => ratioText(fmt.percent, s.rate), numeric: true },
  ];
  return (
    <ChartFigure title={title} actions={actions} empty={steps.length === 0} table={<DataTable caption={title} columns={columns} rows={steps} rowKey={(s) => s.stageId} />}>
      <BarChart data={steps} layout="vertical" margin={{ left: 8, right: 24 }}>
        <CartesianGrid horizontal={false} stroke="#eef0f3" />
        <XAxis type="number" allowDecimals={false} tick={axis} />
        <YAxis type="category" dataKey="name" width={90} tick={axis} />
        <Tooltip formatter={(v) => fmt.number(Number(v))} />
        <Bar dataKey="reached" name={t('dashboard.reached')} fill={palette[0]} isAnimationActive={false} />
      </BarChart>
    </ChartFigure>
  );
}

export function ForecastChart({ title, rows, monthLabel, actions, countCell }: { title: string; rows: PipelineRow[]; monthLabel: (key: string) => string; actions?: ReactNode; countCell?: (r: PipelineRow) => ReactNode }) {
  const { t, fmt } = useI18n();
  const data = rows.map((r) => ({ ...r, label: monthLabel(r.key) }));
  const columns: Column<(typeof data)[number]>[] = [
    { header: t('dashboard.closeMonth'), cell: (r) => r.label },
    { header: t('dashboard.openLeads'), cell: (r) => (countCell ? countCell(r) : fmt.number(r.count)), numeric: true },
    { header: t('dashboard.amount'), cell: (r) => fmt.money(r.amount), numeric: true },
    { header: t('dashboard.weighted'), cell: (r) => fmt.money(r.weighted), numeric: true },
  ];
  return (
    <ChartFigure title={title} actions={actions} empty={data.length === 0} table={<DataTable caption={title} columns={columns} rows={data} rowKey={(r) => r.key} />}>
      <BarChart data={data} margin={{ left: 8, right: 8 }}>
        <CartesianGrid vertical={false} stroke="#eef0f3" />
        <XAxis dataKey="label" tick={axis} />
        <YAxis tick={axis} width={64} tickFormatter={(v: number) => compact(fmt.locale, v)} />
        <Tooltip formatter={(v) => fmt.money(Number(v))} />
        <Legend />
        <Bar dataKey="amount" name={t('dashboard.amount')} fill={palette[4]} isAnimationActive={false} />
        <Bar dataKey="weighted" name={t('dashboard.weighted')} fill={palette[0]} isAnimationActive={false} />
      </BarChart>
    </ChartFigure>
  );
}

/** Stacked bars of a pivot (rows on the x axis, one colour per series), with its table. */
export function StackedChart(props: {
  title: string; pivot: Pivot; rowLabel: (key: string) => string; seriesLabel: (key: string) => string; rowHeader: string;
  money?: boolean; note?: string | undefined; actions?: ReactNode; cell?: (row: string, series: string, value: number) => ReactNode;
}) {
  const { t, fmt } = useI18n();
  const { pivot: p } = props;
  const show = (n: number) => (props.money ? fmt.money(n) : fmt.number(n));
  type Row = Record<string, number | string>;
  const data: Row[] = p.data.map((d) => ({ ...d, label: props.rowLabel(String(d['key'])) }));
  const columns: Column<Row>[] = [
    { header: props.rowHeader, cell: (d) => d.label },
    ...p.series.map((s): Column<Row> => ({
      header: props.seriesLabel(s), numeric: true,
      cell: (d) => { const v = Number(d[s] ?? 0); return props.cell ? props.cell(String(d['key']), s, v) : show(v); },
    })),
    { header: t('dashboard.total'), numeric: true, cell: (d) => show(p.series.reduce((a, s) => a + Number(d[s] ?? 0), 0)) },
  ];
  return (
    <ChartFigure title={props.title} note={props.note} actions={props.actions} empty={p.rows.length === 0}
      table={<DataTable caption={props.title} columns={columns} rows={data} rowKey={(d) => String(d['key'])} />}>
      <BarChart data={data} margin={{ left: 8, right: 8 }}>
        <CartesianGrid vertical={false} stroke="#eef0f3" />
        <XAxis dataKey="label" tick={axis} />
        <YAxis tick={axis} width={props.money ? 64 : 40} allowDecimals={false} tickFormatter={(v: number) => (props.money ? compact(fmt.locale, v) : String(v))} />
        <Tooltip formatter={(v) => show(Number(v))} />
        <Legend />
        {p.series.map((s, i) => (
          <Bar key={s} dataKey={s} name={props.seriesLabel(s)} stackId="a" fill={palette[i % palette.length]} isAnimationActive={false} />
        ))}
      </BarChart>
    </ChartFigure>
  );
}

/** 12 500 → "12,5 mil" / "12.5K": axis ticks stay short on a phone. */
function compact(locale: string, v: number): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(v);
}
