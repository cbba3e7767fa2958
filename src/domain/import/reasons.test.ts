import { describe, expect, it } from 'vitest';
import { rejectsReportHeader, reportReason } from './reasons.js';

describe('the rejected-rows report', () => {
  it('speaks Spanish by the column of the file, as the import screen does', () => {
    expect(rejectsReportHeader('es')).toEqual(['fila', 'motivo']);
    expect(reportReason('es', { field: 'birthDate', code: 'invalid_date', message: '31/02/2026 is not a real calendar date.' }, 'Fecha nacimiento'))
      .toBe('Fecha nacimiento: Fecha que no existe o no es dd/mm/aaaa.');
    expect(reportReason('es', { field: '(row)', code: 'ragged_row', message: 'The row has 3 cells but the header has 11.' }, null))
      .toBe('La fila no tiene el mismo número de columnas que la cabecera.');
    expect(reportReason('es', { field: 'leadTitle', code: 'something_new', message: 'Some new check.' }, null)).toBe('leadTitle: Some new check.');
  });

  it('keeps the English messages, with the value they quote, in English', () => {
    expect(rejectsReportHeader('en')).toEqual(['row', 'reason']);
    expect(reportReason('en', { field: 'phone', code: 'phone_has_letters', message: '"600 11 22 AB" has letters.' }, 'Teléfono')).toBe('Teléfono (phone): "600 11 22 AB" has letters.');
  });
});
