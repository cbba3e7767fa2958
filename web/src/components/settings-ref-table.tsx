import { useState, type FormEvent, type ReactNode } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Page } from '../api/types.js';
import { errorText, fieldErrorText, useI18n } from '../i18n/i18n.js';
import { Empty, ErrorState, FormAlert, Loading, formErrors } from './ui.js';
import { fromInput, isChanged, toInput, type InlineKind } from '../lib/lead-fields.js';

export type RefColumn = {
  key: string; label: string;
  kind: InlineKind | 'checkbox';
  options?: { value: string; label: string }[];
  /** Shown in the list but not editable (or edited elsewhere). */
  readOnly?: boolean;
  /** Asked in the "new" form; the value sent when left empty is `null` unless `required`. */
  inCreate?: boolean; required?: boolean; initial?: string;
  /** How a read-only cell shows its value. */
  render?: (row: Record<string, unknown>) => ReactNode;
};

type Row = { id: string; version: number } & Record<string, unknown>;

/** One editable cell: saves on change (select, checkbox) or on blur / Enter (text). */
function Cell({ row, col, path, canEdit, onSaved }: { row: Row; col: RefColumn; path: string; canEdit: boolean; onSaved: (r: Row) => void }) {
  const { t } = useI18n();
  const stored = row[col.key];
  const [draft, setDraft] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const id = `c-${row.id}-${col.key}`;
  const save = async (value: unknown) => {
    try {
      const updated = await api.patch<Row>(`${path}/${row.id}`, { [col.key]: value, version: row.version });
      setDraft(undefined); setError(null); onSaved(updated);
    } catch (e) {
      const fe = e instanceof ApiError ? e.fieldErrors[0] : undefined;
      setError(fe ? fieldErrorText(t, fe) : errorText(t, e));
    }
  };
  if (!canEdit || col.readOnly) {
    if (col.render) return <td>{col.render(row)}</td>;
    if (col.kind === 'checkbox') return <td>{t(stored ? 'common.yes' : 'common.no')}</td>;
    if (col.kind === 'select') return <td>{col.options?.find((o) => o.value === stored)?.label ?? toInput(stored)}</td>;
    return <td>{toInput(stored)}</td>;
  }
  const label = <label htmlFor={id} className="visually-hidden">{`${col.label}: ${toInput(row['name'] ?? row['label'] ?? row['id'])}`}</label>;
  const err = error && <small className="field__error" role="alert">{error}</small>;
  if (col.kind === 'checkbox') {
    return <td>{label}<input id={id} type="checkbox" checked={Boolean(stored)} onChange={(e) => void save(e.target.checked)} />{err}</td>;
  }
  if (col.kind === 'select') {
    return (
      <td>{label}
        <select id={id} value={draft ?? toInput(stored)} aria-invalid={error ? true : undefined}
          onChange={(e) => { setDraft(e.target.value); void save(fromInput('select', e.target.value)); }}>
          {!col.required && <option value="">—</option>}
          {col.options?.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>{err}
      </td>
    );
  }
  const kind = col.kind;
  return (
    <td>{label}
      <input id={id} type={kind === 'date' ? 'date' : 'text'} inputMode={kind === 'decimal' ? 'decimal' : kind === 'integer' ? 'numeric' : undefined}
        value={draft ?? toInput(stored)} aria-invalid={error ? true : undefined}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={(e) => {
          if (!isChanged(kind, stored, e.target.value)) { setDraft(undefined); setError(null); return; }
          const v = fromInput(kind, e.target.value);
          if (v === undefined) { setError(t('fieldError.invalid_type')); return; }
          void save(v);
        }}
        onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); }} />{err}
    </td>
  );
}

/**
 * A reference-data list (products, sources, campaigns, teams, users, custom fields): every row
 * editable in place for those allowed, a "new" form above. Others see the same list read-only.
 */
