import type { ReactNode } from 'react';
import { toInput, type InlineKind } from '../lib/lead-fields.js';

/**
 * One field of a record page edited in place: a select saves on change, a text input on blur or
 * Enter. The typed text (draft) stays in the input while the API refuses it, with its reason below.
 */
export function InlineField(props: {
  field: string; label: string; kind: InlineKind; stored: unknown; draft: string | undefined; error: string | undefined;
  onDraft: (text: string) => void; onCommit: (text: string) => void; children?: ReactNode; inputMode?: 'numeric' | 'decimal' | 'email' | 'tel';
}) {
  const id = `f-${props.field.replace(/\W/g, '-')}`;
  const value = props.draft ?? toInput(props.stored);
  const common = {
    id, name: props.field, value, 'aria-invalid': props.error ? true : undefined,
    'aria-describedby': props.error ? `${id}-err` : undefined,
  } as const;
  return (
    <div className="inline-field">
      <label htmlFor={id}>{props.label}</label>
      {props.kind === 'select' ? (
        <select {...common} onChange={(e) => { props.onDraft(e.target.value); props.onCommit(e.target.value); }}>{props.children}</select>
      ) : (
        <input {...common} type={props.kind === 'date' ? 'date' : 'text'} inputMode={props.inputMode}
          onChange={(e) => props.onDraft(e.target.value)} onBlur={(e) => props.onCommit(e.target.value)}
          onKeyDown={(e) => { if (e.key === 'Enter') (e.target as HTMLInputElement).blur(); }} />
      )}
      {props.error && <small id={`${id}-err`} className="field__error" role="alert">{props.error}</small>}
    </div>
  );
}
