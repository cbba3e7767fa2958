import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Lead, Product, SaleLineInput } from '../api/types.js';
import { useProducts } from '../api/lookups.js';
import { fieldErrorText, useI18n, type MessageKey } from '../i18n/i18n.js';
import { Dialog, FormAlert, Loading, TextAreaField, formErrors } from './ui.js';
import { leadDisplayName } from '../lib/names.js';

const fieldLabels: Record<string, MessageKey> = { contactId: 'lead.contact', companyId: 'lead.company', leadId: 'lead.title', currency: 'lead.currency' };
const fieldLabel = (t: (k: MessageKey) => string, field: string) => (fieldLabels[field] ? t(fieldLabels[field]) : field);

type Line = { productId: string; description: string; quantity: string; unitPrice: string };

type WonProps = { lead: Lead; wonStageId: string; onClose: () => void; onDone: () => void };

/**
 * Dropped on Won: what was sold. POST /sales with the lead closes it as won with the sale total.
 * The lines start from the lead's products at their prices, so the form waits for the product list
 * (its lines are state from then on: filled in later, they would overwrite what the user typed).
 */
export function WonDialog(props: WonProps) {
  const { t } = useI18n();
  const products = useProducts();
  const waiting = props.lead.productIds.length > 0 && products.isPending;
  return (
    <Dialog open wide title={`${t('board.wonTitle')} · ${leadDisplayName(props.lead)}`} onClose={props.onClose}>
      {waiting ? <Loading /> : <WonForm {...props} products={products.data ?? []} />}
    </Dialog>
  );
}

