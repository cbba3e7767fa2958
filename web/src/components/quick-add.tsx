import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import { useProducts, useSources } from '../api/lookups.js';
import { fieldErrorText, isMessageKey, useI18n } from '../i18n/i18n.js';
import { Dialog, FormAlert, SelectField, TextField, formErrors } from './ui.js';
import { phoneOrEmail, splitFullName } from '../lib/names.js';
import { DuplicateWarning, SplitSuggestion, useCaptureCheck, type CaptureEntry } from './capture-check.js';

/**
 * Quick-add ("n" anywhere): four fields, Enter, done — a contact and its lead in one request
 * (POST /capture/entries, one transaction, the capture policy of the chosen source applied), then
 * the lead page to plan the next action. While typing, the policy's surname split and likely
 * duplicates are offered: open the existing record, use it, or create anyway.
 */
export function QuickAdd({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const sources = useSources();
  const products = useProducts();
  const [name, setName] = useState('');
  const [reach, setReach] = useState('');
  const [sourceId, setSourceId] = useState('');
  const [productId, setProductId] = useState('');
  const [split, setSplit] = useState<{ lastName: string; secondLastName: string } | null>(null);
  const [decision, setDecision] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const parts = splitFullName(name);
  const contactValues = {
    firstName: parts.firstName, lastName: split?.lastName ?? parts.lastName, secondLastName: split?.secondLastName ?? null, ...phoneOrEmail(reach),
  };
  const { result } = useCaptureCheck(name.trim() || reach.trim() ? { entity: 'contact', values: contactValues, sourceId: sourceId || null } : null);
  const duplicates = decision ? [] : (result?.duplicates ?? []);

  const submit = async (e: FormEvent | null, chosen: string | null = decision) => {
    e?.preventDefault();
    const errs: Record<string, string> = {};
    if (!name.trim()) errs['name'] = t('fieldError.required');
    if (!reach.trim()) errs['reach'] = t('quickAdd.needContact');
    setLocal(errs);
    if (Object.keys(errs).length) return;
    // An unanswered duplicate warning is answered first: open, use this one, or create anyway.
    if (!chosen && duplicates.length) return;
    setBusy(true);
    setError(null);
    try {
      const product = products.data?.find((p) => p.id === productId);
      const entry = await api.post<CaptureEntry>('/capture/entries', {
        contact: contactValues,
        existingContactId: chosen && chosen !== 'new' ? chosen : null,
        sourceId: sourceId || null,
        lead: { title: product ? `${name.trim()} · ${product.name}` : name.trim(), productIds: productId ? [productId] : [] },
      });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['list'] }),
        queryClient.invalidateQueries({ queryKey: ['today'] }),
        queryClient.invalidateQueries({ queryKey: ['board'] }),
      ]);
      onClose();
      navigate(`/leads/${entry.leadId}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // The API names contact and lead fields (contact.firstName, lead.productIds); show them on the box
  // the user typed in, and the policy's other required fields (a postal code…) as a list.
  const apiField: Record<string, string> = {};
  const others: string[] = [];
  const live = [...(result?.errors ?? []).map((fe) => ({ ...fe, field: `contact.${fe.field}` })), ...(error instanceof ApiError ? error.fieldErrors : [])];
  for (const fe of live) {
    const f = fe.field.replace(/^(contact|lead|company)\./, '');
    const slot = f === 'firstName' || f === 'lastName' || f === 'secondLastName' || f === 'title' ? 'name'
      : f === 'email' || f === 'phone' ? 'reach' : f === 'sourceId' ? 'source' : f.startsWith('productIds') ? 'product' : null;
    if (slot) { apiField[slot] ??= fieldErrorText(t, fe); continue; }
    const label = `capture.field.${f}`;
    const text = `${isMessageKey(label) ? t(label) : f}: ${fieldErrorText(t, fe)}`;
    if (error instanceof ApiError && !others.includes(text)) others.push(text);
  }
  const general = error ? formErrors(t, error).general : null;
  const suggestion = result?.suggestions.find((s) => s.field === 'lastName');

  return (
    <Dialog open title={t('quickAdd.title')} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate className="quick-add">
        <FormAlert message={general} />
        {others.length > 0 && <ul className="alert alert--error">{others.map((o) => <li key={o}>{o}</li>)}</ul>}
        <TextField label={t('quickAdd.name')} name="name" autoFocus autoComplete="off" required value={name}
          onChange={(e) => { setName(e.target.value); setSplit(null); setDecision(null); }} error={local['name'] ?? apiField['name']} />
        {!split && <SplitSuggestion suggestion={suggestion} onApply={(v) => setSplit({ lastName: v['lastName'] ?? '', secondLastName: v['secondLastName'] ?? '' })} />}
        <TextField label={t('quickAdd.phoneOrEmail')} name="reach" autoComplete="off" required value={reach} hint={t('quickAdd.phoneOrEmailHint')}
          onChange={(e) => { setReach(e.target.value); setDecision(null); }} error={local['reach'] ?? apiField['reach']} />
        <DuplicateWarning duplicates={duplicates} busy={busy}
          onUse={(id) => { setDecision(id); void submit(null, id); }}
          onCreateAnyway={() => { setDecision('new'); void submit(null, 'new'); }} />
        <div className="form-row">
          <SelectField label={t('quickAdd.source')} name="sourceId" value={sourceId} onChange={(e) => setSourceId(e.target.value)} error={apiField['source']}>
            <option value="">—</option>
            {sources.data?.filter((s) => s.isActive).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </SelectField>
          <SelectField label={t('quickAdd.product')} name="productId" value={productId} onChange={(e) => setProductId(e.target.value)} error={apiField['product']}>
            <option value="">—</option>
            {products.data?.filter((p) => p.isActive).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
          </SelectField>
        </div>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={busy}>{busy ? t('common.saving') : t('quickAdd.submit')}</button>
        </div>
      </form>
    </Dialog>
  );
}
