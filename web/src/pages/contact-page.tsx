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
import { ContactScorePanel } from '../components/score-panel.js';
import { useRecordEditor } from '../components/record-editor.js';
import { CancelRecordDialog, RecordComplaints, RecordFollowUps, RecordLeads, RecordSales } from '../components/record-related.js';
import { ProfilePanel } from '../components/profile-panel.js';
import { contactName } from '../lib/names.js';
import { toInput } from '../lib/lead-fields.js';
import type { CompanyRecord, ContactRecord } from '../lib/records.js';

export const lifecycleKey = (l: string) => `contact.lifecycle.${l}` as MessageKey;

const labels: Record<string, MessageKey> = {
  firstName: 'contact.firstName', lastName: 'contact.lastName', secondLastName: 'contact.secondLastName', jobTitle: 'contact.jobTitle',
  email: 'contact.email', phone: 'contact.phone', address: 'record.address', postalCode: 'record.postalCode', neighbourhood: 'record.neighbourhood',
  city: 'record.city', region: 'record.region', country: 'record.country', birthDate: 'contact.birthDate', maritalStatus: 'contact.maritalStatus',
  contactPreference: 'contact.contactPreference', lifecycle: 'contact.lifecycle', companyId: 'contact.company', ownerId: 'record.owner',
  doNotContact: 'contact.doNotContact', occupation: 'profile.occupation', bestTimeToContact: 'profile.bestTime',
};

/** Companies for the contact's company picker: the first 500 by name is plenty for a select. */
export const useCompanyOptions = () => useQuery({
  queryKey: ['lookup', 'companies'], staleTime: 60_000,
  queryFn: async () => (await api.get<Page<CompanyRecord>>('/companies', { limit: '500' })).data,
});

