import { useEffect, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import type { NotificationRecord } from '../lib/records.js';

type NotificationPage = { data: NotificationRecord[]; nextCursor: string | null; unreadCount: number };

/** The header bell: unread count (polled each minute), the latest notifications, mark read. */
export function NotificationsBell() {
  const { t, fmt } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const q = useQuery({
    queryKey: ['notifications'], refetchInterval: 60_000,
    queryFn: () => api.get<NotificationPage>('/notifications', { limit: '20' }),
  });
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['notifications'] });
  const markRead = useMutation({ mutationFn: (id: string) => api.post(`/notifications/${id}/read`), onSuccess: refresh });
  const markAll = useMutation({ mutationFn: () => api.post('/notifications/read-all'), onSuccess: refresh });
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false); };
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => { document.removeEventListener('mousedown', onDown); document.removeEventListener('keydown', onKey); };
  }, [open]);
  const unread = q.data?.unreadCount ?? 0;
  const items = q.data?.data ?? [];
  return (
    <div className="bell" ref={ref}>
      <button type="button" className="button button--ghost" aria-expanded={open} aria-controls="notifications-panel"
        aria-label={t('notifications.bell', { count: unread })} onClick={() => setOpen((o) => !o)}>
        <svg width={18} height={18} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9M10 21a2 2 0 0 0 4 0" />
        </svg>
        {unread > 0 && <span className="bell__count" aria-hidden="true">{unread > 99 ? '99+' : unread}</span>}
      </button>
      {open && (
        <div id="notifications-panel" className="bell__panel" role="region" aria-label={t('notifications.title')}>
          <div className="toolbar">
            <strong>{t('notifications.title')}</strong>
            {unread > 0 && <button type="button" className="button button--small button--ghost" onClick={() => markAll.mutate()}>{t('notifications.readAll')}</button>}
          </div>
          {!items.length ? <p className="empty">{t('notifications.empty')}</p> : (
            <ul>
              {items.map((n) => (
                <li key={n.id} className={n.readAt ? undefined : 'unread'}>
                  <strong>{n.title}</strong>
                  {n.body && <div className="small">{n.body}</div>}
                  <div className="muted small">{fmt.dateTime(n.createdAt)}</div>
                  <div className="toolbar">
                    {n.link && (
                      <button type="button" className="button button--small" onClick={() => {
                        if (!n.readAt) markRead.mutate(n.id);
                        setOpen(false);
                        // Links are app paths; anything else is not followed.
                        if (n.link!.startsWith('/')) navigate(n.link!);
                      }}>{t('notifications.open')}</button>
                    )}
                    {!n.readAt && <button type="button" className="button button--small button--ghost" onClick={() => markRead.mutate(n.id)}
                      aria-label={t('notifications.markReadOf', { title: n.title })}>{t('notifications.markRead')}</button>}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
