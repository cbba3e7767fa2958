import { useDeferredValue, useEffect, useId, useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { components } from '../api/openapi.js';
import { api, ApiError } from '../api/client.js';
import { allStages, usePipelines, useSources, useUsers } from '../api/lookups.js';
import { useI18n, isMessageKey, fieldErrorText, type MessageKey } from '../i18n/i18n.js';
import { Dialog, FormAlert, TextAreaField, TextField, formErrors } from './ui.js';
import type { SegmentCondition, SegmentDefinition, SegmentGroup, SegmentNode, SegmentOperator } from '../../../src/domain/segment.js';
import './segment-styles.css';

type S = components['schemas'];
export type SegmentRecord = S['Segment'];
export type SegmentFieldDef = S['SegmentField'];
export type SegmentCount = S['SegmentCount'];
type Preview = S['SegmentPreview'];

// The tree is deep at most MAX_DEPTH groups (src/domain/segment.ts): the root and three nested levels.
const MAX_NESTED = 3;

export const useSegments = () => useQuery({
  queryKey: ['segments'], queryFn: async () => (await api.get<{ data: SegmentRecord[] }>('/segments')).data, staleTime: 60_000,
});
export const useSegmentFields = () => useQuery({
  queryKey: ['segments', 'fields'], queryFn: async () => (await api.get<{ data: SegmentFieldDef[] }>('/segments/fields')).data, staleTime: 5 * 60_000,
});
/** Live count of a stored segment (never cached for long: it is the point of a segment). */
export const useSegmentCount = (id: string | null | undefined) => useQuery({
  queryKey: ['segments', id, 'count'], queryFn: () => api.get<SegmentCount>(`/segments/${id as string}/count`), enabled: Boolean(id), staleTime: 10_000,
});

/** A segment's name in the user's language: built-ins are named by the app, others by their author. */
export function useSegmentName() {
  const { t } = useI18n();
  return (s: Pick<SegmentRecord, 'name' | 'builtin'>) => (s.builtin ? t(`segments.builtin.${s.builtin}` as MessageKey) : s.name);
}

export function SegmentCountText({ id }: { id: string }) {
  const { t, fmt } = useI18n();
  const count = useSegmentCount(id);
  if (!count.data) return <span aria-busy="true">{count.error ? '—' : t('segments.counting')}</span>;
  return <span>{t('segments.countShort', { count: fmt.number(count.data.count), reachable: fmt.number(count.data.reachable) })}</span>;
}

/** The segments the user may pick, built-ins first (as the API orders them). */
export function SegmentOptions() {
  const segments = useSegments();
  const name = useSegmentName();
  return <>{segments.data?.map((s) => <option key={s.id} value={s.id}>{name(s)}</option>)}</>;
}

export const fieldLabel = (t: (k: MessageKey) => string, f: Pick<SegmentFieldDef, 'key' | 'label'>) => {
  const key = `segments.f.${f.key}`;
  return f.label ?? (isMessageKey(key) ? t(key) : f.key);
};

const emptyCondition = (): SegmentCondition => ({ type: 'condition', field: '', operator: 'eq' });
const needsNoValue = (op: SegmentOperator) => op === 'isEmpty' || op === 'isNotEmpty';
const isList = (op: SegmentOperator) => op === 'in' || op === 'notIn';

/** Turns what was typed into the value the API expects for the field's type. */
function parseScalar(field: SegmentFieldDef | undefined, raw: string): unknown {
  if (!field) return raw;
  if (field.type === 'number') return raw.trim() === '' ? undefined : Number(raw.replace(',', '.'));
  if (field.type === 'boolean') return raw === 'true';
  return raw;
}

type Errors = Record<string, string>;

function ValueInput({ field, condition, path, errors, onChange, n }: {
  field: SegmentFieldDef | undefined; condition: SegmentCondition; path: string; errors: Errors; n: string; onChange: (value: unknown) => void;
}) {
  const { t } = useI18n();
  const users = useUsers();
  const pipelines = usePipelines();
  const sources = useSources();
  const id = useId();
  const op = condition.operator;
  if (!field || needsNoValue(op)) return null;
  const error = errors[`${path}.value`] ?? Object.entries(errors).find(([k]) => k.startsWith(`${path}.value.`))?.[1];
  const label = `${t('segments.value')} (${t('segments.condition', { n })})`;
  const err = error ? <small className="field__error" role="alert" id={`${id}-err`}>{error}</small> : null;
  const described = error ? `${id}-err` : undefined;
  const valueLabel = (v: string) => {
    const key = `segments.v.${v}`;
    return isMessageKey(key) && !field.key.includes('.customFields.') ? t(key) : v;
  };
  // The choices of an enum or a reference field.
  const options: { value: string; label: string }[] | null = field.type === 'enum'
    ? (field.values ?? []).map((v) => ({ value: v, label: valueLabel(v) }))
    : field.reference === 'user' ? (users.data ?? []).map((u) => ({ value: u.id, label: u.name }))
      : field.reference === 'stage' ? allStages(pipelines.data).map((s) => ({ value: s.id, label: s.name }))
        : field.reference === 'source' ? (sources.data ?? []).map((s) => ({ value: s.id, label: s.name }))
          : null;
  if (field.type === 'boolean') {
    return (
      <div className="field"><label htmlFor={id}>{label}</label>
        <select id={id} value={condition.value === true ? 'true' : condition.value === false ? 'false' : ''} aria-describedby={described}
          onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value === 'true')}>
          <option value="">{t('segments.choose')}</option><option value="true">{t('common.yes')}</option><option value="false">{t('common.no')}</option>
        </select>{err}
      </div>
    );
  }
  if (options) {
    const list = isList(op);
    const current = list ? (Array.isArray(condition.value) ? condition.value as string[] : []) : (typeof condition.value === 'string' ? condition.value : '');
    return (
      <div className="field"><label htmlFor={id}>{label}</label>
        <select id={id} multiple={list} value={current} aria-describedby={described} aria-invalid={error ? true : undefined}
          onChange={(e) => onChange(list ? [...e.target.selectedOptions].map((o) => o.value) : e.target.value || undefined)}>
          {!list && <option value="">{t('segments.choose')}</option>}
          {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>{err}
      </div>
    );
  }
  const type = field.type === 'date' ? 'date' : 'text';
  const inputMode = field.type === 'number' ? 'decimal' as const : undefined;
  if (op === 'between') {
    const [a, b] = Array.isArray(condition.value) ? condition.value as unknown[] : [undefined, undefined];
    const set = (i: 0 | 1, raw: string) => {
      const next = [a, b];
      next[i] = parseScalar(field, raw);
      onChange(next);
    };
    return (
      <div className="segment-between">
        <div className="field"><label htmlFor={`${id}-a`}>{`${t('segments.valueFrom')} (${t('segments.condition', { n })})`}</label>
          <input id={`${id}-a`} type={type} inputMode={inputMode} value={a === undefined ? '' : String(a)} aria-describedby={described} onChange={(e) => set(0, e.target.value)} /></div>
        <div className="field"><label htmlFor={`${id}-b`}>{`${t('segments.valueTo')} (${t('segments.condition', { n })})`}</label>
          <input id={`${id}-b`} type={type} inputMode={inputMode} value={b === undefined ? '' : String(b)} aria-describedby={described} onChange={(e) => set(1, e.target.value)} /></div>
        {err}
      </div>
    );
  }
  if (isList(op)) {
    const text = Array.isArray(condition.value) ? (condition.value as unknown[]).join(', ') : '';
    return (
      <div className="field"><label htmlFor={id}>{label}</label>
        <input id={id} type="text" defaultValue={text} aria-describedby={described} placeholder={t('segments.valuesHint')}
          onChange={(e) => onChange(e.target.value.split(',').map((s) => s.trim()).filter(Boolean).map((s) => parseScalar(field, s)))} />{err}
      </div>
    );
  }
  return (
    <div className="field"><label htmlFor={id}>{label}</label>
      <input id={id} type={type} inputMode={inputMode} value={condition.value === undefined ? '' : String(condition.value)} aria-describedby={described}
        aria-invalid={error ? true : undefined} onChange={(e) => onChange(parseScalar(field, e.target.value))} />{err}
    </div>
  );
}

