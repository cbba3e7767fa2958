import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { es, type MessageKey } from './es.js';
import { en } from './en.js';
import { makeFormatters, localeTag, type Formatters } from '../lib/format.js';
import type { FieldError } from '../api/client.js';
import { ApiError } from '../api/client.js';

export type { MessageKey };
export type Language = 'es' | 'en';
export const languages: readonly Language[] = ['es', 'en'];
export const catalogs: Record<Language, Record<MessageKey, string>> = { es, en };

export type Params = Record<string, string | number>;
export type T = (key: MessageKey, params?: Params) => string;

export const isMessageKey = (key: string): key is MessageKey => Object.prototype.hasOwnProperty.call(es, key);

/** Looks a key up in a catalogue and fills `{name}` parameters; a missing parameter stays visible. */
export function translate(language: Language, key: MessageKey, params?: Params): string {
  const template = catalogs[language][key] ?? es[key] ?? key;
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

/** The user-facing reason of one API field error: translated by its code, else the API's message. */
export function fieldErrorText(t: T, e: FieldError): string {
  const key = `fieldError.${e.code}`;
  return isMessageKey(key) ? t(key) : e.message;
}

/** The user-facing text of any error thrown by the API client (or anything else). */
export function errorText(t: T, e: unknown): string {
  if (e instanceof ApiError) {
    const key = `error.${e.code}`;
    if (isMessageKey(key)) return t(key);
    // A body that is not problem+json (a proxy's HTML page) is no message for a person.
    if (e.code.startsWith('http_')) return t('error.unknown', { code: e.status });
    return e.problem.detail || t('error.unknown', { code: e.code });
  }
  return t('error.unknown', { code: e instanceof Error ? e.name : 'unknown' });
}

export type I18n = { language: Language; t: T; fmt: Formatters };

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider(props: { language: Language; country: string; timeZone: string; currency: string; children: ReactNode }) {
  const { language, country, timeZone, currency } = props;
  const value = useMemo<I18n>(() => ({
    language,
    t: (key, params) => translate(language, key, params),
    fmt: makeFormatters({ locale: localeTag(language, country), timeZone, currency }),
  }), [language, country, timeZone, currency]);
  return <I18nContext.Provider value={value}>{props.children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}

export const useT = () => useI18n().t;

/** The language to show before we know the user (login, setup): the last one chosen here, else Spanish. */
export function initialLanguage(): Language {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem('seg.language') : null;
  return saved === 'en' ? 'en' : 'es';
}

export const rememberLanguage = (language: Language) => {
  try { localStorage.setItem('seg.language', language); } catch { /* private mode */ }
};