export function ContactPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const editor = useRecordEditor<ContactRecord>(`/contacts/${id}`, ['contact', id], [['list', '/contacts']]);
  const users = useUsers();
  const companies = useCompanyOptions();
  const customFields = useCustomFields('contact');
  const [cancelling, setCancelling] = useState(false);
  const [formKey, setFormKey] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const restore = useMutation({
    mutationFn: (version: number) => api.post<ContactRecord>(`/contacts/${id}/restore`, { version }),
    onSuccess: (c) => { editor.setRecord(c); void queryClient.invalidateQueries({ queryKey: ['list', '/contacts'] }); },
  });

  const { record } = editor;
  if (record.isLoading) return <Loading />;
  if (record.error || !record.data) {
    return (
      <section className="page">
        {record.error instanceof ApiError && (record.error.status === 404 || record.error.status === 403)
          ? <Empty>{t('contact.notFound')}</Empty> : <ErrorState error={record.error} onRetry={() => record.refetch()} />}
        <Link to="/contacts">{t('contacts.title')}</Link>
      </section>
    );
  }
  const c = record.data;
  const name = contactName(c);
  const { field } = editor;
  const labelOf = (f: string) => {
    const key = labels[f];
    return key ? t(key) : customFields.data?.find((d) => `customFields.${d.key}` === f)?.label ?? f;
  };
  const valueOf = (f: string, v: unknown) => {
    if (f === 'ownerId') return users.data?.find((u) => u.id === v)?.name ?? toInput(v);
    if (f === 'companyId') return companies.data?.find((x) => x.id === v)?.name ?? toInput(v);
    if (typeof v === 'boolean') return t(v ? 'common.yes' : 'common.no');
    return toInput(v);
  };

  return (
    <section className="page" aria-labelledby="contact-title">
      <header className="page__header">
        <div>
          <p className="muted small"><Link to="/contacts">{t('contacts.title')}</Link> /</p>
          <h1 id="contact-title">{name}</h1>
          <p className="muted">
            <span className="badge">{t(lifecycleKey(c.lifecycle))}</span>
            {c.jobTitle ? ` · ${c.jobTitle}` : ''}
            {c.companyId && c.companyName ? <> · <Link to={`/companies/${c.companyId}`}>{c.companyName}</Link></> : null}
          </p>
        </div>
        <div className="toolbar">
          {c.status === 'active' && <MergeWithButton entity="contact" id={id} name={name} />}
          {c.status === 'active'
            ? <button type="button" className="button button--ghost" onClick={() => setCancelling(true)}>{t('contact.cancel')}</button>
            : <button type="button" className="button" onClick={() => restore.mutate(c.version)} disabled={restore.isPending}>{t('record.restore')}</button>}
        </div>
      </header>
      {restore.error && <p className="alert alert--error" role="alert">{errorText(t, restore.error)}</p>}
      {notice && <p className="alert alert--success" role="status">{notice}</p>}
      {c.doNotContact && (
        <p className="alert alert--warning do-not-contact" role="note"><strong>{t('contact.doNotContact')}</strong> — {t('contact.doNotContactExplained')}</p>
      )}
      {c.status === 'cancelled' && <p className="alert alert--info">{t('record.cancelled')}{c.cancelReason ? `: ${c.cancelReason}` : ''}</p>}

      <div className="lead-layout">
        <div>
          <section className="card" aria-labelledby="contact-details">
            <h2 id="contact-details">{t('lead.details')}</h2>
            {field('firstName', t('contact.firstName'), 'text')}
            {field('lastName', t('contact.lastName'), 'text')}
            {field('secondLastName', t('contact.secondLastName'), 'text')}
            {field('jobTitle', t('contact.jobTitle'), 'text')}
            {field('email', t('contact.email'), 'text', { inputMode: 'email' })}
            {field('phone', t('contact.phone'), 'text', { inputMode: 'tel' })}
            {field('companyId', t('contact.company'), 'select', { children: <><option value="">—</option>{companies.data?.map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}</> })}
            {field('ownerId', t('record.owner'), 'select', { children: <><option value="">—</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</> })}
            <div className="inline-field">
              <label htmlFor="f-doNotContact">{t('contact.doNotContact')}</label>
              <input id="f-doNotContact" type="checkbox" checked={c.doNotContact} onChange={(e) => void editor.save('doNotContact', e.target.checked)} />
              {editor.errors['doNotContact'] && <small className="field__error" role="alert">{editor.errors['doNotContact']}</small>}
            </div>
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
          <section className="card" aria-labelledby="contact-leads"><h2 id="contact-leads">{t('record.leads')}</h2><RecordLeads about={{ contactId: c.id }} /></section>
          <section className="card" aria-labelledby="contact-sales"><h2 id="contact-sales">{t('record.sales')}</h2><RecordSales about={{ contactId: c.id }} /></section>
          <section className="card" aria-labelledby="contact-follow-ups"><h2 id="contact-follow-ups">{t('followUps.title')}</h2><RecordFollowUps contactId={c.id} /></section>
          <section className="card" aria-labelledby="contact-complaints"><h2 id="contact-complaints">{t('complaints.title')}</h2><RecordComplaints contactId={c.id} /></section>
        </div>
        <div>
          <ProfilePanel contact={c} field={field} />
          <ContactScorePanel contactId={c.id} version={c.version} />
          {c.status === 'active' && (
            <section className="card" aria-labelledby="log-title">
              <h2 id="log-title">{t('log.title')}</h2>
              <LogInteractionForm key={formKey} target={{ kind: 'contact', contactId: c.id, companyId: c.companyId, name, doNotContact: c.doNotContact }}
                onDone={() => { setFormKey((k) => k + 1); setNotice(t('log.saved')); void record.refetch(); }} />
            </section>
          )}
          <section className="card" aria-labelledby="timeline-title">
            <h2 id="timeline-title">{t('lead.timeline')}</h2>
            <Timeline contactId={c.id} />
          </section>
        </div>
      </div>
      {editor.conflictDialog(labelOf, valueOf)}
      {cancelling && (
        <CancelRecordDialog path={`/contacts/${id}`} version={c.version} title={t('contact.cancel')} onClose={() => setCancelling(false)}
          onDone={() => { setCancelling(false); void record.refetch(); void queryClient.invalidateQueries({ queryKey: ['list', '/contacts'] }); }} />
      )}
    </section>
  );
}
