import { useState } from 'react';
import { Link } from 'react-router';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { Empty, ErrorState, FormAlert, Loading, formErrors } from '../components/ui.js';
import { ExportMenu } from '../components/export-menu.js';
import { SegmentCountText, SegmentEditor, useSegmentName, useSegments, type SegmentRecord } from '../components/segment-editor.js';

/** Segments: built-ins and the user's own and shared ones, each with its live count, members and export. */
export function SegmentsPage() {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const segments = useSegments();
  const name = useSegmentName();
  const [editing, setEditing] = useState<SegmentRecord | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (s: SegmentRecord) => api.del(`/segments/${s.id}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['segments'] }),
  });
  const rows = segments.data ?? [];
  const own = rows.filter((s) => !s.builtin);
  return (
    <section className="page" aria-labelledby="segments-title">
      <header className="page__header">
        <h1 id="segments-title">{t('segments.title')}</h1>
        <div className="toolbar">
          <button type="button" className="button button--primary" onClick={() => setEditing('new')}>{t('segments.new')}</button>
        </div>
      </header>
      <p className="field__hint">{t('segments.intro')}</p>
      <FormAlert message={formErrors(t, remove.error).general} />
      {segments.isLoading ? <Loading /> : segments.error ? <ErrorState error={segments.error} onRetry={() => segments.refetch()} /> : (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('segments.name')}</th>
              <th scope="col">{t('segments.count')}</th>
              <th scope="col">{t('segments.actions')}</th>
            </tr></thead>
            <tbody>
              {rows.map((s) => (
                <tr key={s.id} data-testid={`segment-${s.builtin ?? s.name}`}>
                  <td>
                    <strong>{name(s)}</strong>{' '}
                    <span className="badge">{s.builtin ? t('segments.builtin') : s.shared ? t('segments.shared') : t('segments.private')}</span>
                    {(s.builtin || s.description) && (
                      <div className="field__hint">{s.builtin ? t(`segments.builtinHint.${s.builtin}` as MessageKey) : s.description}</div>
                    )}
                    {s.problems.length > 0 && <div className="field__error" role="note">{t('segments.problems')}</div>}
                  </td>
                  <td><SegmentCountText id={s.id} /></td>
                  <td>
                    <div className="toolbar">
                      <Link className="button" to={`/contacts?segmentId=${s.id}`} aria-label={t('segments.membersOf', { name: name(s) })}>{t('segments.members')}</Link>
                      <ExportMenu resource="contacts" query={{ segmentId: s.id }} />
                      {s.canEdit && (
                        <button type="button" className="button" onClick={() => setEditing(s)} aria-label={t('segments.editOf', { name: name(s) })}>
                          {s.builtin ? t('segments.editVip') : t('segments.edit')}
                        </button>
                      )}
                      {s.canDelete && (
                        <button type="button" className="button button--ghost"
                          onClick={() => { if (window.confirm(t('segments.deleteConfirm', { name: s.name }))) remove.mutate(s); }}>
                          {t('segments.delete')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {own.length === 0 && <Empty>{t('segments.empty')}</Empty>}
        </div>
      )}
      {editing && <SegmentEditor segment={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </section>
  );
}
