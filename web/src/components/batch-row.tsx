import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link } from 'react-router';
import { api, ApiError } from '../api/client.js';
import type { Product } from '../api/types.js';
import { fieldErrorText, useI18n, type MessageKey } from '../i18n/i18n.js';
import { batchColumns, hasContent, isComplete, type BatchColumn, type BatchRow as Row } from './batch-grid.js';
import { DuplicateWarning, SplitSuggestion, useCaptureCheck, type CaptureEntry, type CaptureEntryInput } from './capture-check.js';

type Preset = { sourceId: string; campaignId: string; nextActionType: string; nextActionAt: string | null };

/** API field of a capture entry → the grid column that shows its error. */
const columnOf = (field: string): BatchColumn | null => {
  const f = field.replace(/^(contact|lead|company)\./, '');
  if (field.startsWith('company.')) return 'company';
  if (f === 'secondLastName') return 'lastName';
  if (f === 'productIds' || f.startsWith('productIds.')) return 'productId';
  if (f === 'nextActionNote') return 'note';
  return (batchColumns as readonly string[]).includes(f) ? (f as BatchColumn) : null;
};

const labelKey = (c: BatchColumn) => `batch.col.${c === 'productId' ? 'product' : c}` as MessageKey;

/**
 * One prospect of the batch: its cells, the live policy check and duplicate warning, and its own
 * save (contact + lead in one request) once it is complete and clean — when the focus leaves the
 * row or on Enter. A saved row is read-only and links to its lead.
 */