function WonForm({ lead, wonStageId, onClose, onDone, products }: WonProps & { products: Product[] }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const [lines, setLines] = useState<Line[]>(() => (lead.productIds.length
    ? lead.productIds.map((id) => { const p = products.find((x) => x.id === id); return { productId: id, description: '', quantity: '1', unitPrice: p ? String(p.unitPrice) : '' }; })
    : [{ productId: '', description: lead.title, quantity: '1', unitPrice: lead.amount ? String(lead.amount) : '' }]));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const num = (s: string) => Number(s.replace(',', '.'));
  const total = lines.reduce((s, l) => s + (num(l.quantity) || 0) * (num(l.unitPrice) || 0), 0);
  const setLine = (i: number, patch: Partial<Line>) => setLines((ls) => ls.map((l, j) => (j === i ? { ...l, ...patch } : l)));

  // A sale belongs to a contact or a company (API rule); without either, the lead is just moved to won.
  const hasCustomer = !!(lead.contactId || lead.companyId);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (!hasCustomer) {
        await api.post(`/leads/${lead.id}/move`, { stageId: wonStageId, version: lead.version });
        await queryClient.invalidateQueries({ queryKey: ['lead', lead.id] });
        onDone();
        return;
      }
      const body: { leadId: string; contactId: string | null; companyId: string | null; lines: SaleLineInput[] } = {
        leadId: lead.id, contactId: lead.contactId, companyId: lead.companyId,
        lines: lines.map((l) => ({
          productId: l.productId || null, description: l.description.trim() || null,
          quantity: num(l.quantity), unitPrice: l.unitPrice.trim() === '' ? null : num(l.unitPrice),
        })),
      };
      await api.post('/sales', body);
      await queryClient.invalidateQueries({ queryKey: ['lead', lead.id] });
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const fieldErr = (i: number, f: string) => {
    if (!(error instanceof ApiError)) return undefined;
    const fe = error.fieldErrors.find((x) => x.field === `lines.${i}.${f}`);
    return fe ? fieldErrorText(t, fe) : undefined;
  };

  return (
    <form onSubmit={submit} noValidate>
      <p className="muted">{t('board.wonIntro')}</p>
      <FormAlert message={error ? formErrors(t, error).general : null} />
      {!hasCustomer && <p className="alert alert--info">{t('board.wonNoCustomer')}</p>}
      {error instanceof ApiError && error.fieldErrors.filter((f) => !f.field.startsWith('lines.')).map((f) => (
        <p key={f.field} className="alert alert--error" role="alert">{fieldLabel(t, f.field)}: {fieldErrorText(t, f)}</p>
      ))}
      {hasCustomer && <>
      <table className="lines">
        <thead><tr>
          <th scope="col">{t('board.product')}</th><th scope="col">{t('board.description')}</th>
          <th scope="col">{t('board.quantity')}</th><th scope="col">{t('board.unitPrice')}</th><th><span className="visually-hidden">{t('board.removeLine')}</span></th>
        </tr></thead>
        <tbody>
          {lines.map((l, i) => (
            <tr key={i}>
              <td data-label={t('board.product')}>
                <select aria-label={`${t('board.product')} ${i + 1}`} value={l.productId} onChange={(e) => {
                  const p = products.find((x) => x.id === e.target.value);
                  setLine(i, { productId: e.target.value, ...(p ? { unitPrice: String(p.unitPrice) } : {}) });
                }}>
                  <option value="">—</option>
                  {products.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
                </select>
              </td>
              <td data-label={t('board.description')}><input aria-label={`${t('board.description')} ${i + 1}`} value={l.description} onChange={(e) => setLine(i, { description: e.target.value })} /></td>
              <td data-label={t('board.quantity')}>
                <input aria-label={`${t('board.quantity')} ${i + 1}`} inputMode="decimal" value={l.quantity} onChange={(e) => setLine(i, { quantity: e.target.value })}
                  aria-invalid={!!fieldErr(i, 'quantity') || undefined} />
                {fieldErr(i, 'quantity') && <small className="field__error">{fieldErr(i, 'quantity')}</small>}
              </td>
              <td data-label={t('board.unitPrice')}>
                <input aria-label={`${t('board.unitPrice')} ${i + 1}`} inputMode="decimal" value={l.unitPrice} onChange={(e) => setLine(i, { unitPrice: e.target.value })}
                  aria-invalid={!!fieldErr(i, 'unitPrice') || undefined} />
                {fieldErr(i, 'unitPrice') && <small className="field__error">{fieldErr(i, 'unitPrice')}</small>}
              </td>
              <td>
                <button type="button" className="button button--ghost button--icon" aria-label={`${t('board.removeLine')} ${i + 1}`}
                  disabled={lines.length === 1} onClick={() => setLines((ls) => ls.filter((_, j) => j !== i))}>×</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="lines__footer">
        <button type="button" className="button button--small" onClick={() => setLines((ls) => [...ls, { productId: '', description: '', quantity: '1', unitPrice: '' }])}>+ {t('board.addLine')}</button>
        <strong>{t('board.total')}: {fmt.money(total)}</strong>
      </div>
      </>}
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
        <button type="submit" className="button button--primary" disabled={busy}>{t('common.confirm')}</button>
      </div>
    </form>
  );
}

/** A reason, required: used for Lost (move with lostReason) and for cancelling. */
function ReasonDialog(props: { title: string; onClose: () => void; onConfirm: (reason: string) => Promise<void>; field: string }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!reason.trim()) { setLocal(t('fieldError.required')); return; }
    setBusy(true);
    setError(null);
    try { await props.onConfirm(reason.trim()); } catch (err) { setError(err); } finally { setBusy(false); }
  };
  const apiErr = error instanceof ApiError ? error.fieldErrors.find((f) => f.field === props.field) : undefined;
  return (
    <Dialog open title={props.title} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <FormAlert message={error && !apiErr ? formErrors(t, error).general : null} />
        <TextAreaField label={t('board.reason')} name="reason" autoFocus required rows={3} maxLength={500} value={reason}
          onChange={(e) => setReason(e.target.value)} error={local ?? (apiErr ? fieldErrorText(t, apiErr) : undefined)} />
        <div className="dialog__actions">
          <button type="button" className="button" onClick={props.onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--danger" disabled={busy}>{t('common.confirm')}</button>
        </div>
      </form>
    </Dialog>
  );
}

export function LostDialog({ lead, onClose, onConfirm }: { lead: Lead; onClose: () => void; onConfirm: (reason: string) => Promise<void> }) {
  const { t } = useI18n();
  return <ReasonDialog title={`${t('board.lostTitle')} · ${leadDisplayName(lead)}`} field="lostReason" onClose={onClose} onConfirm={onConfirm} />;
}

export function CancelLeadDialog({ lead, onClose, onDone }: { lead: Lead; onClose: () => void; onDone: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  return (
    <ReasonDialog title={`${t('board.cancelTitle')} · ${leadDisplayName(lead)}`} field="reason" onClose={onClose}
      onConfirm={async (reason) => {
        await api.post(`/leads/${lead.id}/cancel`, { reason, version: lead.version });
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: ['lead', lead.id] }),
          queryClient.invalidateQueries({ queryKey: ['list', '/leads'] }),
          queryClient.invalidateQueries({ queryKey: ['today'] }),
        ]);
        onDone();
      }} />
  );
}
