import { useT } from '../i18n/i18n.js';

export function BoardPage() {
  const t = useT();
  return <section className="page"><h1>{t('board.title')}</h1></section>;
}