export function RefTable(props: {
  path: string; title: string; columns: RefColumn[]; canEdit: boolean; query?: Record<string, string>;
  /** Extra fields the create body needs that are not columns (e.g. a user's password). */
  createExtra?: { key: string; label: string; type?: string; hint?: string; list?: boolean }[];
  lookupKey?: string; newLabel: string;
}) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const key = ['settings', props.path, props.query ?? {}];
  const list = useQuery({ queryKey: key, queryFn: () => api.get<Page<Row>>(props.path, { limit: '500', ...props.query }) });
  const createCols = props.columns.filter((c) => c.inCreate);
  const blank = () => Object.fromEntries([...createCols.map((c) => [c.key, c.initial ?? '']), ...(props.createExtra ?? []).map((x) => [x.key, ''])]);
  const [form, setForm] = useState<Record<string, string>>(blank);
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['settings', props.path] });
    if (props.lookupKey) await queryClient.invalidateQueries({ queryKey: ['lookup', props.lookupKey] });
  };
  const create = useMutation({
    mutationFn: () => {
      const body: Record<string, unknown> = { ...props.query };
      for (const c of createCols) {
        const text = form[c.key] ?? '';
        if (c.kind === 'checkbox') { body[c.key] = text === 'true'; continue; }
        // Empty optional fields are left out (the API's default applies); a bad number goes as typed
        // so the API names the field and the reason.
        const v = fromInput(c.kind, text);
        if (v === null) { if (c.required) body[c.key] = ''; continue; }
        body[c.key] = v === undefined ? text : v;
      }
      for (const x of props.createExtra ?? []) {
        const text = form[x.key] ?? '';
        // A list (e.g. a choice field's options) is typed comma-separated.
        if (x.list) { const items = text.split(',').map((o) => o.trim()).filter(Boolean); if (items.length) body[x.key] = items; continue; }
        body[x.key] = text;
      }
      return api.post<Row>(props.path, body);
    },
    onSuccess: async () => { setForm(blank()); await refresh(); },
  });
  const { fields, general } = formErrors(t, create.error);
  const rows = list.data?.data ?? [];
  const submit = (e: FormEvent) => { e.preventDefault(); create.mutate(); };
  const setField = (k: string, v: string) => setForm((f) => ({ ...f, [k]: v }));
  const fid = (k: string) => `new-${props.path.replace(/\W/g, '')}-${k}`;
  return (
    <section className="card" aria-labelledby={`${fid('title')}`}>
      <h2 id={fid('title')}>{props.title}</h2>
      {props.canEdit ? (
        <form className="ref-form" onSubmit={submit} noValidate aria-label={props.newLabel}>
          <FormAlert message={general} />
          {createCols.map((c) => (
            <div key={c.key} className={`field${fields[c.key] ? ' field--invalid' : ''}`}>
              <label htmlFor={fid(c.key)}>{c.label}</label>
              {c.kind === 'select' ? (
                <select id={fid(c.key)} value={form[c.key] ?? ''} onChange={(e) => setField(c.key, e.target.value)} aria-invalid={fields[c.key] ? true : undefined}>
                  {!c.required && <option value="">—</option>}
                  {c.options?.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
                </select>
              ) : c.kind === 'checkbox' ? (
                <input id={fid(c.key)} type="checkbox" checked={form[c.key] === 'true'} onChange={(e) => setField(c.key, e.target.checked ? 'true' : '')} />
              ) : (
                <input id={fid(c.key)} type={c.kind === 'date' ? 'date' : 'text'} value={form[c.key] ?? ''} onChange={(e) => setField(c.key, e.target.value)}
                  inputMode={c.kind === 'decimal' ? 'decimal' : c.kind === 'integer' ? 'numeric' : undefined} aria-invalid={fields[c.key] ? true : undefined} />
              )}
              {fields[c.key] && <small className="field__error" role="alert">{fields[c.key]}</small>}
            </div>
          ))}
          {props.createExtra?.map((x) => (
            <div key={x.key} className="field">
              <label htmlFor={fid(x.key)}>{x.label}</label>
              <input id={fid(x.key)} type={x.type ?? 'text'} value={form[x.key] ?? ''} onChange={(e) => setField(x.key, e.target.value)} aria-invalid={fields[x.key] ? true : undefined}
                aria-describedby={x.hint ? fid(`${x.key}-hint`) : undefined} />
              {x.hint && <small id={fid(`${x.key}-hint`)} className="field__hint">{x.hint}</small>}
              {fields[x.key] && <small className="field__error" role="alert">{fields[x.key]}</small>}
            </div>
          ))}
          <button type="submit" className="button button--primary" disabled={create.isPending}>{props.newLabel}</button>
        </form>
      ) : <p className="muted small">{t('settings.readOnly')}</p>}
      {list.isLoading ? <Loading /> : list.error ? <ErrorState error={list.error} onRetry={() => list.refetch()} /> : !rows.length ? <Empty>{t('common.empty')}</Empty> : (
        <div className="table-wrap table-wrap--contained">
          <table className="table">
            <thead><tr>{props.columns.map((c) => <th key={c.key} scope="col">{c.label}</th>)}</tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  {props.columns.map((c) => (
                    <Cell key={`${c.key}-${r.version}`} row={r} col={c} path={props.path} canEdit={props.canEdit}
                      onSaved={(u) => { queryClient.setQueryData<Page<Row>>(key, (p) => p && { ...p, data: p.data.map((x) => (x.id === u.id ? { ...x, ...u } : x)) }); void refresh(); }} />
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
