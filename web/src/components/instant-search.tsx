import { useEffect, useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useI18n, type T } from '../i18n/i18n.js';
import { activityKeyOf } from '../lib/labels.js';
import { Dialog, ErrorState } from './ui.js';

type Hit = {
  kind: 'contact' | 'company'; id: string; name: string; companyName: string | null; email: string | null; phone: string | null;
  ownerName: string | null; lastActivityAt: string | null;
  today: { leadId: string; title: string; at: string; type: string | null; ownerName: string | null }[];
  recent: { id: string; type: string; subject: string | null; at: string; userName: string | null }[];
};

const typeLabel = (t: T, type: string | null) => {
  const key = type ? activityKeyOf(type) : null;
  return key ? t(key) : (type ?? '');
};
const hrefOf = (h: Hit) => (h.kind === 'contact' ? `/contacts/${h.id}` : `/companies/${h.id}`);

/**
 * Find anyone from anywhere (Ctrl+K or /): when a client calls asking for a colleague who is out,
 * whoever answers sees at once who they are, who looks after them, whether they were expected
 * today and what was said last, so the client never repeats themselves.
 */
export function InstantSearch({ onClose }: { onClose: () => void }) {
  const { t, fmt } = useI18n();
  const navigate = useNavigate();
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const listId = useId();

  // A short pause after typing, so every keystroke does not become a request.
  useEffect(() => {
    const h = setTimeout(() => setQ(text.trim()), 150);
    return () => clearTimeout(h);
  }, [text]);
  useEffect(() => setActive(0), [q]);

  const found = useQuery({
    queryKey: ['search', q],
    queryFn: ({ signal }) => api.get<{ kind: string | null; results: Hit[] }>('/search', { q }, { signal }),
    enabled: q.length >= 2,
    placeholderData: (prev) => prev,
    staleTime: 10_000,
  });
  const results = q.length >= 2 ? found.data?.results ?? [] : [];

  const open = (h: Hit) => { onClose(); navigate(hrefOf(h)); };
  const onKeyDown = (e: React.KeyboardEvent) => {
    if (e.key === 'ArrowDown') { e.preventDefault(); setActive((i) => Math.min(results.length - 1, i + 1)); }
    if (e.key === 'ArrowUp') { e.preventDefault(); setActive((i) => Math.max(0, i - 1)); }
    if (e.key === 'Enter' && results[active]) { e.preventDefault(); open(results[active]); }
  };
  const optionId = (i: number) => `${listId}-${i}`;

  return (
    <Dialog open title={t('search.title')} onClose={onClose} wide>
      <div className="instant-search">
        <label htmlFor={`${listId}-input`}>{t('search.label')}</label>
        <input id={`${listId}-input`} type="search" autoFocus autoComplete="off" value={text} placeholder={t('search.placeholder')}
          role="combobox" aria-expanded={results.length > 0} aria-controls={listId} aria-autocomplete="list"
          aria-activedescendant={results[active] ? optionId(active) : undefined}
          onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} />
        <p className="muted small">{t('search.navigate')}</p>
        {found.error ? <ErrorState error={found.error} onRetry={() => found.refetch()} /> : null}
        {text.trim().length > 0 && text.trim().length < 2 && <p className="muted">{t('search.tooShort')}</p>}
        {q.length >= 2 && found.isSuccess && results.length === 0 && <p className="muted" role="status">{t('search.none', { q })}</p>}
        <ul id={listId} role="listbox" aria-label={t('search.results')} className="instant-search__results">
          {results.map((h, i) => (
            <li key={`${h.kind}-${h.id}`} id={optionId(i)} role="option" aria-selected={i === active}
              className={`instant-search__hit${i === active ? ' instant-search__hit--active' : ''}`}
              onMouseEnter={() => setActive(i)} onClick={() => open(h)}>
              <div className="instant-search__head">
                <strong>{h.name}</strong>
                <span className="badge">{t(h.kind === 'contact' ? 'search.contact' : 'search.company')}</span>
                {h.companyName && <span className="muted">{h.companyName}</span>}
              </div>
              <div className="muted small">
                {[h.phone, h.email].filter(Boolean).join(' · ')}
                {' — '}{h.ownerName ? t('search.owner', { name: h.ownerName }) : t('search.noOwner')}
              </div>
              {h.today.map((a) => (
                <p key={a.leadId} className="instant-search__today">
                  {t('search.expectedToday', { time: fmt.time(a.at), type: typeLabel(t, a.type), title: a.title })}
                  {a.ownerName ? ` (${a.ownerName})` : ''}
                </p>
              ))}
              {i === active && (
                <div className="instant-search__recent">
                  <span className="small">{t('search.recent')}:</span>
                  {h.recent.length === 0 ? <span className="muted small"> {t('search.noRecent')}</span> : (
                    <ul>
                      {h.recent.map((r) => (
                        <li key={r.id} className="small">
                          {fmt.dateTime(r.at)} · {typeLabel(t, r.type)}{r.subject ? ` · ${r.subject}` : ''}{r.userName ? ` (${r.userName})` : ''}
                        </li>
                      ))}
                    </ul>
                  )}
                </div>
              )}
            </li>
          ))}
        </ul>
      </div>
    </Dialog>
  );
}
