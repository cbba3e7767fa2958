import { useId } from 'react';
import { useI18n, type MessageKey, type T } from '../i18n/i18n.js';

// Mirrors src/domain/api-scope.ts: per area none / read / write (write includes read), plus webhooks.
const areas = ['contacts', 'leads', 'sales', 'metrics', 'settings'] as const;
type Level = '' | 'read' | 'write';

const levelOf = (scopes: readonly string[], area: string): Level =>
  scopes.includes(`${area}:write`) ? 'write' : scopes.includes(`${area}:read`) ? 'read' : '';

/** A short text of a token's scopes for the token list; null scopes are full access. */
export function scopeSummary(t: T, scopes: readonly string[] | null | undefined): string {
  if (!scopes) return t('scopes.fullShort');
  const parts = areas.map((a) => ({ a, l: levelOf(scopes, a) })).filter((x) => x.l)
    .map((x) => `${t(`scopes.area.${x.a}` as MessageKey)}: ${t(x.l === 'write' ? 'scopes.write' : 'scopes.read')}`);
  if (scopes.includes('webhooks')) parts.push(t('scopes.webhooks'));
  return parts.join(' · ');
}

/**
 * What a new API token may do: full access (null, the user's rights) or chosen areas. The server
 * enforces it; this only builds the list.
 */
export function ApiScopesField({ value, onChange, error }: { value: string[] | null; onChange: (v: string[] | null) => void; error?: string | undefined }) {
  const { t } = useI18n();
  const id = useId();
  const scopes = value ?? [];
  const setLevel = (area: string, level: Level) =>
    onChange([...scopes.filter((s) => !s.startsWith(`${area}:`)), ...(level ? [`${area}:${level}`] : [])]);
  return (
    <fieldset className="plain-fieldset" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t('scopes.title')}</legend>
      <label className="checkbox-label"><input type="radio" name={`${id}-mode`} checked={value === null} onChange={() => onChange(null)} /> {t('scopes.full')}</label>
      <label className="checkbox-label"><input type="radio" name={`${id}-mode`} checked={value !== null} onChange={() => onChange(value ?? [])} /> {t('scopes.limited')}</label>
      {value !== null && (
        <div className="filters">
          {areas.map((a) => (
            <div className="field" key={a}>
              <label htmlFor={`${id}-${a}`}>{t(`scopes.area.${a}` as MessageKey)}</label>
              <select id={`${id}-${a}`} value={levelOf(scopes, a)} onChange={(e) => setLevel(a, e.target.value as Level)}>
                <option value="">{t('scopes.none')}</option>
                <option value="read">{t('scopes.read')}</option>
                <option value="write">{t('scopes.write')}</option>
              </select>
            </div>
          ))}
          <label className="checkbox-label">
            <input type="checkbox" checked={scopes.includes('webhooks')} onChange={(e) => onChange(e.target.checked ? [...scopes, 'webhooks'] : scopes.filter((s) => s !== 'webhooks'))} />
            {t('scopes.webhooks')}
          </label>
        </div>
      )}
      {error && <p className="field__error" id={`${id}-error`} role="alert">{error}</p>}
    </fieldset>
  );
}
