import { useEffect, useId, useRef, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { useT, fieldErrorText, errorText } from '../i18n/i18n.js';
import type { FieldError } from '../api/client.js';
import { ApiError } from '../api/client.js';

/** Field errors of a failed request, keyed by field path, plus a general message for the form. */
export function formErrors(t: ReturnType<typeof useT>, e: unknown): { fields: Record<string, string>; general: string | null } {
  if (!e) return { fields: {}, general: null };
  const fields: Record<string, string> = {};
  if (e instanceof ApiError) {
    for (const fe of e.fieldErrors as FieldError[]) fields[fe.field] ??= fieldErrorText(t, fe);
  }
  return { fields, general: errorText(t, e) };
}

type FieldProps = { label: string; error?: string | undefined; hint?: string | undefined; children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode; className?: string };

/** A label, the control, a hint and the error, wired with ids so screen readers read them together. */
export function Field({ label, error, hint, children, className }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errId = `${id}-err`;
  const describedBy = [hint ? hintId : '', error ? errId : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field${error ? ' field--invalid' : ''}${className ? ` ${className}` : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {hint && <small id={hintId} className="field__hint">{hint}</small>}
      {error && <small id={errId} className="field__error" role="alert">{error}</small>}
    </div>
  );
}

export function TextField(props: { label: string; error?: string | undefined; hint?: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const { label, error, hint, ...rest } = props;
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...rest} />}
    </Field>
  );
}

export function SelectField(props: { label: string; error?: string | undefined; hint?: string | undefined; children: ReactNode } & SelectHTMLAttributes<HTMLSelectElement>) {
  const { label, error, hint, children, ...rest } = props;
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => <select id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...rest}>{children}</select>}
    </Field>
  );
}

export function TextAreaField(props: { label: string; error?: string | undefined; hint?: string | undefined } & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { label, error, hint, ...rest } = props;
  return (
    <Field label={label} error={error} hint={hint}>
      {({ id, describedBy, invalid }) => <textarea id={id} aria-describedby={describedBy} aria-invalid={invalid || undefined} {...rest} />}
    </Field>
  );
}

export function FormAlert({ message }: { message: string | null | undefined }) {
  if (!message) return null;
  return <p className="alert alert--error" role="alert">{message}</p>;
}

/**
 * A modal on the native <dialog>: the browser traps focus, closes on Escape and restores focus
 * to the opener, so every dialog of the app behaves the same for keyboard users.
 */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ReactNode; wide?: boolean; labelledBy?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // Closing hands the focus back to what opened the dialog (most dialogs close by unmounting,
  // which leaves the focus on <body> and a keyboard user at the top of the page).
  useEffect(() => {
    const d = ref.current;
    if (!d || !props.open) return;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (!d.open) d.showModal();
    return () => {
      if (d.open) d.close();
      if (opener?.isConnected) opener.focus();
    };
  }, [props.open]);
  const t = useT();
  return (
    <dialog ref={ref} className={`dialog${props.wide ? ' dialog--wide' : ''}`} aria-labelledby={titleId}
      onCancel={(e) => { e.preventDefault(); props.onClose(); }}>
      {props.open && (
        <>
          <header className="dialog__header">
            <h2 id={titleId}>{props.title}</h2>
            <button type="button" className="button button--ghost button--icon" onClick={props.onClose} aria-label={t('common.close')}>×</button>
          </header>
          <div className="dialog__body">{props.children}</div>
        </>
      )}
    </dialog>
  );
}

export function Loading() {
  const t = useT();
  return <p className="loading" role="status">{t('app.loading')}</p>;
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  return (
    <div className="alert alert--error" role="alert">
      <p>{errorText(t, error)}</p>
      {onRetry && <button type="button" className="button" onClick={onRetry}>{t('app.retry')}</button>}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
