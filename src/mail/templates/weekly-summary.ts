import type { Locale } from '../../domain/digest.js';
import type { WeeklySummary } from '../../domain/weekly-summary.js';
import { escapeHtml, type RenderedMail } from './digest.js';
import { intlLocale } from './messages.js';

/**
 * The weekly summary email (plain text + simple HTML) in the reader's language. Its words live here,
 * beside the template, as the digest's live beside it; they match the dashboard page's labels.
 */
const es = {
  subject: 'Resumen semanal {week}: {sales}',
  subjectSales: '{n} venta, {amount}|{n} ventas, {amount}',
  greeting: 'Buenos días, {name}:',
  introTeam: 'Así fue la semana de tu equipo ({week}).',
  introWorkspace: 'Así fue la semana en {workspace} ({week}).',
  sales: 'Ventas',
  salesLine: '{n} venta por {amount}|{n} ventas por {amount}',
  objectives: 'Objetivos',
  objectiveLine: '{name}: {actual} de {target} ({share}); a ritmo constante irías por {expected}',
  'status.achieved': 'Conseguido',
  'status.on_pace': 'A buen ritmo',
  'status.behind': 'Por detrás',
  newLeads: 'Prospectos nuevos por fuente',
  newLeadsNone: 'Ningún prospecto nuevo esta semana.',
  conversion: 'Conversión',
  conversionLine: 'De {created} prospectos nuevos, {won} ya ganados ({rate}).',
  closedLine: 'Cerrados en la semana: {won} ganados y {lost} perdidos (tasa de éxito {rate}).',
  nps: 'Satisfacción (NPS)',
  npsLine: 'NPS {nps} con {answers} respuestas.',
  npsNone: 'Sin respuestas de NPS esta semana.',
  overdue: 'Próximas acciones vencidas por comercial',
  overdueNone: 'Ninguna próxima acción vencida.',
  more: 'y {n} más',
  noSource: 'Sin fuente',
  noOwner: 'Sin asignar',
  open: 'Abrir el panel de la semana',
  footer: 'Recibes este resumen cada lunes como responsable en {workspace}.',
  unsubscribe: 'Dejar de recibir este resumen',
  unsubscribeSettings: 'Puedes dejar de recibirlo en Ajustes.',
} as const;

type Key = keyof typeof es;

const en: Record<Key, string> = {
  subject: 'Weekly summary {week}: {sales}',
  subjectSales: '{n} sale, {amount}|{n} sales, {amount}',
  greeting: 'Good morning, {name},',
  introTeam: 'This is how your team\'s week went ({week}).',
  introWorkspace: 'This is how the week went at {workspace} ({week}).',
  sales: 'Sales',
  salesLine: '{n} sale for {amount}|{n} sales for {amount}',
  objectives: 'Objectives',
  objectiveLine: '{name}: {actual} of {target} ({share}); a steady pace would be at {expected}',
  'status.achieved': 'Achieved',
  'status.on_pace': 'On pace',
  'status.behind': 'Behind',
  newLeads: 'New leads by source',
  newLeadsNone: 'No new leads this week.',
  conversion: 'Conversion',
  conversionLine: 'Of {created} new leads, {won} already won ({rate}).',
  closedLine: 'Closed this week: {won} won and {lost} lost (win rate {rate}).',
  nps: 'Satisfaction (NPS)',
  npsLine: 'NPS {nps} from {answers} answers.',
  npsNone: 'No NPS answers this week.',
  overdue: 'Overdue next actions per salesperson',
  overdueNone: 'No overdue next actions.',
  more: 'and {n} more',
  noSource: 'No source',
  noOwner: 'Unassigned',
  open: 'Open this week\'s dashboard',
  footer: 'You get this summary every Monday as a manager at {workspace}.',
  unsubscribe: 'Stop getting this summary',
  unsubscribeSettings: 'You can turn it off in Settings.',
};

const dictionaries: Record<Locale, Record<Key, string>> = { es, en };

function tr(locale: Locale, key: Key, values: Record<string, string | number> = {}, n?: number): string {
  const filled = dictionaries[locale][key].replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? String(values[k]) : m));
  if (n === undefined) return filled;
  const forms = filled.split('|');
  return (n === 1 ? forms[0] : forms[1] ?? forms[0])!;
}

export type WeeklySummaryView = {
  summary: WeeklySummary;
  locale: Locale;
  currency: string;
  userName: string;
  workspaceName: string;
  /** The app's external URL (PUBLIC_URL); without it the email has no links. */
  baseUrl: string | undefined;
  /** The one-click unsubscribe link (RFC 8058); without it the footer points to the settings. */
  unsubscribeUrl?: string | undefined;
};

type Section = { title: string; lines: string[]; href?: string | null };

