import { useT } from '../i18n/i18n.js';

export function LeadsPage() {
  const t = useT();
  return <section className="page"><h1>{t('leads.title')}</h1></section>;
}