export function BatchRowView(props: {
  row: Row; index: number; preset: Preset; products: readonly Product[];
  onChange: (patch: Partial<Row>) => void; onKeyDown: (e: KeyboardEvent<HTMLElement>, col: number) => void;
}) {
  const { t } = useI18n();
  const { row, index, preset, onChange } = props;
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const savingRef = useRef(false);
  const trRef = useRef<HTMLTableRowElement>(null);

  const typed = hasContent(row) && !row.saved;
  const { result, pending } = useCaptureCheck(typed ? {
    entity: 'contact', sourceId: preset.sourceId || null,
    values: {
      firstName: row.firstName, lastName: row.lastName, secondLastName: row.secondLastName || undefined,
      phone: row.phone, email: row.email, postalCode: row.postalCode, companyName: row.company,
    },
  } : null);
  // A value changed since the last failed save: its errors are stale, the live check speaks again.
  useEffect(() => { setSaveError(null); }, [row.firstName, row.lastName, row.secondLastName, row.company, row.phone, row.email, row.postalCode, row.productId, row.note]);

  const duplicates = (result?.duplicates ?? []).filter(() => row.decision === null);
  const errors: Partial<Record<BatchColumn, string>> = {};
  for (const e of result?.errors ?? []) { const c = columnOf(e.field); if (c) errors[c] ??= fieldErrorText(t, e); }
  for (const e of saveError?.fieldErrors ?? []) { const c = columnOf(e.field); if (c) errors[c] ??= fieldErrorText(t, e); }
  const general = saveError && !saveError.fieldErrors.length ? saveError.message : null;
  const suggestion = result?.suggestions.find((s) => s.field === 'lastName');

  const save = async (decision: string | null = row.decision) => {
    if (savingRef.current || row.saved || !isComplete(row)) return;
    savingRef.current = true;
    setSaving(true);
    const product = props.products.find((p) => p.id === row.productId);
    const name = [row.firstName.trim(), row.lastName.trim()].filter(Boolean).join(' ');
    const body: CaptureEntryInput = {
      contact: {
        firstName: row.firstName, lastName: row.lastName || null, secondLastName: row.secondLastName || null,
        phone: row.phone || null, email: row.email || null, postalCode: row.postalCode || null,
      },
      companyName: row.company || null,
      existingContactId: decision && decision !== 'new' ? decision : null,
      lead: {
        title: product ? `${name} · ${product.name}` : name,
        productIds: row.productId ? [row.productId] : [],
        nextActionAt: preset.nextActionAt, nextActionType: (preset.nextActionType || null) as CaptureEntryInput['lead']['nextActionType'],
        nextActionNote: row.note || null,
      },
      sourceId: preset.sourceId || null, campaignId: preset.campaignId || null,
    };
    try {
      const saved = await api.post<CaptureEntry>('/capture/entries', body);
      onChange({ saved: { contactId: saved.contactId, leadId: saved.leadId }, decision });
    } catch (e) {
      setSaveError(e instanceof ApiError ? e : new ApiError(0, { status: 0, code: 'network', detail: String(e) }));
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  };

  // Leaving the row or Enter asks for a save; it happens once the live check for the current values
  // has answered with no policy error and no duplicate the user has not decided about.
  const [wantSave, setWantSave] = useState(false);
  const requestSave = () => { if (!row.saved && isComplete(row)) setWantSave(true); };
  useEffect(() => {
    if (!wantSave || pending || !result) return;
    setWantSave(false);
    if (result.errors.length || duplicates.length || saveError) return;
    void save();
  });

  const status: MessageKey = row.saved ? 'batch.status.saved' : saving ? 'batch.status.saving' : !typed ? 'batch.status.empty'
    : pending ? 'batch.status.checking' : Object.keys(errors).length || general ? 'batch.status.invalid'
      : duplicates.length ? 'batch.status.duplicate' : 'batch.status.draft';

  const cellId = (c: BatchColumn) => `batch-${row.key}-${c}`;
  return (
    <>
      <tr ref={trRef} className={row.saved ? 'batch-row batch-row--saved' : 'batch-row'} data-status={status}
        onBlur={(e) => { if (!trRef.current?.contains(e.relatedTarget as Node | null)) requestSave(); }}>
        <th scope="row">{index + 1}</th>
        {batchColumns.map((c, col) => (
          <td key={c} style={{ verticalAlign: 'top', minWidth: c === 'note' ? '12rem' : '8rem' }}>
            {c === 'productId' ? (
              <select id={cellId(c)} data-cell={`${index}:${col}`} aria-label={t('batch.cell', { column: t(labelKey(c)), row: index + 1 })}
                value={row.productId} disabled={!!row.saved} aria-invalid={errors[c] ? true : undefined} aria-describedby={errors[c] ? `${cellId(c)}-err` : undefined}
                onChange={(e) => onChange({ productId: e.target.value })} onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); requestSave(); } props.onKeyDown(e, col); }}>
                <option value="">—</option>
                {props.products.map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
              </select>
            ) : (
              <input id={cellId(c)} data-cell={`${index}:${col}`} aria-label={t('batch.cell', { column: t(labelKey(c)), row: index + 1 })}
                value={row[c]} readOnly={!!row.saved} autoComplete="off" inputMode={c === 'phone' ? 'tel' : c === 'email' ? 'email' : undefined}
                aria-invalid={errors[c] ? true : undefined} aria-describedby={errors[c] ? `${cellId(c)}-err` : undefined}
                onChange={(e) => onChange(c === 'lastName' ? { lastName: e.target.value, secondLastName: '' } : { [c]: e.target.value } as Partial<Row>)}
                onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); requestSave(); } props.onKeyDown(e, col); }} />
            )}
            {c === 'lastName' && row.secondLastName && <small className="field__hint">+ {row.secondLastName}</small>}
            {c === 'lastName' && !row.saved && <SplitSuggestion suggestion={suggestion} onApply={(v) => onChange({ lastName: v['lastName'] ?? row.lastName, secondLastName: v['secondLastName'] ?? '' })} />}
            {errors[c] && <small id={`${cellId(c)}-err`} className="field__error">{errors[c]}</small>}
          </td>
        ))}
        <td style={{ verticalAlign: 'top' }}>
          <span className="batch-status" aria-live="polite">{t(status)}</span>
          {row.saved && <> <Link to={`/leads/${row.saved.leadId}`}>{t('batch.openLead')}</Link></>}
          {!row.saved && typed && <> <button type="button" className="button button--small" disabled={saving || !isComplete(row)} onClick={requestSave}>{t('batch.save')}</button></>}
          {general && <small className="field__error">{general}</small>}
        </td>
      </tr>
      {!row.saved && duplicates.length > 0 && (
        <tr className="batch-row__duplicates">
          <td colSpan={batchColumns.length + 2}>
            <DuplicateWarning duplicates={duplicates} busy={saving}
              onUse={(id) => { onChange({ decision: id }); void save(id); }}
              onCreateAnyway={() => { onChange({ decision: 'new' }); void save('new'); }} />
          </td>
        </tr>
      )}
    </>
  );
}
