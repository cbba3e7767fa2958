import { useEffect, useState, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useProducts, useSources } from '../api/lookups.js';
import { nextActionTypes, type Page } from '../api/types.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { useMe } from '../session.js';
import { SelectField, TextField } from '../components/ui.js';
import { batchColumns, draftKey, loadDraft, moveFor, nextActionAt, withTrailingRow, type Batch, type BatchRow } from '../components/batch-grid.js';
import { BatchRowView } from '../components/batch-row.js';
import type { CampaignRecord } from '../lib/records.js';
import { activityLabelKey } from '../lib/labels.js';

const focusCell = (row: number, col: number) => {
  const el = document.querySelector<HTMLElement>(`[data-cell="${row}:${col}"]`);
  el?.focus();
  if (el instanceof HTMLInputElement) el.select();
};

/**
 * Batch entry (paper sheets from a fair or the counter): a keyboard-only grid, one prospect per
 * row, with the batch's source, campaign and next action preset above. Each row checks itself live
 * and saves itself; the draft lives in localStorage, so closing the tab loses nothing.
 */
export function BatchEntryPage() {
  const { t } = useI18n();
  const me = useMe();
  const sources = useSources();
  const products = useProducts();
  const campaigns = useQuery({ queryKey: ['lookup', 'campaigns'], queryFn: () => api.get<Page<CampaignRecord>>('/campaigns', { limit: '500' }) });
  const [batch, setBatch] = useState<Batch>(() => loadDraft(window.localStorage, me.user.id));
  useEffect(() => { window.localStorage.setItem(draftKey(me.user.id), JSON.stringify(batch)); }, [batch, me.user.id]);

  const setPreset = (patch: Partial<Batch>) => setBatch((b) => ({ ...b, ...patch }));
  const setRow = (key: string, patch: Partial<BatchRow>) =>
    setBatch((b) => ({ ...b, rows: withTrailingRow(b.rows.map((r) => (r.key === key ? { ...r, ...patch } : r))) }));
  const clearSaved = () => setBatch((b) => ({ ...b, rows: withTrailingRow(b.rows.filter((r) => !r.saved)) }));

  const onKeyDown = (rowIndex: number) => (e: KeyboardEvent<HTMLElement>, col: number) => {
    const el = e.currentTarget;
    const caret = el instanceof HTMLInputElement
      ? { atStart: (el.selectionStart ?? 0) === 0 && (el.selectionEnd ?? 0) === 0, atEnd: (el.selectionStart ?? 0) >= el.value.length }
      : { atStart: true, atEnd: true };
    // Up and down change a select's option: keep them for the select itself.
    if (el instanceof HTMLSelectElement && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) return;
    const to = moveFor(e.key, { row: rowIndex, col }, caret, batch.rows.length + (e.key === 'Enter' ? 1 : 0));
    if (!to) return;
    e.preventDefault();
    // Move at once so the next key lands in the new cell; after Enter on the last row the new row
    // only exists on the next render.
    if (document.querySelector(`[data-cell="${to.row}:${to.col}"]`)) focusCell(to.row, to.col);
    else requestAnimationFrame(() => focusCell(to.row, to.col));
  };

  const preset = {
    sourceId: batch.sourceId, campaignId: batch.campaignId, nextActionType: batch.nextActionType,
    nextActionAt: nextActionAt(batch.nextActionDate, batch.nextActionTime),
  };
  const typedRows = batch.rows.filter((r) => r.saved || batchColumns.some((c) => r[c].trim()));
  const savedCount = batch.rows.filter((r) => r.saved).length;
  const activeProducts = products.data?.filter((p) => p.isActive) ?? [];

  return (
    <section className="page" aria-labelledby="batch-title">
      <header className="page__header"><h1 id="batch-title">{t('batch.title')}</h1></header>
      <p>{t('batch.intro')}</p>
      <fieldset className="card" style={{ border: '1px solid var(--border)' }}>
        <legend>{t('batch.preset')}</legend>
        <div className="form-row">
          <SelectField label={t('batch.source')} name="sourceId" value={batch.sourceId} onChange={(e) => setPreset({ sourceId: e.target.value })}>
            <option value="">{t('batch.none')}</option>
            {sources.data?.filter((s) => s.isActive).map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
          </SelectField>
          <SelectField label={t('batch.campaign')} name="campaignId" value={batch.campaignId} onChange={(e) => setPreset({ campaignId: e.target.value })}>
            <option value="">{t('batch.none')}</option>
            {campaigns.data?.data.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
          </SelectField>
          <SelectField label={t('batch.nextActionType')} name="nextActionType" value={batch.nextActionType} onChange={(e) => setPreset({ nextActionType: e.target.value })}>
            {nextActionTypes.map((a) => <option key={a} value={a}>{t(activityLabelKey[a])}</option>)}
          </SelectField>
          <TextField label={t('batch.nextActionDate')} type="date" name="nextActionDate" value={batch.nextActionDate} onChange={(e) => setPreset({ nextActionDate: e.target.value })} />
          <TextField label={t('batch.nextActionTime')} type="time" name="nextActionTime" value={batch.nextActionTime} onChange={(e) => setPreset({ nextActionTime: e.target.value })} />
        </div>
      </fieldset>
      <p role="status">{t('batch.savedCount', { saved: savedCount, total: typedRows.length })}
        {savedCount > 0 && <> <button type="button" className="button button--small" onClick={clearSaved}>{t('batch.clearSaved')}</button></>}
      </p>
      <div className="table-wrap">
        <table className="table batch-grid" aria-label={t('batch.grid')}>
          <thead>
            <tr>
              <th scope="col">#</th>
              {batchColumns.map((c) => <th key={c} scope="col">{t(`batch.col.${c === 'productId' ? 'product' : c}` as MessageKey)}</th>)}
              <th scope="col">{t('batch.col.status')}</th>
            </tr>
          </thead>
          <tbody>
            {batch.rows.map((row, i) => (
              <BatchRowView key={row.key} row={row} index={i} preset={preset} products={activeProducts}
                onChange={(patch) => setRow(row.key, patch)} onKeyDown={onKeyDown(i)} />
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
