import { describe, expect, it } from 'vitest';
import { phoneOrEmail, splitFullName } from './names.js';

describe('quick-add name and reach', () => {
  it('keeps two surnames together and compound first names apart', () => {
    expect(splitFullName('Lucía')).toEqual({ firstName: 'Lucía', lastName: null });
    expect(splitFullName(' Lucía  Hoyos ')).toEqual({ firstName: 'Lucía', lastName: 'Hoyos' });
    expect(splitFullName('María José García López')).toEqual({ firstName: 'María José', lastName: 'García López' });
    expect(splitFullName('Juan de la Fuente Ruiz')).toEqual({ firstName: 'Juan', lastName: 'de la Fuente Ruiz' });
  });

  it('reads an @ as an email and anything else as a phone', () => {
    expect(phoneOrEmail(' Ana@Garcia.ES ')).toEqual({ email: 'ana@garcia.es', phone: null });
    expect(phoneOrEmail('+34 600 111 222')).toEqual({ email: null, phone: '+34 600 111 222' });
    expect(phoneOrEmail('  ')).toEqual({ email: null, phone: null });
  });
});
