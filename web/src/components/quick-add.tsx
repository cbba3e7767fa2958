import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Contact, Lead } from '../api/types.js';
import { useProducts, useSources } from '../api/lookups.js';
import { fieldErrorText, useI18n } from '../i18n/i18n.js';
import { Dialog, FormAlert, SelectField, TextField, formErrors } from './ui.js';
import { phoneOrEmail, splitFullName } from '../lib/names.js';

/**
 * Quick-add ("n" anywhere): four fields, Enter, done — a contact and its lead in one go, then the
 * lead page to plan the next action. If the lead fails after the contact was created, a retry
 * reuses that contact instead of making a duplicate.
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
  const [contactId, setContactId] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!name.trim()) errs['name'] = t('fieldError.required');
    if (!reach.trim()) errs['reach'] = t('quickAdd.needContact');
    setLocal(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      let id = contactId;
      const { firstName, lastName } = splitFullName(name);
      if (!id) {
        const contact = await api.post<Contact>('/contacts', { firstName, lastName, ...phoneOrEmail(reach) });
        id = contact.id;
        setContactId(id);
      }
      const product = products.data?.find((p) => p.id === productId);
      const lead = await api.post<Lead>('/leads', {
        title: product ? `${name.trim()} · ${product.name}` : name.trim(),
        contactId: id, sourceId: sourceId || null, productIds: productId ? [productId] : [],
      });
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['list'] }),
        queryClient.invalidateQueries({ queryKey: ['today'] }),
        queryClient.invalidateQueries({ queryKey: ['board'] }),
      ]);
      onClose();
      navigate(`/leads/${lead.id}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  // The API names contact fields (firstName, email, phone); show them on the box the user typed in.
  const apiField: Record<string, string> = {};
  if (error instanceof ApiError) {
    for (const fe of error.fieldErrors) {
      const slot = fe.field === 'firstName' || fe.field === 'lastName' || fe.field === 'title' ? 'name'
        : fe.field === 'email' || fe.field === 'phone' ? 'reach' : fe.field === 'sourceId' ? 'source' : fe.field.startsWith('productIds') ? 'product' : null;
      if (slot) apiField[slot] ??= fieldErrorText(t, fe);
    }
  }
  const general = error ? formErrors(t, error).general : null;

  return (
    <Dialog open title={t('quickAdd.title')} onClose={onClose}>
      <form onSubmit={submit} noValidate className="quick-add">
        <FormAlert message={general} />
        <TextField label={t('quickAdd.name')} name="name" autoFocus autoComplete="off" required value={name}
          onChange={(e) => setName(e.target.value)} error={local['name'] ?? apiField['name']} />
        <TextField label={t('quickAdd.phoneOrEmail')} name="reach" autoComplete="off" required value={reach} hint={t('quickAdd.phoneOrEmailHint')}
          onChange={(e) => { setReach(e.target.value); setContactId(null); }} error={local['reach'] ?? apiField['reach']} />
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
