import { useI18n } from '../i18n/i18n.js';
import { nextActionTypes, type NextActionType } from '../api/types.js';
import type { NextActionDraft } from '../lib/next-action.js';
import { quickDates } from '../lib/next-action.js';
import { SelectField, TextField } from './ui.js';
import { activityLabelKey } from '../lib/labels.js';

/** Date, time, type and note of the next action, with quick date picks. */
export function NextActionFields(props: {
  value: NextActionDraft; onChange: (v: NextActionDraft) => void;
  errors: Partial<Record<'date' | 'type' | 'note', string | undefined>>; required: boolean;
}) {
  const { t, fmt } = useI18n();
  const { value, onChange, errors } = props;
  const set = (patch: Partial<NextActionDraft>) => onChange({ ...value, ...patch });
  return (
    <fieldset className="next-action">
      <legend>{t('log.nextTitle')}{props.required ? ` (${t('common.required').toLowerCase()})` : ''}</legend>
      {props.required && <p className="muted small">{t('log.nextRequired')}</p>}
      <div className="form-row">
        <TextField label={t('log.date')} type="date" name="nextActionDate" value={value.date} required={props.required}
          onChange={(e) => set({ date: e.target.value })} error={errors.date} />
        <TextField label={t('log.time')} type="time" name="nextActionTime" value={value.time} step={300}
          onChange={(e) => set({ time: e.target.value })} />
        <SelectField label={t('lead.nextActionType')} name="nextActionType" value={value.type} required={props.required}
          onChange={(e) => set({ type: e.target.value as NextActionType | '' })} error={errors.type}>
          <option value="">—</option>
          {nextActionTypes.map((k) => <option key={k} value={k}>{t(activityLabelKey[k])}</option>)}
        </SelectField>
      </div>
      <div className="quick-dates" role="group" aria-label={t('log.date')}>
        {quickDates(fmt.timeZone).map((q) => (
          <button key={q.days} type="button" className="button button--small" onClick={() => set({ date: q.date })}
            aria-pressed={value.date === q.date}>
            {fmt.daysAgo(new Date(Date.now() + q.days * 86_400_000))}
          </button>
        ))}
      </div>
      <TextField label={t('lead.nextActionNote')} name="nextActionNote" value={value.note} maxLength={2000}
        onChange={(e) => set({ note: e.target.value })} error={errors.note} />
    </fieldset>
  );
}
