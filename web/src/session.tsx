import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken, setUnauthenticatedHandler } from './api/client.js';
import type { Me } from './api/types.js';
import { I18nProvider, initialLanguage, rememberLanguage, type Language } from './i18n/i18n.js';

type Session = {
  me: Me | null;
  isLoading: boolean;
  setupNeeded: boolean;
  language: Language;
  setLanguage: (l: Language) => void;
  /** After login or setup: reloads the user, the workspace and the CSRF token. */
  refresh: () => Promise<void>;
  logout: () => Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

async function loadMe(): Promise<Me | null> {
  try {
    const me = await api.get<Me>('/auth/me', undefined, { quiet401: true });
    setCsrfToken(me.csrfToken);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

const browserTimeZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Who is logged in, in which language; wraps the app in the i18n provider of that user. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const meQuery = useQuery({ queryKey: ['me'], queryFn: loadMe, staleTime: Infinity, retry: 1 });
  const setupQuery = useQuery({
    queryKey: ['setup'], staleTime: Infinity, retry: 1,
    queryFn: () => api.get<{ needed: boolean }>('/setup'),
  });
  const me = meQuery.data ?? null;
  const [chosen, setChosen] = useState<Language | null>(null);
  const language: Language = chosen ?? me?.user.locale ?? (me?.workspace.locale === 'en' ? 'en' : null) ?? initialLanguage();

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setCsrfToken(null);
      queryClient.setQueryData(['me'], null);
    });
    return () => setUnauthenticatedHandler(null);
  }, [queryClient]);

  useEffect(() => { document.documentElement.lang = language; }, [language]);

  const setLanguage = useCallback((l: Language) => {
    setChosen(l);
    rememberLanguage(l);
    if (me) {
      // Saved per user so the choice follows them to another device; older servers lack the route.
      api.patch('/users/me', { locale: l }).then(
        () => queryClient.setQueryData<Me | null>(['me'], (old) => (old ? { ...old, user: { ...old.user, locale: l } } : old)),
        () => undefined,
      );
    }
  }, [me, queryClient]);

  const refresh = useCallback(async () => {
    setChosen(null);
    await queryClient.invalidateQueries({ queryKey: ['setup'] });
    await queryClient.refetchQueries({ queryKey: ['me'] });
  }, [queryClient]);

  const logout = useCallback(async () => {
    try { await api.post('/auth/logout'); } catch { /* the session may already be gone */ }
    setCsrfToken(null);
    queryClient.setQueryData(['me'], null);
    // Drop everything the previous user could see; `me` and `setup` stay observed by the provider.
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' && q.queryKey[0] !== 'setup' });
  }, [queryClient]);

  const value = useMemo<Session>(() => ({
    me, isLoading: meQuery.isLoading || setupQuery.isLoading, setupNeeded: setupQuery.data?.needed ?? false,
    language, setLanguage, refresh, logout,
  }), [me, meQuery.isLoading, setupQuery.isLoading, setupQuery.data, language, setLanguage, refresh, logout]);

  return (
    <SessionContext.Provider value={value}>
      <I18nProvider language={language} country={me?.workspace.defaultCountry ?? 'ES'}
        timeZone={me?.workspace.timeZone ?? browserTimeZone()} currency={me?.workspace.currency ?? 'EUR'}>
        {children}
      </I18nProvider>
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The logged-in user's session; only for pages behind the login guard. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a session');
  return me;
}
