import { useQuery } from '@tanstack/react-query';
import { useSearchParams } from 'react-router';
import { api } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import { Loading } from '../components/ui.js';
import { ImportWizard } from '../components/import-wizard.js';
import { ImportHistory } from '../components/import-history.js';
import type { ImportRecord } from '../components/import-bits.js';

/**
 * Import contacts from a spreadsheet: the wizard on top (its import id in the URL, so a reload or a
 * link from the history reopens it where it was) and the history with undo below.
 */
export function ImportsPage() {
  const { t } = useI18n();
  const [params, setParams] = useSearchParams();
  const id = params.get('id');
  const opened = useQuery({ queryKey: ['import', id], queryFn: () => api.get<ImportRecord>(`/imports/${id}`), enabled: !!id });
  const setId = (next: string | null) => setParams(next ? { id: next } : {}, { replace: true });
  return (
    <section className="page" aria-labelledby="imports-title">
      <header className="page__header"><h1 id="imports-title">{t('imports.title')}</h1></header>
      {id && opened.isLoading ? <Loading /> : <ImportWizard key={id && opened.data ? `open-${id}` : 'new'} start={id ? opened.data ?? null : null} onChange={setId} />}
      <ImportHistory onOpen={(imp) => setId(imp.id)} />
    </section>
  );
}
