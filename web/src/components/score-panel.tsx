import { useQuery } from '@tanstack/react-query';
import { api } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';
import type { ScoreExplanation } from '../api/types.js';
import { ScoreExplanationList } from './score-badge.js';

type LeadScore = {
  leadId: string; score: number; scoreExplanation: ScoreExplanation; probability: number;
  measuredProbability: number | null; model: { auc: number | null; trainedAt: string; n: number } | null;
};
type ContactScore = { contactId: string; score: number; scoreExplanation: ScoreExplanation };

/**
 * The lead's three views of its chances side by side: the rule score with its reasons, the
 * probability measured from the workspace's closed leads (when there is a model) and the
 * salesperson's own probability. `version` refetches it after the lead changes.
 */
export function LeadScorePanel({ leadId, version }: { leadId: string; version: number }) {
  const { t, fmt } = useI18n();
  const q = useQuery({ queryKey: ['score', 'lead', leadId, version], queryFn: () => api.get<LeadScore>(`/score/leads/${leadId}`) });
  if (!q.data) return null;
  const s = q.data;
  return (
    <section className="card score-panel" aria-labelledby={`score-${leadId}`}>
      <h2 id={`score-${leadId}`}>{t('score.title')}</h2>
      <dl className="score-panel__figures">
        <div><dt>{t('score.rule')}</dt><dd data-testid="rule-score">{s.score}</dd></div>
        <div>
          <dt>{t('score.measured')}</dt>
          <dd data-testid="measured-probability">{s.measuredProbability === null ? t('score.measured.none') : fmt.percent(s.measuredProbability)}</dd>
        </div>
        <div><dt>{t('score.salesperson')}</dt><dd>{s.probability} %</dd></div>
      </dl>
      {s.model && <p className="muted small">{t('score.measured.hint', { n: s.model.n, auc: s.model.auc === null ? '—' : fmt.number(s.model.auc) })}</p>}
      <ScoreExplanationList explanation={s.scoreExplanation} />
    </section>
  );
}

/** A contact's rule score and its reasons. */
export function ContactScorePanel({ contactId, version }: { contactId: string; version: number }) {
  const t = useI18n().t;
  const q = useQuery({ queryKey: ['score', 'contact', contactId, version], queryFn: () => api.get<ContactScore>(`/score/contacts/${contactId}`) });
  if (!q.data) return null;
  return (
    <section className="card score-panel" aria-labelledby={`score-${contactId}`}>
      <h2 id={`score-${contactId}`}>{t('score.title')} <span data-testid="contact-score">{q.data.score}</span></h2>
      <ScoreExplanationList explanation={q.data.scoreExplanation} />
    </section>
  );
}
