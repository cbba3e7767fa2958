import { useEffect, useId, useRef, useState } from 'react';
import { toQueryString, type Query } from '../api/client.js';
import { useI18n } from '../i18n/i18n.js';

// Room enough for a finger at 375 px.
const itemStyle = { padding: '.45rem .25rem' } as const;

export type ExportResource = 'leads' | 'contacts' | 'companies';

/** The download URL of a list export: the list's own filters, without paging. */
export function exportHref(resource: ExportResource, query: Query, options: { format: 'csv' | 'xlsx' | 'vcard'; forCampaign: boolean; language: string; delimiter?: 'comma' }): string {
  const { cursor: _c, limit: _l, ...filters } = query;
  return `/api/v1/${resource}/export${toQueryString({
    ...filters, format: options.format, purpose: options.forCampaign ? 'campaign' : undefined, lang: options.language, delimiter: options.delimiter,
  })}`;
}

/**
 * "Exportar" on a list page: plain download links (the session cookie authenticates a GET), so the
 * browser streams the file however large it is. Closes on Escape or a click outside, like the
 * other toolbar menus.
 */
export function ExportMenu({ resource, query }: { resource: ExportResource; query: Query }) {
  const { t, language } = useI18n();
  const [open, setOpen] = useState(false);
  const [forCampaign, setForCampaign] = useState(false);
  // The panel opens towards the side with room: at 375 px the toolbar wraps and the button may sit on the left.
  const [alignLeft, setAlignLeft] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const panelId = useId();
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !ref.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => { document.removeEventListener('mousedown', close); document.removeEventListener('keydown', close); };
  }, [open]);
  const href = (format: 'csv' | 'xlsx' | 'vcard', delimiter?: 'comma') =>
    exportHref(resource, query, { format, forCampaign, language, ...(delimiter ? { delimiter } : {}) });
  return (
    <div className="menu export-menu" ref={ref}>
      <button type="button" className="button" aria-expanded={open} aria-controls={panelId} onClick={() => {
        const r = ref.current?.getBoundingClientRect();
        setAlignLeft(!!r && r.left + r.width / 2 < window.innerWidth / 2);
        setOpen((o) => !o);
      }}>{t('export.menu')} ▾</button>
      {open && (
        <div className="menu__panel" id={panelId} role="group" aria-label={t('export.menu')}
          style={{ maxWidth: 'min(22rem, calc(100vw - 1.5rem))', ...(alignLeft ? { left: 0, right: 'auto' } : {}) }}>
          <p className="muted small">{t('export.hint')}</p>
          {resource !== 'companies' && (
            <label><input type="checkbox" checked={forCampaign} onChange={(e) => setForCampaign(e.target.checked)} />{t('export.forCampaign')}</label>
          )}
          <ul className="item-list">
            <li style={itemStyle}><a href={href('csv')} download>{t('export.csv')}</a></li>
            <li style={itemStyle}><a href={href('csv', 'comma')} download>{t('export.csvComma')}</a></li>
            <li style={itemStyle}><a href={href('xlsx')} download>{t('export.xlsx')}</a></li>
            {resource === 'contacts' && <li style={itemStyle}><a href={href('vcard')} download>{t('export.vcard')}</a></li>}
          </ul>
        </div>
      )}
    </div>
  );
}
