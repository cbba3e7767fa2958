import { useT } from '../i18n/i18n.js';

export function LeadPage() {
  const t = useT();
  return <section className="page"><h1>{t('lead.details')}</h1></section>;
}
