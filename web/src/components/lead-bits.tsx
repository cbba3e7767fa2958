import { Link } from 'react-router';
import type { Lead, Stage } from '../api/types.js';
import { useI18n } from '../i18n/i18n.js';
import { statusLabelKey, temperatureLabelKey } from '../lib/labels.js';

/** Stage name with its temperature colour (cold / warm / hot) or the closed status. */
export function StageBadge({ lead, stage }: { lead: Lead; stage: Stage | undefined }) {
  const { t } = useI18n();
  const name = stage?.name ?? lead.stageName ?? '';
  if (lead.status !== 'open') {
    return <span className={`badge badge--${lead.status === 'won' ? 'won' : 'lost'}`}>{name || t(statusLabelKey[lead.status])}</span>;
  }
  const temp = stage?.temperature;
  return <span className={`badge${temp ? ` badge--${temp}` : ''}`} title={temp ? t(temperatureLabelKey[temp]) : undefined}>{name}</span>;
}

/** Next action date; overdue in red, missing on an open lead flagged. */
export function NextActionCell({ lead }: { lead: Lead }) {
  const { t, fmt } = useI18n();
  if (lead.status !== 'open') return <span className="muted">{t('common.none')}</span>;
  if (!lead.nextActionAt) return <span className="badge badge--warning">{t('lead.withoutNextAction')}</span>;
  const overdue = new Date(lead.nextActionAt).getTime() < Date.now();
  return <span className={overdue ? 'overdue' : undefined}>{fmt.dateTime(lead.nextActionAt)}</span>;
}

/** Table ⇄ board switch shown on both leads pages. */
export function LeadsViewSwitch({ current }: { current: 'table' | 'board' }) {
  const { t } = useI18n();
  return (
    <nav className="segmented" aria-label={t('leads.title')}>
      <Link to="/leads" aria-current={current === 'table' ? 'page' : undefined}>{t('leads.table')}</Link>
      <Link to="/leads/board" aria-current={current === 'board' ? 'page' : undefined}>{t('leads.board')}</Link>
    </nav>
  );
}

