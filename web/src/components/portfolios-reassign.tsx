import { useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import type { components } from '../api/openapi.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { Dialog, FormAlert, SelectField, formErrors } from './ui.js';

type S = components['schemas'];
export type Portfolio = S['Portfolio'];
type Counts = S['PortfolioTransferCounts'];
type Transfer = S['PortfolioTransfer'];
type SegmentOption = { id: string; name: string };

export const countKinds = ['contacts', 'companies', 'leads', 'activities', 'followUps', 'complaints'] as const satisfies readonly (keyof Counts)[];
const countKey = (k: keyof Counts) => `portfolios.count.${k}` as MessageKey;
const total = (c: Counts) => countKinds.reduce((a, k) => a + c[k], 0);

function CountList({ counts }: { counts: Counts }) {
  const { t, fmt } = useI18n();
  return (
    <dl className="portfolio-counts">
      {countKinds.map((k) => (
        <div key={k}><dt>{t(countKey(k))}</dt><dd>{fmt.number(counts[k])}</dd></div>
      ))}
    </dl>
  );
}

/**
 * Reassigning one salesperson's portfolio: choose who receives it and, optionally, a segment; see
 * what will move; confirm. The confirmation carries one Idempotency-Key for the life of the dialog,
 * so a double click or a retried request moves nothing twice.
 */
export function ReassignDialog({ from, candidates, onClose }: { from: Portfolio; candidates: readonly Portfolio[]; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [toUserId, setToUserId] = useState('');
  const [segmentId, setSegmentId] = useState('');
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  const targets = useMemo(() => candidates.filter((p) => p.isActive && p.userId !== from.userId), [candidates, from.userId]);
  const segments = useQuery({ queryKey: ['segments', 'options'], queryFn: () => api.get<{ data: SegmentOption[] }>('/segments'), retry: false });
  const body = { toUserId, ...(segmentId ? { segmentId } : {}) };

  const preview = useMutation({ mutationFn: () => api.post<{ counts: Counts }>(`/portfolios/${from.userId}/reassign/preview`, body) });
  const move = useMutation({
    mutationFn: () => api.post<Transfer>(`/portfolios/${from.userId}/reassign`, body, { headers: { 'idempotency-key': idempotencyKey } }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['portfolios'] });
      await queryClient.invalidateQueries({ queryKey: ['list'] });
    },
  });
  const { fields, general } = formErrors(t, move.error ?? preview.error);
  const toName = targets.find((p) => p.userId === toUserId)?.name ?? '';
  const reset = () => { preview.reset(); move.reset(); };
  const submit = (e: FormEvent) => { e.preventDefault(); if (toUserId) preview.mutate(); };

  if (move.data) {
    return (
      <Dialog open title={t('portfolios.reassignOf', { name: from.name })} onClose={onClose}>
        <p role="status" className="alert alert--success">
          {move.data.replayed ? t('portfolios.doneReplayed') : t('portfolios.done', { name: toName })}
        </p>
        <CountList counts={move.data.counts} />
        <div className="dialog__actions">
          <Link className="button" to={`/contacts?ownerId=${move.data.toUserId}`}>{t('portfolios.seeContacts')}</Link>
          <button type="button" className="button button--primary" onClick={onClose} autoFocus>{t('common.close')}</button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog open title={t('portfolios.reassignOf', { name: from.name })} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={general} />
        <SelectField label={t('portfolios.to')} value={toUserId} required autoFocus error={fields['toUserId'] ?? fields['userId']}
          onChange={(e) => { setToUserId(e.target.value); reset(); }}>
          <option value="">{t('portfolios.choose')}</option>
          {targets.map((p) => <option key={p.userId} value={p.userId}>{p.name}</option>)}
        </SelectField>
        <SelectField label={t('portfolios.scope')} value={segmentId} error={fields['segmentId']}
          hint={segments.isError ? t('portfolios.segmentsUnavailable') : undefined}
          onChange={(e) => { setSegmentId(e.target.value); reset(); }}>
          <option value="">{t('portfolios.scopeAll')}</option>
          {(segments.data?.data ?? []).length > 0 && (
            <optgroup label={t('portfolios.segment')}>
              {segments.data!.data.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
            </optgroup>
          )}
        </SelectField>
        {preview.data && (
          <section aria-live="polite" className="portfolio-preview">
            {total(preview.data.counts) === 0
              ? <p>{t('portfolios.nothing')}</p>
              : <><p>{t('portfolios.previewTitle', { name: toName })}</p><CountList counts={preview.data.counts} /></>}
            <p className="field__hint">{t('portfolios.history')}</p>
          </section>
        )}
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          {preview.data && total(preview.data.counts) > 0 ? (
            <button type="button" className="button button--primary" disabled={move.isPending} onClick={() => move.mutate()}>
              {move.isPending ? t('portfolios.moving') : t('portfolios.confirm')}
            </button>
          ) : (
            <button type="submit" className="button button--primary" disabled={!toUserId || preview.isPending}>{t('portfolios.preview')}</button>
          )}
        </div>
      </form>
    </Dialog>
  );
}
