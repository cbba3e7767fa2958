import { useDeferredValue, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../i18n/i18n.js';
import { useCursorList } from '../lib/use-list.js';
import { api } from '../api/client.js';
import { useUsers } from '../api/lookups.js';
import { Dialog, Empty, ErrorState, FormAlert, Loading, SelectField, TextField, formErrors } from '../components/ui.js';
import { LoadMore, SortHeader } from '../components/record-list-bits.js';
import { contactName } from '../lib/names.js';
import { lifecycles, type ContactRecord } from '../lib/records.js';
import { lifecycleKey, useCompanyOptions } from './contact-page.js';
import { CaptureAssist } from '../components/capture-check.js';
import { ExportMenu } from '../components/export-menu.js';
import { SegmentOptions } from '../components/segment-editor.js';

function NewContactDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const companies = useCompanyOptions();
  const [form, setForm] = useState({ firstName: '', lastName: '', secondLastName: '', email: '', phone: '', postalCode: '', companyId: '', lifecycle: '' });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const create = useMutation({
    mutationFn: () => api.post<ContactRecord>('/contacts', {
      firstName: form.firstName, lastName: form.lastName || null, secondLastName: form.secondLastName || null, email: form.email || null, phone: form.phone || null,
      postalCode: form.postalCode || null, companyId: form.companyId || null,
      // Empty: derived from sales and leads (docs/profile.md); a value is a lifecycle set by hand.
      lifecycle: form.lifecycle || null,
    }),
    onSuccess: async (c) => { await queryClient.invalidateQueries({ queryKey: ['list', '/contacts'] }); navigate(`/contacts/${c.id}`); },
  });
  // "Usar este": the existing contact gets the typed non-empty values instead of a new contact.
  const useExisting = useMutation({
    mutationFn: (id: string) => api.patch<ContactRecord>(`/contacts/${id}`, Object.fromEntries(
      Object.entries({ firstName: form.firstName, lastName: form.lastName, secondLastName: form.secondLastName, email: form.email, phone: form.phone, postalCode: form.postalCode })
        .filter(([, v]) => v.trim() !== ''))),
    onSuccess: async (c) => { await queryClient.invalidateQueries({ queryKey: ['list', '/contacts'] }); navigate(`/contacts/${c.id}`); },
  });
  const { fields, general } = formErrors(t, create.error ?? useExisting.error);
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <Dialog open title={t('contacts.new')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={general} />
        <TextField label={t('contact.firstName')} value={form.firstName} onChange={set('firstName')} error={fields['firstName']} required autoFocus />
        <TextField label={t('contact.lastName')} value={form.lastName} onChange={(e) => setForm((f) => ({ ...f, lastName: e.target.value, secondLastName: '' }))} error={fields['lastName'] ?? fields['secondLastName']} />
        <TextField label={t('contact.email')} type="email" value={form.email} onChange={set('email')} error={fields['email']} />
        <TextField label={t('contact.phone')} type="tel" value={form.phone} onChange={set('phone')} error={fields['phone']} />
        <TextField label={t('capture.field.postalCode')} value={form.postalCode} onChange={set('postalCode')} error={fields['postalCode']} autoComplete="postal-code" />
        {form.secondLastName && <p className="field__hint">{t('capture.field.secondLastName')}: {form.secondLastName}</p>}
        <CaptureAssist entity="contact" busy={create.isPending || useExisting.isPending}
          values={{ firstName: form.firstName, lastName: form.lastName, secondLastName: form.secondLastName, email: form.email, phone: form.phone, postalCode: form.postalCode }}
          onSplit={(v) => setForm((f) => ({ ...f, lastName: v['lastName'] ?? f.lastName, secondLastName: v['secondLastName'] ?? '' }))}
          onUse={(id) => useExisting.mutate(id)} onCreateAnyway={() => create.mutate()} />
        <SelectField label={t('contact.company')} value={form.companyId} onChange={set('companyId')} error={fields['companyId']}>
          <option value="">—</option>{companies.data?.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </SelectField>
        <SelectField label={t('contact.lifecycle')} value={form.lifecycle} onChange={set('lifecycle')} error={fields['lifecycle']}>
          <option value="">{t('profile.lifecycleAuto', { value: t(lifecycleKey('prospect')) })}</option>
          {lifecycles.map((l) => <option key={l} value={l}>{t(lifecycleKey(l))}</option>)}
        </SelectField>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={create.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function ContactsPage() {
  const { t, fmt } = useI18n();
  const users = useUsers();
  // A link can open the list already filtered (the portfolios page drills down by owner and lifecycle).
  const [params] = useSearchParams();
  const [q, setQ] = useState('');
  const [ownerId, setOwnerId] = useState(() => params.get('ownerId') ?? '');
  const [lifecycle, setLifecycle] = useState(() => params.get('lifecycle') ?? '');
  const [segmentId, setSegmentId] = useState(() => params.get('segmentId') ?? '');
  const [city, setCity] = useState('');
  const [doNotContact, setDoNotContact] = useState('');
  const [includeCancelled, setIncludeCancelled] = useState(false);
  const [sort, setSort] = useState('name');
  const [adding, setAdding] = useState(false);
  const query = useDeferredValue(q);
  const cityQuery = useDeferredValue(city.trim());
  const listQuery = {
    q: query, ownerId, lifecycle, segmentId, city: cityQuery, doNotContact, sort, includeCancelled: includeCancelled ? 'true' : undefined,
  };
  const list = useCursorList<ContactRecord>('/contacts', listQuery);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  return (
    <section className="page" aria-labelledby="contacts-title">
      <header className="page__header">
        <h1 id="contacts-title">{t('contacts.title')}</h1>
        <div className="toolbar">
          <label className="visually-hidden" htmlFor="contacts-search">{t('contacts.search')}</label>
          <input id="contacts-search" type="search" placeholder={t('contacts.search')} value={q} onChange={(e) => setQ(e.target.value)} />
          <ExportMenu resource="contacts" query={listQuery} />
          <Link className="button" to="/imports">{t('imports.fromContacts')}</Link>
          <button type="button" className="button button--primary" onClick={() => setAdding(true)}>{t('contacts.new')}</button>
        </div>
      </header>
      <div className="filters" role="group" aria-label={t('leads.filters')}>
        <SelectField label={t('segments.picker')} value={segmentId} onChange={(e) => setSegmentId(e.target.value)}>
          <option value="">{t('segments.pickerAll')}</option><SegmentOptions />
        </SelectField>
        <SelectField label={t('record.owner')} value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
          <option value="">{t('leads.allOwners')}</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </SelectField>
        <SelectField label={t('contact.lifecycle')} value={lifecycle} onChange={(e) => setLifecycle(e.target.value)}>
          <option value="">{t('common.all')}</option>{lifecycles.map((l) => <option key={l} value={l}>{t(lifecycleKey(l))}</option>)}
        </SelectField>
        <TextField label={t('record.city')} value={city} onChange={(e) => setCity(e.target.value)} />
        <SelectField label={t('contact.doNotContact')} value={doNotContact} onChange={(e) => setDoNotContact(e.target.value)}>
          <option value="">{t('common.all')}</option><option value="true">{t('common.yes')}</option><option value="false">{t('common.no')}</option>
        </SelectField>
        <label className="checkbox-label"><input type="checkbox" checked={includeCancelled} onChange={(e) => setIncludeCancelled(e.target.checked)} /> {t('record.includeCancelled')}</label>
      </div>
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : rows.length === 0 ? <Empty>{t('common.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <SortHeader label={t('contacts.name')} column="name" sort={sort} onSort={setSort} />
              <th scope="col">{t('contacts.jobTitle')}</th><th scope="col">{t('contact.company')}</th>
              <th scope="col">{t('contacts.email')}</th><th scope="col">{t('contacts.phone')}</th><th scope="col">{t('record.city')}</th>
              <th scope="col">{t('contact.lifecycle')}</th>
              <SortHeader label={t('contacts.lastActivity')} column="lastActivityAt" sort={sort} onSort={setSort} />
              <SortHeader label={t('record.createdAt')} column="createdAt" sort={sort} onSort={setSort} />
            </tr></thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id} className={c.status === 'cancelled' ? 'row--cancelled' : undefined}>
                  <td>
                    <Link to={`/contacts/${c.id}`}>{contactName(c)}</Link>
                    {c.doNotContact && <> <span className="badge badge--danger" title={t('contact.doNotContactExplained')}>{t('contact.doNotContactShort')}</span></>}
                  </td>
                  <td>{c.jobTitle}</td>
                  <td>{c.companyId ? <Link to={`/companies/${c.companyId}`}>{c.companyName}</Link> : null}</td>
                  <td>{c.email}</td><td>{c.phone}</td><td>{c.city}</td>
                  <td>{t(lifecycleKey(c.lifecycle))}</td>
                  <td>{fmt.date(c.lastActivityAt)}</td>
                  <td>{fmt.date(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetching={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {adding && <NewContactDialog onClose={() => setAdding(false)} />}
    </section>
  );
}