function ConditionRow({ condition, path, n, fields, errors, onChange, onRemove }: {
  condition: SegmentCondition; path: string; n: string; fields: SegmentFieldDef[]; errors: Errors;
  onChange: (c: SegmentCondition) => void; onRemove: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const field = fields.find((f) => f.key === condition.field);
  const operators = (field?.operators ?? []) as SegmentOperator[];
  const groups = ['contact', 'company', 'computed'] as const;
  const fieldError = errors[`${path}.field`] ?? errors[path];
  const opError = errors[`${path}.operator`];
  return (
    <li className="segment-condition">
      <div className="field"><label htmlFor={`${id}-f`}>{`${t('segments.field')} (${t('segments.condition', { n })})`}</label>
        <select id={`${id}-f`} value={condition.field} aria-invalid={fieldError ? true : undefined} aria-describedby={fieldError ? `${id}-fe` : undefined}
          onChange={(e) => {
            const next = fields.find((f) => f.key === e.target.value);
            const op = next && (next.operators as SegmentOperator[]).includes(condition.operator) ? condition.operator : (next?.operators[0] as SegmentOperator | undefined) ?? 'eq';
            onChange({ type: 'condition', field: e.target.value, operator: op });
          }}>
          <option value="">{t('segments.choose')}</option>
          {groups.map((g) => (
            <optgroup key={g} label={t(`segments.fieldGroup.${g}`)}>
              {fields.filter((f) => f.group === g).map((f) => <option key={f.key} value={f.key}>{fieldLabel(t, f)}</option>)}
            </optgroup>
          ))}
        </select>
        {fieldError && <small className="field__error" role="alert" id={`${id}-fe`}>{fieldError}</small>}
      </div>
      <div className="field"><label htmlFor={`${id}-o`}>{`${t('segments.operator')} (${t('segments.condition', { n })})`}</label>
        <select id={`${id}-o`} value={condition.operator} disabled={!field} aria-invalid={opError ? true : undefined}
          onChange={(e) => {
            const op = e.target.value as SegmentOperator;
            // A value of another shape (one value vs a list vs a range) would only be refused: start again.
            const sameShape = isList(op) === isList(condition.operator) && (op === 'between') === (condition.operator === 'between');
            onChange({ ...condition, operator: op, ...(needsNoValue(op) || !sameShape ? { value: undefined } : {}) });
          }}>
          {operators.map((o) => <option key={o} value={o}>{t(`segments.op.${o}`)}</option>)}
        </select>
        {opError && <small className="field__error" role="alert">{opError}</small>}
      </div>
      <ValueInput field={field} condition={condition} path={path} errors={errors} n={n}
        onChange={(value) => onChange({ ...condition, value })} />
      <button type="button" className="button button--ghost" onClick={onRemove}>{t('segments.removeCondition', { n })}</button>
    </li>
  );
}

/** "2", or "3.1" for the first condition of the third item's group: how labels tell conditions apart. */
const conditionNumber = (path: string) => [...path.matchAll(/children\.(\d+)/g)].map((m) => Number(m[1]) + 1).join('.');

/** One AND / OR group: its conditions and nested groups, editable with the keyboard alone. */
function GroupEditor({ group, path, depth, fields, errors, onChange, onRemove }: {
  group: SegmentGroup; path: string; depth: number; fields: SegmentFieldDef[]; errors: Errors;
  onChange: (g: SegmentGroup) => void; onRemove?: (() => void) | undefined;
}) {
  const { t } = useI18n();
  const id = useId();
  const setChild = (i: number, node: SegmentNode) => onChange({ ...group, children: group.children.map((c, j) => (j === i ? node : c)) });
  const removeChild = (i: number) => onChange({ ...group, children: group.children.filter((_, j) => j !== i) });
  const groupError = errors[path] ?? errors[`${path}.children`];
  return (
    <fieldset className={`segment-group${depth > 0 ? ' segment-group--nested' : ''}`}>
      <legend>{t(depth === 0 ? 'segments.conditions' : 'segments.groupNested')}</legend>
      <div className="field segment-group__combinator"><label htmlFor={id}>{t('segments.combinator')}</label>
        <select id={id} value={group.combinator} onChange={(e) => onChange({ ...group, combinator: e.target.value as 'and' | 'or' })}>
          <option value="and">{t('segments.combinator.and')}</option>
          <option value="or">{t('segments.combinator.or')}</option>
        </select>
      </div>
      {groupError && <small className="field__error" role="alert">{groupError}</small>}
      {group.children.length === 0 && <p className="field__hint">{t(group.combinator === 'and' ? 'segments.emptyAnd' : 'segments.emptyOr')}</p>}
      <ul className="segment-group__list">
        {group.children.map((child, i) => {
          const childPath = `${path}.children.${i}`;
          if (child.type === 'group') {
            return (
              <li key={i}>
                <GroupEditor group={child} path={childPath} depth={depth + 1} fields={fields} errors={errors}
                  onChange={(g) => setChild(i, g)} onRemove={() => removeChild(i)} />
              </li>
            );
          }
          return <ConditionRow key={i} condition={child} path={childPath} n={conditionNumber(childPath)} fields={fields} errors={errors}
            onChange={(c) => setChild(i, c)} onRemove={() => removeChild(i)} />;
        })}
      </ul>
      <div className="toolbar">
        <button type="button" className="button" onClick={() => onChange({ ...group, children: [...group.children, emptyCondition()] })}>{t('segments.addCondition')}</button>
        {depth < MAX_NESTED && (
          <button type="button" className="button" onClick={() => onChange({ ...group, children: [...group.children, { type: 'group', combinator: group.combinator === 'and' ? 'or' : 'and', children: [emptyCondition()] }] })}>
            {t('segments.addGroup')}
          </button>
        )}
        {onRemove && <button type="button" className="button button--ghost" onClick={onRemove}>{t('segments.removeGroup')}</button>}
      </div>
    </fieldset>
  );
}

/** Conditions still being typed (no field chosen yet) are left out of the live count. */
function completeOnly(g: SegmentGroup): SegmentGroup {
  const children = g.children
    .map((c) => (c.type === 'group' ? completeOnly(c) : c))
    .filter((c) => (c.type === 'group' ? c.children.length > 0 : c.field !== ''));
  return { ...g, children };
}

function fieldErrorMap(t: ReturnType<typeof useI18n>['t'], e: unknown): Errors {
  const out: Errors = {};
  if (e instanceof ApiError) for (const fe of e.fieldErrors) out[fe.field] ??= fieldErrorText(t, fe);
  return out;
}

/**
 * Create or edit a segment: name, conditions as nested AND / OR groups, and a live count of the
 * contacts it selects (the same compiler as the saved segment, through POST /segments/preview).
 */
export function SegmentEditor({ segment, onClose }: { segment: SegmentRecord | null; onClose: () => void }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const fields = useSegmentFields();
  const isBuiltin = Boolean(segment?.builtin);
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [shared, setShared] = useState(segment?.shared ?? false);
  const [definition, setDefinition] = useState<SegmentDefinition>(
    (segment?.definition as SegmentDefinition | undefined) ?? { type: 'group', combinator: 'and', children: [emptyCondition()] });
  const live = useDeferredValue(definition);
  const [debounced, setDebounced] = useState(live);
  useEffect(() => { const h = setTimeout(() => setDebounced(live), 300); return () => clearTimeout(h); }, [live]);
  const toCount = completeOnly(debounced);
  const preview = useQuery({
    queryKey: ['segments', 'preview', toCount],
    queryFn: ({ signal }) => api.post<Preview>('/segments/preview', { definition: toCount, limit: 5 }, { signal }),
    retry: false, placeholderData: (prev) => prev,
  });
  const save = useMutation({
    mutationFn: () => {
      const body = { description: description.trim() || null, definition: completeOnly(definition) };
      return segment
        ? api.patch<SegmentRecord>(`/segments/${segment.id}`, isBuiltin ? body : { ...body, name, shared, version: segment.version })
        : api.post<SegmentRecord>('/segments', { ...body, name, shared });
    },
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['segments'] }); onClose(); },
  });
  const { fields: formFields, general } = formErrors(t, save.error);
  const errors = { ...fieldErrorMap(t, preview.error), ...fieldErrorMap(t, save.error) };
  const submit = (e: FormEvent) => { e.preventDefault(); save.mutate(); };
  const title = segment ? (isBuiltin ? t('segments.editVip') : t('segments.editOf', { name: segment.name })) : t('segments.new');
  return (
    <Dialog open wide title={title} onClose={onClose}>
      <form onSubmit={submit} noValidate className="segment-editor">
        <FormAlert message={general} />
        {!isBuiltin && <TextField label={t('segments.name')} value={name} onChange={(e) => setName(e.target.value)} error={formFields['name']} required autoFocus />}
        <TextAreaField label={t('segments.description')} value={description} rows={2} onChange={(e) => setDescription(e.target.value)} error={formFields['description']} />
        {!isBuiltin && <label className="checkbox-label"><input type="checkbox" checked={shared} onChange={(e) => setShared(e.target.checked)} /> {t('segments.shared')}</label>}
        {fields.data && (
          <GroupEditor group={definition} path="definition" depth={0} fields={fields.data} errors={errors} onChange={setDefinition} />
        )}
        <section className="segment-live" aria-labelledby="segment-live-title">
          <h3 id="segment-live-title">{t('segments.live')}</h3>
          <p aria-live="polite" data-testid="segment-live-count">
            {preview.data && !preview.error
              ? t('segments.countValue', { count: fmt.number(preview.data.count), reachable: fmt.number(preview.data.reachable) })
              : preview.error ? '—' : t('segments.counting')}
          </p>
          {preview.data && preview.data.data.length > 0 && !preview.error && (
            <ul aria-label={t('segments.preview')} className="segment-live__list">
              {preview.data.data.map((c) => <li key={c.id}>{[c.firstName, c.lastName].filter(Boolean).join(' ')}</li>)}
            </ul>
          )}
        </section>
        <div className="dialog__actions">
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" className="button button--primary" disabled={save.isPending}>{t('segments.save')}</button>
        </div>
      </form>
    </Dialog>
  );
}
