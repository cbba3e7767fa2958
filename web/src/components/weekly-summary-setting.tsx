import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { request, api } from '../api/client.js';
import { useT } from '../i18n/i18n.js';

type Subscription = { subscribed: boolean; eligible: boolean };
const key = ['weekly-summary', 'subscription'];

/** Settings: the logged-in manager or admin turns their weekly summary email off and back on. */
export function WeeklySummarySetting() {
  const t = useT();
  const client = useQueryClient();
  const sub = useQuery({ queryKey: key, queryFn: () => api.get<Subscription>('/weekly-summary/subscription') });
  const save = useMutation({
    mutationFn: (subscribed: boolean) => request<Subscription>('PUT', '/weekly-summary/subscription', { body: { subscribed } }),
    onSuccess: (data) => client.setQueryData(key, data),
  });
  const value = save.isPending && save.variables !== undefined ? save.variables : sub.data?.subscribed ?? true;
  return (
    <section className="card" aria-labelledby="weekly-summary-title">
      <h2 id="weekly-summary-title">{t('dashboard.weeklySummary.title')}</h2>
      {sub.data && !sub.data.eligible ? <p>{t('dashboard.weeklySummary.notEligible')}</p> : (
        <>
          <label className="checkbox-label">
            <input type="checkbox" checked={value} disabled={!sub.data || save.isPending}
              aria-describedby="weekly-summary-hint" onChange={(e) => save.mutate(e.target.checked)} />
            {' '}{t('dashboard.weeklySummary.label')}
          </label>
          <p id="weekly-summary-hint" className="field__hint">{t('dashboard.weeklySummary.hint')}</p>
          {save.isSuccess && <p className="alert alert--info" role="status">{t(save.data.subscribed ? 'dashboard.weeklySummary.on' : 'dashboard.weeklySummary.off')}</p>}
        </>
      )}
    </section>
  );
}
