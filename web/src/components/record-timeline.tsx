import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Activity, Comment, Page } from '../api/types.js';
import { errorText, fieldErrorText, useI18n } from '../i18n/i18n.js';
import { Empty, ErrorState, Loading } from './ui.js';
import { activityLabelKey, outcomeKey } from '../lib/labels.js';

function CommentsBlock({ activity }: { activity: Activity }) {
  const { t, fmt } = useI18n();
  const queryClient = useQueryClient();
  const key = ['comments', activity.id];
  const comments = useQuery({ queryKey: key, queryFn: () => api.get<{ data: Comment[] }>(`/activities/${activity.id}/comments`) });
  const [body, setBody] = useState('');
  const add = useMutation({
    mutationFn: () => api.post<Comment>(`/activities/${activity.id}/comments`, { body }),
    onSuccess: async () => { setBody(''); await queryClient.invalidateQueries({ queryKey: key }); },
  });
  const id = `comment-${activity.id}`;
  const err = add.error instanceof ApiError ? add.error.fieldErrors[0] : undefined;
  return (
    <div className="comments-block">
      {(comments.data?.data.length ?? 0) > 0 && (
        <ul className="comments" aria-label={t('activity.comments')}>
          {/* Comments are user text: rendered as text nodes, never as HTML. */}
          {comments.data!.data.map((c) => (
            <li key={c.id}><span className="muted small">{c.userName ?? ''} · {fmt.dateTime(c.createdAt)}</span><br />{c.body}</li>
          ))}
        </ul>
      )}
      <form className="comment-form" onSubmit={(e) => { e.preventDefault(); if (body.trim()) add.mutate(); }}>
        <div className="field">
          <label htmlFor={id} className="visually-hidden">{t('activity.commentLabel')}</label>
          <input id={id} value={body} placeholder={t('activity.addComment')} onChange={(e) => setBody(e.target.value)}
            aria-invalid={add.error ? true : undefined} />
          {add.error && <small className="field__error" role="alert">{err ? fieldErrorText(t, err) : errorText(t, add.error)}</small>}
        </div>
        <button type="submit" className="button button--small" disabled={add.isPending || !body.trim()}>{t('activity.send')}</button>
      </form>
    </div>
  );
}

/**
 * The shared timeline of a lead, a contact or a company: every interaction by anyone in the team,
 * newest first, each with its comments. Exactly one of the ids is given.
 */
export function Timeline(props: { leadId?: string; contactId?: string; companyId?: string }) {
  const { t, fmt } = useI18n();
  const filter = props.leadId ? { leadId: props.leadId } : props.contactId ? { contactId: props.contactId } : { companyId: props.companyId ?? '' };
  const list = useInfiniteQuery({
    queryKey: ['timeline', filter], initialPageParam: null as string | null,
    queryFn: ({ pageParam }) => api.get<Page<Activity>>('/activities', { ...filter, sort: '-at', limit: '30', cursor: pageParam }),
    getNextPageParam: (p) => p.nextCursor,
  });
  const items = list.data?.pages.flatMap((p) => p.data) ?? [];
  if (list.isLoading) return <Loading />;
  if (list.error) return <ErrorState error={list.error} onRetry={() => list.refetch()} />;
  if (!items.length) return <Empty>{t('activity.noActivities')}</Empty>;
  return (
    <>
      <ol className="timeline">
        {items.map((a) => {
          const outcome = outcomeKey(a.outcome);
          return (
            <li key={a.id}>
              <div className="timeline__head">
                <strong>{t(activityLabelKey[a.type])}</strong>
                <span className="muted small">
                  {a.doneAt || a.occurredAt ? fmt.dateTime(a.occurredAt ?? a.doneAt) : t('activity.due', { when: fmt.dateTime(a.dueAt) })}
                  {a.userName ? ` · ${t('activity.by', { name: a.userName })}` : ''}
                </span>
                {a.outcome && <span className="badge">{outcome ? t(outcome) : a.outcome}</span>}
              </div>
              {a.subject && <p className="timeline__body"><strong>{a.subject}</strong></p>}
              {a.body && <p className="timeline__body">{a.body}</p>}
              <CommentsBlock activity={a} />
            </li>
          );
        })}
      </ol>
      {list.hasNextPage && <button type="button" className="button" onClick={() => list.fetchNextPage()}>{t('common.loadMore')}</button>}
    </>
  );
}
