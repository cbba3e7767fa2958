import { useState } from 'react';
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
  // The import the wizard was opened on (from the URL or the history); the wizard's own steps only
  // update the URL, so they never remount it.
  const [openId, setOpenId] = useState<string | null>(() => params.get('id'));
  const opened = useQuery({ queryKey: ['import', openId], queryFn: () => api.get<ImportRecord>(`/imports/${openId}`), enabled: !!openId });
  const setUrlId = (next: string | null) => setParams(next ? { id: next } : {}, { replace: true });
  return (
    <section className="page" aria-labelledby="imports-title">
      <header className="page__header"><h1 id="imports-title">{t('imports.title')}</h1></header>
      {openId && !opened.data ? <Loading /> : <ImportWizard key={openId ?? 'new'} start={openId ? opened.data ?? null : null} onChange={setUrlId} />}
      <ImportHistory onOpen={(imp) => { setUrlId(imp.id); setOpenId(imp.id); }} />
    </section>
  );
}
