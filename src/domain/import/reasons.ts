import type { FieldError } from '../errors.js';

/**
 * The rejected-rows report in its reader's language. The report is a file a person opens in a
 * spreadsheet to fix the rows, so in Spanish it speaks as the import screen does (importReasonTexts
 * below, and the web app's fieldError texts for the shared codes). English keeps the
 * stored messages, which quote the bad value; a code with no Spanish text keeps its message too.
 */
export type ReportLang = 'es' | 'en';

/**
 * Why a file, a mapping or a row is refused, per import reason code, in both languages: the one
 * source of these sentences for the import screen (web/src/i18n/features/imports.ts spreads them
 * as `imports.reason.*` messages) and for the rejected-rows report written here.
 */
export const importReasonTexts = {
  es: {
    ragged_row: 'La fila no tiene el mismo número de columnas que la cabecera.',
    broken_quote: 'Comillas sin cerrar o mal puestas.',
    phone_has_letters: 'El teléfono tiene letras.',
    invalid_date: 'Fecha que no existe o no es dd/mm/aaaa.',
    invalid_number: 'No es un número.',
    unknown_source: 'Origen que no existe en este espacio.',
    invalid_country: 'País desconocido.',
    empty_file: 'El archivo está vacío.',
    no_rows: 'El archivo solo tiene la cabecera, sin filas.',
    legacy_xls: 'Es un Excel antiguo (.xls). Ábrelo en Excel y guárdalo como «Libro de Excel (.xlsx)» o como CSV.',
    unreadable: 'No es un CSV ni un Excel .xlsx que podamos leer.',
    no_first_name: 'Asigna una columna al nombre.',
    duplicate_target: 'Ese campo ya está asignado a otra columna.',
  },
  en: {
    ragged_row: 'The row does not have as many columns as the header.',
    broken_quote: 'Unclosed or misplaced quotes.',
    phone_has_letters: 'The phone has letters.',
    invalid_date: 'Not a real date, or not dd/mm/yyyy.',
    invalid_number: 'Not a number.',
    unknown_source: 'No such source in this workspace.',
    invalid_country: 'Unknown country.',
    empty_file: 'The file is empty.',
    no_rows: 'The file has only the header, no rows.',
    legacy_xls: 'This is an old Excel file (.xls). Open it in Excel and save it as "Excel Workbook (.xlsx)" or as CSV.',
    unreadable: 'This is not a CSV or an Excel .xlsx file we can read.',
    no_first_name: 'Map a column to the first name.',
    duplicate_target: 'That field is already mapped from another column.',
  },
} as const satisfies Record<ReportLang, Record<string, string>>;
type ImportReasonCode = keyof typeof importReasonTexts.es;

/** The texts as i18n messages (`imports.reason.<code>`), keys typed for the web app's message catalogue. */
export function importReasonMessages(lang: ReportLang): { [K in ImportReasonCode as `imports.reason.${K}`]: string } {
  return Object.fromEntries(Object.entries(importReasonTexts[lang]).map(([code, text]) => [`imports.reason.${code}`, text])) as { [K in ImportReasonCode as `imports.reason.${K}`]: string };
}

/**
 * Field errors a row can carry besides the import's own, in Spanish: the web app's fieldError.* texts
 * (web/src/i18n/i18n.test.ts checks they stay the same).
 */
export const spanishFieldErrors: Record<string, string> = {
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
  const es: Record<string, string> = importReasonTexts.es;
  const text = lang === 'es' ? es[e.code] ?? spanishFieldErrors[e.code] ?? e.message : e.message;
  if (e.field === '(row)') return text;
  const name = lang === 'es' ? column ?? e.field : column ? `${column} (${e.field})` : e.field;
  return `${name}: ${text}`;
}
