import type { ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { byId, useUsers } from '../api/lookups.js';
import type { Activity, Lead } from '../api/types.js';
import { useI18n, type MessageKey, type T } from '../i18n/i18n.js';
import type { Formatters } from '../lib/format.js';
import type { CampaignRecord, ComplaintRecord, ContactRecord, SaleRecord } from '../lib/records.js';
import type { components } from '../api/openapi.js';
import { useCursorList } from '../lib/use-list.js';
import { recordsQuery, type RecordList } from '../lib/dashboard-data.js';
import { activityKeyOf, statusLabelKey } from '../lib/labels.js';
import { complaintCategoryKey, complaintStatusKey } from '../components/record-related.js';
import { LoadMore } from '../components/record-list-bits.js';
import { ClientName } from '../components/dashboard-card.js';
import { DataTable, type Column } from '../components/dashboard-table.js';
import { Empty, ErrorState, Loading } from '../components/ui.js';
import '../components/dashboard-styles.css';

type Feedback = components['schemas']['Feedback'];
type AnyRecord = { id: string };
type Ctx = { t: T; fmt: Formatters; userName: (id: string | null | undefined) => string };

const titleKey: Record<RecordList, MessageKey> = {
  leads: 'dashboard.records.leads', sales: 'dashboard.records.sales', contacts: 'dashboard.records.contacts', complaints: 'dashboard.records.complaints',
  feedback: 'dashboard.records.feedback', activities: 'dashboard.records.activities', campaigns: 'dashboard.records.campaigns',
};

/** The columns each list shows; the first one links to the record. */
function columnsOf(list: RecordList, { t, fmt, userName }: Ctx): Column<AnyRecord>[] {
  const c = <R,>(header: string, cell: (r: R) => ReactNode, numeric = false): Column<AnyRecord> => ({ header, cell: cell as (r: AnyRecord) => ReactNode, numeric });
  switch (list) {
    case 'leads': return [
      c<Lead>(t('lead.title'), (l) => <Link to={`/leads/${l.id}`}>{l.title || l.contactName || l.companyName || '—'}</Link>),
      c<Lead>(t('lead.contact'), (l) => l.contactName ?? l.companyName ?? '—'),
      c<Lead>(t('lead.stage'), (l) => l.stageName ?? ''),
      c<Lead>(t('lead.status'), (l) => t(statusLabelKey[l.status])),
      c<Lead>(t('lead.amount'), (l) => fmt.money(l.amount, l.currency), true),
      c<Lead>(t('lead.source'), (l) => l.sourceName ?? '—'),
      c<Lead>(t('lead.owner'), (l) => l.ownerName ?? '—'),
      c<Lead>(t('record.createdAt'), (l) => fmt.date(l.createdAt)),
    ];
    case 'sales': return [
      c<SaleRecord>(t('dashboard.col.date'), (s) => fmt.date(s.soldAt)),
      c<SaleRecord>(t('dashboard.client'), (s) => <ClientName clientKey={s.contactId ? `contact:${s.contactId}` : s.companyId ? `company:${s.companyId}` : null} />),
      c<SaleRecord>(t('dashboard.col.total'), (s) => fmt.money(s.total, s.currency), true),
      c<SaleRecord>(t('lead.owner'), (s) => userName(s.ownerId)),
      c<SaleRecord>(t('dashboard.records.leads'), (s) => (s.leadId ? <Link to={`/leads/${s.leadId}`}>{t('dashboard.records.leads')}</Link> : '—')),
    ];
    case 'contacts': return [
      c<ContactRecord>(t('dashboard.col.name'), (x) => <Link to={`/contacts/${x.id}`}>{[x.firstName, x.lastName, x.secondLastName].filter(Boolean).join(' ')}</Link>),
      c<ContactRecord>(t('dashboard.col.email'), (x) => x.email ?? '—'),
      c<ContactRecord>(t('contact.lifecycle'), (x) => t(`contact.lifecycle.${x.lifecycle}`)),
      c<ContactRecord>(t('lead.owner'), (x) => userName(x.ownerId)),
    ];
    case 'complaints': return [
      c<ComplaintRecord>(t('record.createdAt'), (x) => <Link to={`/complaints/${x.id}`}>{fmt.date(x.createdAt)}</Link>),
      c<ComplaintRecord>(t('dashboard.category'), (x) => t(complaintCategoryKey(x.category))),
      c<ComplaintRecord>(t('lead.contact'), (x) => (x.contactId ? <Link to={`/contacts/${x.contactId}`}>{x.contactName}</Link> : '—')),
      c<ComplaintRecord>(t('dashboard.col.status'), (x) => t(complaintStatusKey(x.status))),
      c<ComplaintRecord>(t('lead.owner'), (x) => x.ownerName ?? '—'),
    ];
    case 'feedback': return [
      c<Feedback>(t('dashboard.col.date'), (x) => fmt.date(x.answeredAt)),
      c<Feedback>(t('lead.contact'), (x) => (x.contactId ? <Link to={`/contacts/${x.contactId}`}>{x.contactName}</Link> : '—')),
      c<Feedback>('NPS', (x) => (x.nps === null ? '—' : fmt.number(x.nps)), true),
      c<Feedback>(t('dashboard.satisfaction'), (x) => (x.satisfaction === null ? '—' : fmt.number(x.satisfaction)), true),
      c<Feedback>(t('dashboard.col.comment'), (x) => x.comment ?? ''),
    ];
    case 'activities': return [
      c<Activity>(t('dashboard.col.date'), (a) => fmt.dateTime(a.occurredAt ?? a.doneAt ?? a.dueAt)),
      c<Activity>(t('dashboard.col.type'), (a) => { const k = activityKeyOf(a.type); return k ? t(k) : a.type; }),
      c<Activity>(t('dashboard.col.subject'), (a) => {
        const label = a.subject || '—';
        return a.leadId ? <Link to={`/leads/${a.leadId}`}>{label}</Link> : a.contactId ? <Link to={`/contacts/${a.contactId}`}>{label}</Link> : label;
      }),
      c<Activity>(t('lead.owner'), (a) => a.userName ?? userName(a.userId)),
    ];
    case 'campaigns': return [
      c<CampaignRecord>(t('dashboard.col.name'), (x) => x.name),
      c<CampaignRecord>(t('dashboard.col.period'), (x) => [x.startsOn, x.endsOn].filter(Boolean).join(' – ') || '—'),
      c<CampaignRecord>(t('dashboard.cost'), (x) => fmt.money(x.cost), true),
    ];
  }
}

/**
 * The records behind one dashboard number: the drill-down link of the card (an API list query)
 * run as it is, so the list is exactly what the number counted.
 */
export function DashboardRecordsPage() {
  const { t, fmt } = useI18n();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const users = useUsers();
  const userById = byId(users.data);
  const parsed = recordsQuery(params);
  const list = useCursorList<AnyRecord>(parsed ? `/${parsed.list}` : '/leads', parsed?.query ?? {}, 100);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const back = (
    <a href="/dashboard" onClick={(e) => { e.preventDefault(); if (window.history.length > 1) navigate(-1); else navigate('/dashboard'); }}>
      ← {t('dashboard.records.back')}
    </a>
  );
  if (!parsed) {
    return (
      <section className="page" aria-labelledby="records-title">
        <header className="page__header"><h1 id="records-title">{t('dashboard.records.title')}</h1></header>
        <p>{t('dashboard.records.unknown')}</p>
        <p>{back}</p>
      </section>
    );
  }
  const columns = columnsOf(parsed.list, { t, fmt, userName: (id) => (id ? userById.get(id)?.name ?? '' : '—') });
  return (
    <section className="page" aria-labelledby="records-title">
      <header className="page__header">
        <h1 id="records-title">{t(titleKey[parsed.list])}</h1>
        <p className="muted" aria-live="polite" data-testid="records-count">
          {list.isLoading ? t('app.loading') : t('dashboard.records.count', { count: fmt.number(rows.length) })}{list.hasNextPage ? '+' : ''}
        </p>
        <div className="toolbar">{back}</div>
      </header>
      {list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : list.isLoading ? <Loading /> : rows.length === 0 ? <Empty>{t('dashboard.records.empty')}</Empty> : (
        <div className="dash-records">
          <DataTable caption={t(titleKey[parsed.list])} columns={columns} rows={rows} rowKey={(r) => r.id} />
        </div>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetching={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
    </section>
  );
}
