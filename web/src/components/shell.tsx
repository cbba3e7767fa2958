import { lazy, Suspense, useEffect, useState, type ReactNode } from 'react';
import { NavLink, useNavigate } from 'react-router';
import { useSession } from '../session.js';
import { languages, useT, type Language, type MessageKey } from '../i18n/i18n.js';
import { Icon, type IconName } from './icons.js';
import { NotificationsBell } from './notifications-bell.js';

const QuickAdd = lazy(async () => ({ default: (await import('./quick-add.js')).QuickAdd }));
const InstantSearch = lazy(async () => ({ default: (await import('./instant-search.js')).InstantSearch }));

const nav: { to: string; labelKey: MessageKey; icon: IconName; end?: boolean; roles?: string[] }[] = [
  { to: '/', labelKey: 'nav.today', icon: 'today', end: true },
  { to: '/leads', labelKey: 'nav.leads', icon: 'leads' },
  { to: '/contacts', labelKey: 'nav.contacts', icon: 'contacts' },
  { to: '/companies', labelKey: 'nav.companies', icon: 'companies' },
  { to: '/follow-ups', labelKey: 'nav.followUps', icon: 'today' },
  { to: '/complaints', labelKey: 'nav.complaints', icon: 'leads' },
  { to: '/dashboard', labelKey: 'nav.dashboard', icon: 'chart' },
  { to: '/portfolios', labelKey: 'nav.portfolios', icon: 'contacts' },
  { to: '/segments', labelKey: 'nav.segments', icon: 'contacts' },
  { to: '/funnel', labelKey: 'nav.funnel', icon: 'board', roles: ['admin', 'manager'] },
  { to: '/capture/batch', labelKey: 'nav.batchEntry', icon: 'plus' },
  { to: '/duplicates', labelKey: 'nav.duplicates', icon: 'contacts', roles: ['admin', 'manager'] },
  { to: '/imports', labelKey: 'nav.imports', icon: 'contacts' },
  { to: '/settings', labelKey: 'nav.settings', icon: 'settings' },
];

/** "n" opens quick-add unless the user is typing somewhere. */
function isTyping(target: EventTarget | null) {
  const el = target as HTMLElement | null;
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName));
}

export function LanguageSwitch({ id = 'language-switch' }: { id?: string }) {
  const t = useT();
  const { language, setLanguage } = useSession();
  return (
    <div className="language-switch">
      <label htmlFor={id} className="visually-hidden">{t('nav.language')}</label>
      <select id={id} value={language} onChange={(e) => setLanguage(e.target.value as Language)}>
        {languages.map((l) => <option key={l} value={l}>{t(l === 'es' ? 'lang.es' : 'lang.en')}</option>)}
      </select>
    </div>
  );
}

export function Shell({ children }: { children: ReactNode }) {
  const t = useT();
  const { me, logout } = useSession();
  const navigate = useNavigate();
  const [quickAdd, setQuickAdd] = useState(false);
  const [searching, setSearching] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // Search answers Ctrl+K (Cmd+K) even from a field; "/" only when not typing.
      const searchKey = (e.key === 'k' && (e.ctrlKey || e.metaKey) && !e.altKey) || (e.key === '/' && !e.ctrlKey && !e.metaKey && !isTyping(e.target));
      if (searchKey && !document.querySelector('dialog[open]')) {
        e.preventDefault();
        setSearching(true);
        return;
      }
      if (e.key !== 'n' || e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      setQuickAdd(true);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  return (
    <div className="shell">
      <a href="#main" className="skip-link">{t('app.skipToContent')}</a>
      <header className="topbar">
        <a href="/" className="brand" onClick={(e) => { e.preventDefault(); navigate('/'); }}>
          <span className="brand__mark" aria-hidden="true">S</span>
          <span className="brand__name">{t('app.name')}</span>
        </a>
        <span className="topbar__workspace">{me?.workspace.name}</span>
        <div className="topbar__actions">
          <button type="button" className="button button--ghost" onClick={() => setSearching(true)}
            aria-keyshortcuts="Control+K /" title={t('search.hint')} aria-label={t('search.title')}>
            <Icon name="search" size={18} /> <span className="hide-narrow">{t('search.open')}</span>
          </button>
          <button type="button" className="button button--primary" onClick={() => setQuickAdd(true)}
            aria-keyshortcuts="n" title={t('nav.quickAddHint')} aria-label={t('nav.quickAdd')}>
            <Icon name="plus" size={18} /> <span className="hide-narrow">{t('nav.quickAdd')}</span>
          </button>
          <NotificationsBell />
          <LanguageSwitch />
          <button type="button" className="button button--ghost" aria-label={t('nav.logout')}
            onClick={async () => { await logout(); navigate('/login'); }}>
            <Icon name="logout" size={18} /> <span className="hide-narrow">{t('nav.logout')}</span>
          </button>
        </div>
      </header>
      <nav className="sidenav" aria-label={t('nav.main')}>
        <ul>
          {nav.filter((n) => !n.roles || n.roles.includes(me?.user.role ?? '')).map((n) => (
            <li key={n.to}>
              <NavLink to={n.to} end={n.end ?? false} className={({ isActive }) => `navlink${isActive ? ' navlink--active' : ''}`}>
                <Icon name={n.icon} /><span>{t(n.labelKey)}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="main" tabIndex={-1}>{children}</main>
      {searching && (
        <Suspense fallback={null}>
          <InstantSearch onClose={() => setSearching(false)} />
        </Suspense>
      )}
      {quickAdd && (
        <Suspense fallback={null}>
          <QuickAdd onClose={() => setQuickAdd(false)} />
        </Suspense>
      )}
    </div>
  );
}
