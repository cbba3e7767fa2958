import { useT } from '../i18n/i18n.js';
import { Dialog } from './ui.js';

export function QuickAdd({ onClose }: { onClose: () => void }) {
  const t = useT();
  return <Dialog open title={t('quickAdd.title')} onClose={onClose}><p /></Dialog>;
}
