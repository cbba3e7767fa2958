import { describe, expect, it } from 'vitest';
import { checkPhoneText, parseCountry, parseDecimal, parseSpanishDate } from './values.js';

const value = <T>(p: { ok: boolean; value?: T; code?: string }) => (p.ok ? p.value : p.code);

describe('parseSpanishDate', () => {
  it('reads dd/mm/yyyy and its variants as an ISO date', () => {
    expect(value(parseSpanishDate('03/02/2026'))).toBe('2026-02-03');
    expect(value(parseSpanishDate('3-2-2026'))).toBe('2026-02-03');
    expect(value(parseSpanishDate('03.02.26'))).toBe('2026-02-03');
    expect(value(parseSpanishDate('15/07/75'))).toBe('1975-07-15');
    expect(value(parseSpanishDate('2026-02-03'))).toBe('2026-02-03');
  });

  it('refuses days that do not exist in the calendar', () => {
    expect(value(parseSpanishDate('31/02/2026'))).toBe('invalid_date');
    expect(value(parseSpanishDate('29/02/2027'))).toBe('invalid_date');
    expect(value(parseSpanishDate('29/02/2028'))).toBe('2028-02-29');
    expect(value(parseSpanishDate('31/04/2026'))).toBe('invalid_date');
    expect(value(parseSpanishDate('12/13/2026'))).toBe('invalid_date');
    expect(value(parseSpanishDate('mañana'))).toBe('invalid_date');
  });
});

describe('parseDecimal', () => {
  it('reads the decimal comma and the thousands dot', () => {
    expect(value(parseDecimal('1.234,56'))).toBe(1234.56);
    expect(value(parseDecimal('1234,5'))).toBe(1234.5);
    expect(value(parseDecimal('1.234'))).toBe(1234);
    expect(value(parseDecimal('1.234.567'))).toBe(1234567);
    expect(value(parseDecimal('12.5'))).toBe(12.5);
    expect(value(parseDecimal(' 2.500,00 € '))).toBe(2500);
  });

  it('also reads the English form and negative amounts', () => {
    expect(value(parseDecimal('1,234.56'))).toBe(1234.56);
    expect(value(parseDecimal('1,234,567'))).toBe(1234567);
    expect(value(parseDecimal('-3,5'))).toBe(-3.5);
  });

  it('refuses text that is not a number', () => {
    expect(value(parseDecimal('doce'))).toBe('invalid_number');
    expect(value(parseDecimal('1,2,3'))).toBe('invalid_number');
    expect(value(parseDecimal('1.2.3,4,5'))).toBe('invalid_number');
    expect(value(parseDecimal(''))).toBe('invalid_number');
  });
});

describe('checkPhoneText and parseCountry', () => {
  it('refuses a phone with letters but accepts an extension', () => {
    expect(value(checkPhoneText('600 11 22 AB'))).toBe('phone_has_letters');
    expect(value(checkPhoneText('llamar tarde'))).toBe('phone_has_letters');
    expect(value(checkPhoneText('+34 912 345 678 ext. 12'))).toBe('+34 912 345 678 ext. 12');
  });

  it('reads country codes and common names', () => {
    expect(value(parseCountry('es'))).toBe('ES');
    expect(value(parseCountry('España'))).toBe('ES');
    expect(value(parseCountry('Narnia'))).toBe('invalid_country');
  });
});