/** The summary as plain text and HTML; every number is formatted for the reader's language. */
export function renderWeeklySummary(view: WeeklySummaryView): RenderedMail {
  const { locale, summary: s } = view;
  const tag = intlLocale(locale);
  const money = new Intl.NumberFormat(tag, { style: 'currency', currency: view.currency });
  const count = new Intl.NumberFormat(tag);
  const pct = new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 1 });
  const rate = (r: number | null) => (r === null ? '—' : pct.format(r));
  const dayFmt = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', day: 'numeric', month: 'short' });
  const week = `${dayFmt.format(new Date(`${s.from}T12:00:00Z`))} – ${dayFmt.format(new Date(`${s.to}T12:00:00Z`))}`;
  const baseUrl = view.baseUrl?.replace(/\/+$/, '');
  const dashboard = baseUrl ? `${baseUrl}/dashboard?from=${s.from}&to=${s.to}` : null;
  const more = (n: number) => (n > 0 ? [`… ${tr(locale, 'more', { n })}`] : []);
  const name = (r: { id: string; name: string }, none: Key) => (r.id === 'none' ? tr(locale, none) : r.name);

  const objectiveValue = (metric: string, v: number) => (metric === 'sales_amount' ? money.format(v) : count.format(v));
  const sections: Section[] = [
    { title: tr(locale, 'sales'), lines: [tr(locale, 'salesLine', { n: count.format(s.sales.count), amount: money.format(s.sales.amount) }, s.sales.count)], href: dashboard },
    ...(s.objectives.length ? [{
      title: tr(locale, 'objectives'),
      lines: s.objectives.map((o) => `${tr(locale, `status.${o.progress.status}`)} · ${tr(locale, 'objectiveLine', {
        name: o.name, actual: objectiveValue(o.metric, o.progress.actual ?? 0), target: objectiveValue(o.metric, o.progress.target),
        share: rate(o.progress.share), expected: objectiveValue(o.metric, o.progress.expected),
      })}`),
    }] : []),
    {
      title: `${tr(locale, 'newLeads')} (${count.format(s.newLeads.total)})`,
      lines: s.newLeads.bySource.length
        ? [...s.newLeads.bySource.map((r) => `${name(r, 'noSource')}: ${count.format(r.count)}`), ...more(s.newLeads.more)]
        : [tr(locale, 'newLeadsNone')],
      href: dashboard,
    },
    {
      title: tr(locale, 'conversion'),
      lines: [
        tr(locale, 'conversionLine', { created: count.format(s.conversion.created), won: count.format(s.conversion.won), rate: rate(s.conversionRate) }),
        tr(locale, 'closedLine', { won: count.format(s.closed.won), lost: count.format(s.closed.lost), rate: rate(s.winRate) }),
      ],
    },
    {
      title: tr(locale, 'nps'),
      lines: [s.nps.nps === null ? tr(locale, 'npsNone') : tr(locale, 'npsLine', { nps: count.format(s.nps.nps), answers: count.format(s.nps.answers) })],
    },
    {
      title: `${tr(locale, 'overdue')} (${count.format(s.overdue.total)})`,
      lines: s.overdue.bySalesperson.length
        ? [...s.overdue.bySalesperson.map((r) => `${name(r, 'noOwner')}: ${count.format(r.count)}`), ...more(s.overdue.more)]
        : [tr(locale, 'overdueNone')],
      href: baseUrl ? `${baseUrl}/today` : null,
    },
  ];

  const subject = tr(locale, 'subject', { week, sales: tr(locale, 'subjectSales', { n: count.format(s.sales.count), amount: money.format(s.sales.amount) }, s.sales.count) });
  const greeting = tr(locale, 'greeting', { name: view.userName });
  const intro = s.scope === 'team' ? tr(locale, 'introTeam', { week }) : tr(locale, 'introWorkspace', { week, workspace: view.workspaceName });
  const footer = tr(locale, 'footer', { workspace: view.workspaceName });

  const text = [
    greeting, '', intro, '',
    ...sections.flatMap((sec) => [sec.title.toUpperCase(), ...sec.lines.map((l) => `  ${l}`), ...(sec.href ? [`  ${sec.href}`] : []), '']),
    ...(dashboard ? [`${tr(locale, 'open')}: ${dashboard}`, ''] : []),
    '-- ', footer, view.unsubscribeUrl ? `${tr(locale, 'unsubscribe')}: ${view.unsubscribeUrl}` : tr(locale, 'unsubscribeSettings'), '',
  ].join('\n');

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${e(subject)}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1f2933; max-width: 640px; margin: 0 auto; padding: 16px;">
<p>${e(greeting)}</p>
<p>${e(intro)}</p>
${sections.map((sec) => `<h2 style="font-size: 16px; margin: 24px 0 8px;">${sec.href ? `<a href="${e(sec.href)}" style="color: #1f2933;">${e(sec.title)}</a>` : e(sec.title)}</h2>
<ul style="margin: 0; padding-left: 20px;">
${sec.lines.map((l) => `<li style="padding: 2px 0;">${e(l)}</li>`).join('\n')}
</ul>`).join('\n')}
${dashboard ? `<p style="margin-top: 24px;"><a href="${e(dashboard)}" style="color: #1f5fbf;">${e(tr(locale, 'open'))}</a></p>` : ''}
<p style="margin-top: 24px; font-size: 12px; color: #7b8794;">${e(footer)}
${view.unsubscribeUrl ? `<a href="${e(view.unsubscribeUrl)}" style="color: #7b8794;">${e(tr(locale, 'unsubscribe'))}</a>` : e(tr(locale, 'unsubscribeSettings'))}</p>
</body></html>
`;
  return { subject, text, html };
}
