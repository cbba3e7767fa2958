import { useT } from '../i18n/i18n.js';

export function TodayPage() {
  const t = useT();
  return <section className="page"><h1>{t('today.title')}</h1></section>;
}
