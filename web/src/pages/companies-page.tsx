import { useDeferredValue, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useI18n } from '../i18n/i18n.js';
import { useCursorList } from '../lib/use-list.js';
import { api } from '../api/client.js';
import { useUsers } from '../api/lookups.js';
import { Dialog, Empty, ErrorState, FormAlert, Loading, SelectField, TextField, formErrors } from '../components/ui.js';
import { LoadMore, SortHeader } from '../components/record-list-bits.js';
import type { CompanyRecord } from '../lib/records.js';
import { ExportMenu } from '../components/export-menu.js';
import { CaptureAssist } from '../components/capture-check.js';

function NewCompanyDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ name: '', sector: '', city: '', phone: '', email: '' });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const create = useMutation({
    mutationFn: () => api.post<CompanyRecord>('/companies', {
      name: form.name, sector: form.sector || null, city: form.city || null, phone: form.phone || null, email: form.email || null,
    }),
    onSuccess: async (c) => {
      await queryClient.invalidateQueries({ queryKey: ['list', '/companies'] });
      await queryClient.invalidateQueries({ queryKey: ['lookup', 'companies'] });
      navigate(`/companies/${c.id}`);
    },
  });
  // "Usar este": the existing company gets the typed non-empty values instead of a new company.
  const useExisting = useMutation({
    mutationFn: (id: string) => api.patch<CompanyRecord>(`/companies/${id}`, Object.fromEntries(Object.entries(form).filter(([, v]) => v.trim() !== ''))),
    onSuccess: async (c) => {
      await queryClient.invalidateQueries({ queryKey: ['list', '/companies'] });
      navigate(`/companies/${c.id}`);
    },
  });
  const { fields, general } = formErrors(t, create.error ?? useExisting.error);
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <Dialog open title={t('companies.new')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={general} />
        <TextField label={t('company.name')} value={form.name} onChange={set('name')} error={fields['name']} required autoFocus />
        <TextField label={t('company.sector')} value={form.sector} onChange={set('sector')} error={fields['sector']} />
        <TextField label={t('record.city')} value={form.city} onChange={set('city')} error={fields['city']} />
        <TextField label={t('contact.phone')} type="tel" value={form.phone} onChange={set('phone')} error={fields['phone']} />
        <TextField label={t('contact.email')} type="email" value={form.email} onChange={set('email')} error={fields['email']} />
        <CaptureAssist entity="company" values={{ name: form.name, phone: form.phone, email: form.email }} busy={create.isPending || useExisting.isPending}
          onUse={(id) => useExisting.mutate(id)} onCreateAnyway={() => create.mutate()} />
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={create.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function CompaniesPage() {
  const { t, fmt } = useI18n();
  const users = useUsers();
  const [q, setQ] = useState('');
  const [ownerId, setOwnerId] = useState('');
  const [city, setCity] = useState('');
  const [sector, setSector] = useState('');
  const [includeCancelled, setIncludeCancelled] = useState(false);
  const [sort, setSort] = useState('name');
  const [adding, setAdding] = useState(false);
  const query = useDeferredValue(q);
  const cityQuery = useDeferredValue(city.trim());
  const sectorQuery = useDeferredValue(sector.trim());
  const listQuery = {
    q: query, ownerId, city: cityQuery, sector: sectorQuery, sort, includeCancelled: includeCancelled ? 'true' : undefined,
  };
  const list = useCursorList<CompanyRecord>('/companies', listQuery);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const userName = (id: string | null) => users.data?.find((u) => u.id === id)?.name ?? '';
  return (
    <section className="page" aria-labelledby="companies-title">
      <header className="page__header">
        <h1 id="companies-title">{t('companies.title')}</h1>
        <div className="toolbar">
          <label className="visually-hidden" htmlFor="companies-search">{t('companies.search')}</label>
          <input id="companies-search" type="search" placeholder={t('companies.search')} value={q} onChange={(e) => setQ(e.target.value)} />
          <ExportMenu resource="companies" query={listQuery} />
          <button type="button" className="button button--primary" onClick={() => setAdding(true)}>{t('companies.new')}</button>
        </div>
      </header>
      <div className="filters" role="group" aria-label={t('leads.filters')}>
        <SelectField label={t('record.owner')} value={ownerId} onChange={(e) => setOwnerId(e.target.value)}>
          <option value="">{t('leads.allOwners')}</option>{users.data?.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </SelectField>
        <TextField label={t('record.city')} value={city} onChange={(e) => setCity(e.target.value)} />
        <TextField label={t('company.sector')} value={sector} onChange={(e) => setSector(e.target.value)} />
        <label className="checkbox-label"><input type="checkbox" checked={includeCancelled} onChange={(e) => setIncludeCancelled(e.target.checked)} /> {t('record.includeCancelled')}</label>
      </div>
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : rows.length === 0 ? <Empty>{t('common.empty')}</Empty> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <SortHeader label={t('companies.name')} column="name" sort={sort} onSort={setSort} />
              <th scope="col">{t('companies.sector')}</th><th scope="col">{t('companies.city')}</th>
              <th scope="col">{t('companies.phone')}</th><th scope="col">{t('record.owner')}</th>
              <SortHeader label={t('record.createdAt')} column="createdAt" sort={sort} onSort={setSort} />
            </tr></thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id} className={c.status === 'cancelled' ? 'row--cancelled' : undefined}>
                  <td><Link to={`/companies/${c.id}`}>{c.name}</Link></td><td>{c.sector}</td><td>{c.city}</td><td>{c.phone}</td>
                  <td>{userName(c.ownerId)}</td><td>{fmt.date(c.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <LoadMore hasNextPage={list.hasNextPage} isFetching={list.isFetchingNextPage} fetchNextPage={list.fetchNextPage} />
      {adding && <NewCompanyDialog onClose={() => setAdding(false)} />}
    </section>
  );
}
