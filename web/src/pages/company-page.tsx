import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Page } from '../api/types.js';
import { useCustomFields, useUsers } from '../api/lookups.js';
import { errorText, useI18n, type MessageKey } from '../i18n/i18n.js';
import { Empty, ErrorState, Loading } from '../components/ui.js';
import { MergeWithButton } from './duplicates-page.js';
import { LogInteractionForm } from '../components/log-interaction.js';
import { Timeline } from '../components/record-timeline.js';
import { useRecordEditor } from '../components/record-editor.js';
import { CancelRecordDialog, RecordLeads, RecordSales } from '../components/record-related.js';
import { contactName } from '../lib/names.js';
import { toInput } from '../lib/lead-fields.js';
import type { CompanyRecord, ContactRecord } from '../lib/records.js';

const labels: Record<string, MessageKey> = {
  name: 'company.name', sector: 'company.sector', employees: 'company.employees', annualRevenue: 'company.annualRevenue',
  website: 'company.website', email: 'contact.email', phone: 'contact.phone', address: 'record.address', postalCode: 'record.postalCode',
  neighbourhood: 'record.neighbourhood', city: 'record.city', region: 'record.region', country: 'record.country', ownerId: 'record.owner',
};

function CompanyContacts({ companyId }: { companyId: string }) {
  const { t } = useI18n();
  const q = useQuery({ queryKey: ['related', '/contacts', { companyId }], queryFn: () => api.get<Page<ContactRecord>>('/contacts', { companyId, limit: '100' }) });
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const rows = q.data?.data ?? [];
  if (!rows.length) return <Empty>{t('company.noContacts')}</Empty>;
  return (
    <ul className="record-list">
      {rows.map((c) => (
        <li key={c.id}>
          <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
          <span className="muted small">{c.jobTitle ? ` · ${c.jobTitle}` : ''}{c.phone ? ` · ${c.phone}` : ''}</span>
          {c.doNotContact && <> <span className="badge badge--danger">{t('contact.doNotContact')}</span></>}
        </li>
      ))}
    </ul>
  );
}

export function CompanyPage() {
  const { id = '' } = useParams();
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const editor = useRecordEditor<CompanyRecord>(`/companies/${id}`, ['company', id], [['list', '/companies'], ['lookup', 'companies']]);
  const users = useUsers();
  const customFields = useCustomFields('company');
  const [cancelling, setCancelling] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const restore = useMutation({
    mutationFn: (version: number) => api.post<CompanyRecord>(`/companies/${id}/restore`, { version }),
    onSuccess: (c) => { editor.setRecord(c); void queryClient.invalidateQueries({ queryKey: ['list', '/companies'] }); },
  });

  const { record, field } = editor;
  if (record.isLoading) return <Loading />;
  if (record.error || !record.data) {
    return (
      <section className="page">
        {record.error instanceof ApiError && (record.error.status === 404 || record.error.status === 403)
          ? <Empty>{t('company.notFound')}</Empty> : <ErrorState error={record.error} onRetry={() => record.refetch()} />}
        <Link to="/companies">{t('companies.title')}</Link>
      </section>
    );
  }
  const c = record.data;
  const labelOf = (f: string) => {
    const key = labels[f];
    return key ? t(key) : customFields.data?.find((d) => `customFields.${d.key}` === f)?.label ?? f;
  };
  const valueOf = (f: string, v: unknown) => {
    if (f === 'ownerId') return users.data?.find((u) => u.id === v)?.name ?? toInput(v);
    if (f === 'annualRevenue' && typeof v === 'number') return fmt.money(v);
    return toInput(v);
  };

  return (
    <section className="page" aria-labelledby="company-title">
      <header className="page__header">
        <div>
          <p className="muted small"><Link to="/companies">{t('companies.title')}</Link> /</p>
          <h1 id="company-title">{c.name}</h1>
          <p className="muted">{[c.sector, c.city].filter(Boolean).join(' · ')}</p>
        </div>
        <div className="toolbar">
          {c.status === 'active' && <MergeWithButton entity="company" id={id} name={c.name} />}
          {c.status === 'active'
            ? <button type="button" className="button button--ghost" onClick={() => setCancelling(true)}>{t('company.cancel')}</button>
            : <button type="button" className="button" onClick={() => restore.mutate(c.version)} disabled={restore.isPending}>{t('record.restore')}</button>}
        </div>
      </header>
      {restore.error && <p className="alert alert--error" role="alert">{errorText(t, restore.error)}</p>}
      {notice && <p className="alert alert--success" role="status">{notice}</p>}
      {c.status === 'cancelled' && <p className="alert alert--info">{t('record.cancelled')}{c.cancelReason ? `: ${c.cancelReason}` : ''}</p>}

      <div className="lead-layout">
        <div>
          <section className="card" aria-labelledby="company-details">
            <h2 id="company-details">{t('lead.details')}</h2>
            {field('name', t('company.name'), 'text')}
            {field('sector', t('company.sector'), 'text')}
            {field('employees', t('company.employees'), 'integer', { inputMode: 'numeric' })}
            {field('annualRevenue', t('company.annualRevenue'), 'decimal', { inputMode: 'decimal' })}
            {field('website', t('company.website'), 'text')}
            {field('email', t('contact.email'), 'text', { inputMode: 'email' })}
            {field('phone', t('contact.phone'), 'text', { inputMode: 'tel' })}
            {field('ownerId', t('record.owner'), 'select', { children: <><option value="">—</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</> })}
            <h3 className="subhead">{t('record.addressTitle')}</h3>
            {field('address', t('record.address'), 'text')}
            {field('postalCode', t('record.postalCode'), 'text')}
            {field('neighbourhood', t('record.neighbourhood'), 'text')}
            {field('city', t('record.city'), 'text')}
            {field('region', t('record.region'), 'text')}
            {field('country', t('record.country'), 'text')}
            {(customFields.data?.length ?? 0) > 0 && (
              <>
                <h3 className="subhead">{t('lead.customFields')}</h3>
                {customFields.data!.map(editor.customField)}
              </>
            )}
          </section>
          <section className="card" aria-labelledby="company-contacts"><h2 id="company-contacts">{t('contacts.title')}</h2><CompanyContacts companyId={c.id} /></section>
          <section className="card" aria-labelledby="company-leads"><h2 id="company-leads">{t('record.leads')}</h2><RecordLeads about={{ companyId: c.id }} /></section>
          <section className="card" aria-labelledby="company-sales"><h2 id="company-sales">{t('record.sales')}</h2><RecordSales about={{ companyId: c.id }} /></section>
        </div>
        <div>
          {c.status === 'active' && (
            <section className="card" aria-labelledby="log-title">
              <h2 id="log-title">{t('log.title')}</h2>
              <LogInteractionForm key={formKey} target={{ kind: 'company', companyId: c.id, name: c.name }}
                onDone={() => { setFormKey((k) => k + 1); setNotice(t('log.saved')); }} />
            </section>
          )}
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t('lead.timeline')}</h2>
            <Timeline companyId={c.id} />
          </section>
        </div>
      </div>
      {editor.conflictDialog(labelOf, valueOf)}
      {cancelling && (
        <CancelRecordDialog path={`/companies/${id}`} version={c.version} title={t('company.cancel')} onClose={() => setCancelling(false)}
          onDone={() => { setCancelling(false); void record.refetch(); void queryClient.invalidateQueries({ queryKey: ['list', '/companies'] }); }} />
      )}
    </section>
  );
}
