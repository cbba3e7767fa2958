import { useEffect, useId, useRef, useState, type KeyboardEvent } from 'react';
import type { ScoreExplanation, ScoreLine } from '../api/types.js';
import { useT } from '../i18n/i18n.js';


/** "+20 sector objetivo", "−10 sin contacto en 30 días" (a real minus sign), as src/domain/score.ts formats them. */
export const formatScoreLine = (l: Pick<ScoreLine, 'points' | 'label'>) => `${l.points >= 0 ? '+' : '−'}${Math.abs(l.points)} ${l.label}`;

/** Hot, warm or cold colouring of a score, so a column of scores reads at a glance. */
const tone = (score: number) => (score >= 70 ? 'badge--hot' : score >= 40 ? 'badge--warm' : 'badge--cold');

/** The lines of an explanation, largest effect first, then the rules that could not apply. */
export function ScoreExplanationList({ explanation }: { explanation: ScoreExplanation }) {
  const t = useT();
  return (
    <>
      {explanation.lines.length === 0 ? <p className="muted small">{t('score.noLines')}</p> : (
        <ul className="score-lines">
          {explanation.lines.map((l) => (
            <li key={l.ruleId} className={l.points >= 0 ? 'score-line score-line--up' : 'score-line score-line--down'}>{formatScoreLine(l)}</li>
          ))}
        </ul>
      )}
      {explanation.warnings.map((w) => (
        <p key={w.ruleId} className="alert alert--warning small">{t(`score.warning.${w.reason}`, { label: w.label })}</p>
      ))}
    </>
  );
}

/**
 * The score as a small button; activating it (click, Enter or Space) opens its explanation below,
 * Escape (focus anywhere inside) or a click elsewhere closes it, and focus returns to the button.
 */
export function ScoreBadge({ score, explanation }: { score: number; explanation: ScoreExplanation | null | undefined }) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLSpanElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => { if (!ref.current?.contains(e.target as Node)) setOpen(false); };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);
  // Escape is handled here rather than on the document: a board card stops key events from
  // bubbling (its own keys pick it up), so a document listener would never hear it.
  const onKeyDown = (e: KeyboardEvent<HTMLSpanElement>) => {
    if (open && e.key === 'Escape') { e.stopPropagation(); setOpen(false); buttonRef.current?.focus(); }
  };
  return (
    <span className="menu score-badge" ref={ref} onKeyDown={onKeyDown}>
      <button ref={buttonRef} type="button" className={`badge score-badge__button ${tone(score)}`} aria-expanded={open} aria-controls={panelId}
        aria-label={t('score.explain', { score })} title={t('score.badge', { score })}
        onClick={(e) => { e.preventDefault(); e.stopPropagation(); setOpen((o) => !o); }}>
        {score}
      </button>
      {open && (
        <span className="menu__panel score-badge__panel" id={panelId} role="group" aria-label={t('score.explain', { score })}
          onClick={(e) => e.stopPropagation()}>
          <strong>{t('score.badge', { score })}</strong>
          <ScoreExplanationList explanation={explanation ?? { lines: [], warnings: [] }} />
        </span>
      )}
    </span>
  );
}
