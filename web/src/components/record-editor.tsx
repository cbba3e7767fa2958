import { useRef, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { CustomFieldDef } from '../api/types.js';
import { errorText, fieldErrorText, useI18n } from '../i18n/i18n.js';
import { Dialog } from './ui.js';
import { InlineField } from './record-inline-field.js';
import { conflictRows, fromInput, isChanged, toInput, type InlineKind } from '../lib/lead-fields.js';

type Versioned = { id: string; version: number; customFields?: Record<string, string | number | null> };
type Conflict = { edits: Record<string, unknown>; current: Record<string, unknown> };

/** PATCH body for a field path: `customFields.x` nests, everything else is top level. */
const patchOf = (field: string, value: unknown): Record<string, unknown> =>
  field.startsWith('customFields.') ? { customFields: { [field.slice('customFields.'.length)]: value } } : { [field]: value };

/**
 * Inline editing of a record page (contact, company), the same behaviour as the lead page: saves
 * queued one after another with the version the previous one returned, a 422 stays on its field
 * with the typed text, a 409 opens a dialog showing both versions.
 */
export function useRecordEditor<T extends Versioned>(path: string, queryKey: readonly unknown[], invalidate: readonly unknown[][] = []) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const record = useQuery({ queryKey, queryFn: () => api.get<T>(path) });
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const versionRef = useRef<number | null>(null);
  const queueRef = useRef<Promise<void>>(Promise.resolve());
  if (record.data && (versionRef.current === null || record.data.version > versionRef.current)) versionRef.current = record.data.version;

  const setRecord = (r: T) => { versionRef.current = r.version; queryClient.setQueryData(queryKey, r); };
  const clearField = (field: string) => {
    setDrafts(({ [field]: _d, ...rest }) => rest);
    setErrors(({ [field]: _e, ...rest }) => rest);
  };

  const save = (field: string, value: unknown, version?: number) => {
    const run = async () => {
      try {
        const updated = await api.patch<T>(path, { ...patchOf(field, value), version: version ?? versionRef.current ?? undefined });
        setRecord(updated);
        clearField(field);
        for (const k of invalidate) void queryClient.invalidateQueries({ queryKey: k });
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && e.problem.current) {
          setConflict({ edits: { [field]: value }, current: e.problem.current as Record<string, unknown> });
          return;
        }
        const fe = e instanceof ApiError ? e.fieldErrors.find((f) => f.field === field || f.field.startsWith(`${field}.`)) ?? e.fieldErrors[0] : undefined;
        setErrors((er) => ({ ...er, [field]: fe ? fieldErrorText(t, fe) : errorText(t, e) }));
      }
    };
    queueRef.current = queueRef.current.then(run);
    return queueRef.current;
  };

  const commit = (field: string, kind: InlineKind, stored: unknown) => (text: string) => {
    if (!record.data || !isChanged(kind, stored, text)) { clearField(field); return; }
    const value = fromInput(kind, text);
    if (value === undefined) { setErrors((er) => ({ ...er, [field]: t('fieldError.invalid_type') })); return; }
    void save(field, value);
  };

  /** An inline field of the record; `stored` defaults to the record's own value of `field`. */
  const field = (f: string, label: string, kind: InlineKind, extra: { children?: ReactNode; inputMode?: 'numeric' | 'decimal' | 'email' | 'tel'; stored?: unknown } = {}) => {
    const stored = 'stored' in extra ? extra.stored : (record.data as Record<string, unknown> | undefined)?.[f];
    return (
      <InlineField key={f} field={f} label={label} kind={kind} stored={stored} draft={drafts[f]} error={errors[f]}
        onDraft={(text) => setDrafts((d) => ({ ...d, [f]: text }))} onCommit={commit(f, kind, stored)}
        {...(extra.inputMode ? { inputMode: extra.inputMode } : {})}>{extra.children}</InlineField>
    );
  };

  const customField = (def: CustomFieldDef) => {
    const stored = record.data?.customFields?.[def.key] ?? null;
    const kind: InlineKind = def.type === 'number' ? 'decimal' : def.type === 'date' ? 'date' : def.type === 'choice' ? 'select' : 'text';
    return field(`customFields.${def.key}`, def.label, kind, {
      stored, ...(kind === 'decimal' ? { inputMode: 'decimal' as const } : {}),
      ...(kind === 'select' ? { children: <><option value="">—</option>{def.options.map((o) => <option key={o} value={o}>{o}</option>)}</> } : {}),
    });
  };

  /** The 409 dialog; `labelOf` / `valueOf` name fields and show values the way the page does. */
  const conflictDialog = (labelOf: (f: string) => string, valueOf: (f: string, v: unknown) => string = (_f, v) => toInput(v)) => conflict && (
    <Dialog open wide title={t('conflict.title')} onClose={() => setConflict(null)}>
      <p>{t('conflict.intro')}</p>
      <table className="conflict-table">
        <thead><tr><th scope="col">{t('conflict.field')}</th><th scope="col">{t('conflict.yours')}</th><th scope="col">{t('conflict.theirs')}</th></tr></thead>
        <tbody>
          {conflictRows(conflict.edits, conflict.current as Parameters<typeof conflictRows>[1]).map((r) => (
            <tr key={r.field}><th scope="row">{labelOf(r.field)}</th><td>{valueOf(r.field, r.mine)}</td><td>{valueOf(r.field, r.theirs)}</td></tr>
          ))}
        </tbody>
      </table>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={async () => {
          for (const f of Object.keys(conflict.edits)) clearField(f);
          setConflict(null);
          versionRef.current = null;
          await record.refetch();
        }}>{t('conflict.keepTheirs')}</button>
        <button type="button" className="button button--primary" onClick={async () => {
          const c = conflict;
          setConflict(null);
          for (const [f, v] of Object.entries(c.edits)) await save(f, v, Number(c.current['version']));
        }}>{t('conflict.keepMine')}</button>
      </div>
    </Dialog>
  );

  return { record, setRecord, save, field, customField, conflictDialog, errors };
}
