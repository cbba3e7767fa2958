import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { Lead, Page } from '../api/types.js';
import { byId, useProducts } from '../api/lookups.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { Dialog, Empty, ErrorState, FormAlert, Loading, SelectField, TextAreaField, TextField, formErrors } from './ui.js';
import { NextActionCell } from './lead-bits.js';
import { statusLabelKey } from '../lib/labels.js';
import { complaintCategories, type ComplaintRecord, type FollowUpRecord, type SaleRecord } from '../lib/records.js';

type About = { contactId: string } | { companyId: string };

const firstPage = <T,>(path: string, about: About, extra: Record<string, string> = {}) =>
  ({ queryKey: ['related', path, about, extra], queryFn: () => api.get<Page<T>>(path, { ...about, limit: '50', ...extra }) });

export const complaintCategoryKey = (c: string) => `complaints.category.${c}` as MessageKey;
export const complaintStatusKey = (s: string) => `complaints.status.${s}` as MessageKey;
export const complaintResolutionKey = (r: string) => `complaints.resolution.${r}` as MessageKey;
export const followUpStatusKey = (s: string) => `followUps.status.${s}` as MessageKey;

/** The leads of a contact or company, cancelled ones included so nothing seems lost. */
export function RecordLeads({ about }: { about: About }) {
  const { t, fmt } = useI18n();
  const q = useQuery(firstPage<Lead>('/leads', about, { includeCancelled: 'true', sort: '-createdAt' }));
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const rows = q.data?.data ?? [];
  if (!rows.length) return <Empty>{t('record.noLeads')}</Empty>;
  return (
    <ul className="record-list">
      {rows.map((l) => (
        <li key={l.id}>
          <Link to={`/leads/${l.id}`}>{l.title}</Link>
          <span className="muted small"> · {l.stageName ?? ''} · {t(statusLabelKey[l.status])} · {fmt.money(l.amount, l.currency)}</span>
          <span className="small"> · <NextActionCell lead={l} /></span>
        </li>
      ))}
    </ul>
  );
}

export function RecordSales({ about }: { about: About }) {
  const { t, fmt } = useI18n();
  const products = useProducts();
  const productById = byId(products.data);
  const q = useQuery(firstPage<SaleRecord>('/sales', about, { sort: '-soldAt' }));
  const [complaintFor, setComplaintFor] = useState<SaleRecord | null>(null);
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const rows = q.data?.data ?? [];
  if (!rows.length) return <Empty>{t('record.noSales')}</Empty>;
  return (
    <>
      <ul className="record-list">
        {rows.map((s) => (
          <li key={s.id}>
            <strong>{fmt.date(s.soldAt)}</strong> · {fmt.money(s.total, s.currency)}
            <span className="muted small"> · {s.lines.map((l) => (l.productId ? productById.get(l.productId)?.name : null) ?? l.description ?? '').filter(Boolean).join(', ')}</span>
            {' '}<button type="button" className="button button--small button--ghost" onClick={() => setComplaintFor(s)}
              aria-label={t('complaints.newForSale', { date: fmt.date(s.soldAt) })}>{t('complaints.new')}</button>
          </li>
        ))}
      </ul>
      {complaintFor && <NewComplaintDialog saleId={complaintFor.id} contactId={complaintFor.contactId} onClose={() => setComplaintFor(null)} />}
    </>
  );
}

export function RecordFollowUps({ contactId }: { contactId: string }) {
  const { t, fmt } = useI18n();
  const q = useQuery(firstPage<FollowUpRecord>('/follow-ups', { contactId }, { sort: '-dueAt' }));
  if (q.isLoading) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => q.refetch()} />;
  const rows = q.data?.data ?? [];
  if (!rows.length) return <Empty>{t('followUps.empty')}</Empty>;
  return (
    <ul className="record-list">
      {rows.map((f) => (
        <li key={f.id}>
          {fmt.dateTime(f.dueAt)} · <span className="badge">{t(followUpStatusKey(f.status))}</span>
          {f.userName ? <span className="muted small"> · {f.userName}</span> : null}
          {f.status === 'planned' && <> · <Link to="/follow-ups">{t('followUps.complete')}</Link></>}
        </li>
      ))}
    </ul>
  );
}

export function RecordComplaints({ contactId }: { contactId: string }) {
  const { t, fmt } = useI18n();
  const [adding, setAdding] = useState(false);
  const q = useQuery(firstPage<ComplaintRecord>('/complaints', { contactId }, { sort: '-createdAt' }));
  const rows = q.data?.data ?? [];
  return (
    <>
      {q.isLoading ? <Loading /> : q.error ? <ErrorState error={q.error} onRetry={() => q.refetch()} /> : !rows.length ? <Empty>{t('complaints.empty')}</Empty> : (
        <ul className="record-list">
          {rows.map((c) => (
            <li key={c.id}>
              <Link to={`/complaints/${c.id}`}>{t(complaintCategoryKey(c.category))}</Link>
              <span className="muted small"> · {fmt.date(c.createdAt)}</span> · <span className="badge">{t(complaintStatusKey(c.status))}</span>
            </li>
          ))}
        </ul>
      )}
      <button type="button" className="button button--small" onClick={() => setAdding(true)}>{t('complaints.new')}</button>
      {adding && <NewComplaintDialog contactId={contactId} onClose={() => setAdding(false)} />}
    </>
  );
}

export function NewComplaintDialog({ contactId, saleId, onClose }: { contactId?: string | null; saleId?: string | null; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [category, setCategory] = useState<string>('quality_defect');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () => api.post<ComplaintRecord>('/complaints', { category, description, contactId: contactId ?? null, saleId: saleId ?? null }),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['related'] }); await queryClient.invalidateQueries({ queryKey: ['list', '/complaints'] }); onClose(); },
  });
  const { fields, general } = formErrors(t, create.error);
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  return (
    <Dialog open title={t('complaints.new')} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={general} />
        <SelectField label={t('complaints.category')} value={category} onChange={(e) => setCategory(e.target.value)} error={fields['category']}>
          {complaintCategories.map((c) => <option key={c} value={c}>{t(complaintCategoryKey(c))}</option>)}
        </SelectField>
        <TextAreaField label={t('complaints.description')} value={description} onChange={(e) => setDescription(e.target.value)} error={fields['description']} required />
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={create.isPending}>{t('common.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Cancel (with a reason) a contact or a company; restoring is a single click on the page. */
export function CancelRecordDialog({ path, version, title, onClose, onDone }: { path: string; version: number; title: string; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const cancel = useMutation({ mutationFn: () => api.post(`${path}/cancel`, { reason, version }), onSuccess: onDone });
  const { fields, general } = formErrors(t, cancel.error);
  return (
    <Dialog open title={title} onClose={onClose}>
      <form onSubmit={(e) => { e.preventDefault(); cancel.mutate(); }} noValidate>
        <FormAlert message={general} />
        <TextField label={t('record.cancelReason')} value={reason} onChange={(e) => setReason(e.target.value)} error={fields['reason']} required />
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.close')}</button>
          <button type="submit" className="button button--danger" disabled={cancel.isPending}>{t('common.confirm')}</button>
        </div>
      </form>
    </Dialog>
  );
}
