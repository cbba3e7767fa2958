import type { Locale } from '../../domain/digest.js';

/**
 * Server-side user text (email and calendar), in the same words as the web app's i18n
 * (web/src/i18n/es.ts, en.ts) so a "Vencidas" in the email is a "Vencidas" on the Today page.
 */
const es = {
  'digest.subject': 'Tu día, {date}: {parts}',
  'digest.part.dueToday': '{n} para hoy',
  'digest.part.overdue': '{n} vencida|{n} vencidas',
  'digest.part.tasksDue': '{n} tarea|{n} tareas',
  'digest.greeting': 'Buenos días, {name}:',
  'digest.intro': 'Esto es lo que tienes en Seguimiento.',
  'digest.dueToday': 'Para hoy',
  'digest.overdue': 'Vencidas',
  'digest.tasksDue': 'Tareas pendientes',
  'digest.more': 'y {n} más',
  'digest.open': 'Abrir Seguimiento',
  'digest.footer': 'Recibes este resumen cada mañana porque tienes acciones pendientes en {workspace}.',
  'calendar.name': 'Seguimiento — {name}',
  'unsubscribe.title': 'Resumen semanal',
  'unsubscribe.confirm': '¿Dejar de recibir el resumen semanal de {workspace} en {email}?',
  'unsubscribe.button': 'Dejar de recibirlo',
  'unsubscribe.done': 'Listo: ya no recibirás el resumen semanal en {email}. Puedes volver a activarlo en Ajustes.',
  'unsubscribe.invalid': 'Este enlace no es válido.',
  'action.unspecified': 'Próxima acción',
  'activity.call': 'Llamada',
  'activity.email': 'Correo',
  'activity.meeting': 'Reunión',
  'activity.visit': 'Visita',
  'activity.message': 'Mensaje',
  'activity.note': 'Nota',
  'activity.task': 'Tarea',
} as const;

export type MessageKey = keyof typeof es;

const en: Record<MessageKey, string> = {
  'digest.subject': 'Your day, {date}: {parts}',
  'digest.part.dueToday': '{n} today',
  'digest.part.overdue': '{n} overdue',
  'digest.part.tasksDue': '{n} task|{n} tasks',
  'digest.greeting': 'Good morning, {name},',
  'digest.intro': 'This is what you have in Seguimiento.',
  'digest.dueToday': 'Due today',
  'digest.overdue': 'Overdue',
  'digest.tasksDue': 'Tasks due',
  'digest.more': 'and {n} more',
  'digest.open': 'Open Seguimiento',
  'digest.footer': 'You get this summary every morning because you have pending actions in {workspace}.',
  'calendar.name': 'Seguimiento — {name}',
  'unsubscribe.title': 'Weekly summary',
  'unsubscribe.confirm': 'Stop getting the weekly summary of {workspace} at {email}?',
  'unsubscribe.button': 'Stop getting it',
  'unsubscribe.done': 'Done: you will no longer get the weekly summary at {email}. You can turn it back on in Settings.',
  'unsubscribe.invalid': 'This link is not valid.',
  'action.unspecified': 'Next action',
  'activity.call': 'Call',
  'activity.email': 'Email',
  'activity.meeting': 'Meeting',
  'activity.visit': 'Visit',
  'activity.message': 'Message',
  'activity.note': 'Note',
  'activity.task': 'Task',
};

const dictionaries: Record<Locale, Record<MessageKey, string>> = { es, en };

/** The message in the locale with {placeholders} filled in (values are inserted as given: escape for HTML after). */
export function t(locale: Locale, key: MessageKey, values: Record<string, string | number> = {}): string {
  return dictionaries[locale][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in values ? String(values[name]) : m));
}

/** A message with a count: "one|other" forms, which is all Spanish and English need. */
export function tn(locale: Locale, key: MessageKey, n: number, values: Record<string, string | number> = {}): string {
  const forms = t(locale, key, { ...values, n }).split('|');
  return (n === 1 ? forms[0] : forms[1] ?? forms[0])!;
}

/** The label of an activity or next-action type ("Llamada"); unknown types are shown as they are. */
export function actionLabel(locale: Locale, type: string | null): string {
  if (!type) return t(locale, 'action.unspecified');
  const key = `activity.${type}` as MessageKey;
  return key in es ? t(locale, key) : type;
}

/** Intl locale tags used to format dates: Spain's Spanish and British English (day before month, 24 h). */
export const intlLocale = (locale: Locale) => (locale === 'es' ? 'es-ES' : 'en-GB');
