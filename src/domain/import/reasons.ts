import type { FieldError } from '../errors.js';

/**
 * The rejected-rows report in its reader's language. The report is a file a person opens in a
 * spreadsheet to fix the rows, so in Spanish it speaks as the import screen does (the same
 * sentences as web/src/i18n/features/imports.ts and the fieldError texts). English keeps the
 * stored messages, which quote the bad value; a code with no Spanish text keeps its message too.
 */
export type ReportLang = 'es' | 'en';

const spanish: Record<string, string> = {
  ragged_row: 'La fila no tiene el mismo número de columnas que la cabecera.',
  broken_quote: 'Comillas sin cerrar o mal puestas.',
  phone_has_letters: 'El teléfono tiene letras.',
  invalid_date: 'Fecha que no existe o no es dd/mm/aaaa.',
  invalid_number: 'No es un número.',
  unknown_source: 'Origen que no existe en este espacio.',
  invalid_country: 'País desconocido.',
  invalid_email: 'Correo no válido.',
  invalid_phone: 'Teléfono no válido.',
  invalid_postal_code: 'Código postal no válido para el país.',
  required: 'Obligatorio.',
  too_small: 'Demasiado corto o pequeño.',
  too_long: 'Demasiado largo.',
};

/** The first two cells of every report line, before the row's original cells. */
export const rejectsReportHeader = (lang: ReportLang): [string, string] => (lang === 'es' ? ['fila', 'motivo'] : ['row', 'reason']);

/**
 * One reason of a rejected row: "Teléfono: El teléfono tiene letras." — `column` is the header of
 * the file's column the field came from, when there is one.
 */
export function reportReason(lang: ReportLang, e: FieldError, column: string | null): string {
  const text = lang === 'es' ? spanish[e.code] ?? e.message : e.message;
  if (e.field === '(row)') return text;
  const name = lang === 'es' ? column ?? e.field : column ? `${column} (${e.field})` : e.field;
  return `${name}: ${text}`;
}
