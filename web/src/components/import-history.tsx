import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useI18n, type MessageKey } from '../i18n/i18n.js';
import { Dialog, Empty, ErrorState, FormAlert, Loading, formErrors } from './ui.js';
import { ImportCounts, type ImportRecord } from './import-bits.js';

function RollbackDialog({ imp, onClose }: { imp: ImportRecord; onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const undo = useMutation({
    mutationFn: () => api.post<ImportRecord>(`/imports/${imp.id}/rollback`),
    onSuccess: async () => { await queryClient.invalidateQueries({ queryKey: ['imports'] }); onClose(); },
  });
  const { general } = formErrors(t, undo.error);
  return (
    <Dialog open title={t('imports.rollback')} onClose={onClose}>
      <FormAlert message={general} />
      <p>{t('imports.rollbackConfirm', { file: imp.fileName })}</p>
      <div className="dialog__actions">
        <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
        <button type="button" className="button button--danger" onClick={() => undo.mutate()} disabled={undo.isPending}>{t('imports.rollback')}</button>
      </div>
    </Dialog>
  );
}

/** Past imports with their outcome, the rejected-rows report and undo. */
export function ImportHistory({ onOpen }: { onOpen: (imp: ImportRecord) => void }) {
  const { t, fmt, language } = useI18n();
  const list = useQuery({
    queryKey: ['imports'],
    queryFn: () => api.get<{ data: ImportRecord[] }>('/imports'),
    refetchInterval: (q) => (q.state.data?.data.some((i) => i.status === 'queued' || i.status === 'running') ? 2000 : false),
  });
  const [undoing, setUndoing] = useState<ImportRecord | null>(null);
  return (
    <section aria-labelledby="import-history-title" className="card">
      <h2 id="import-history-title">{t('imports.history')}</h2>
      {list.isLoading && <Loading />}
      {list.error && <ErrorState error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && list.data.data.length === 0 && <Empty>{t('imports.noHistory')}</Empty>}
      {list.data && list.data.data.length > 0 && (
        <div className="table-wrap">
          <table className="table">
            <thead><tr>
              <th scope="col">{t('imports.date')}</th><th scope="col">{t('imports.fileName')}</th><th scope="col">{t('imports.status')}</th>
              <th scope="col">{t('imports.result')}</th><th scope="col"><span className="visually-hidden">{t('settings.actions')}</span></th>
            </tr></thead>
            <tbody>
              {list.data.data.map((imp) => (
                <tr key={imp.id}>
                  <td>{fmt.dateTime(imp.createdAt)}</td>
                  <td>{imp.fileName}</td>
                  <td>{t(`imports.status.${imp.status}` as MessageKey)}</td>
                  <td className="small">{imp.status === 'done' || imp.status === 'failed' || imp.status === 'rolled_back' ? <ImportCounts imp={imp} t={t} /> : null}</td>
                  <td>
                    <div className="toolbar">
                      {(imp.status === 'uploaded' || imp.status === 'failed' || imp.status === 'queued' || imp.status === 'running') && (
                        <button type="button" className="button button--small" onClick={() => onOpen(imp)}>{t(imp.status === 'failed' ? 'imports.resume' : 'imports.continue')}</button>
                      )}
                      {imp.rejectedCount > 0 && <a className="button button--small" href={`/api/v1/imports/${imp.id}/rejects.csv?lang=${language}`} download>{t('imports.downloadRejects')}</a>}
                      {(imp.status === 'done' || imp.status === 'failed') && (
                        <button type="button" className="button button--small button--danger" onClick={() => setUndoing(imp)}>{t('imports.rollback')}</button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {undoing && <RollbackDialog imp={undoing} onClose={() => setUndoing(null)} />}
    </section>
  );
}
