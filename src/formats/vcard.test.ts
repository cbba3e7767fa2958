import { describe, expect, it } from 'vitest';
import { encodeVcard, foldLine, parseVcards, structuredValue, unescapeText } from './vcard.js';

const prop = (card: ReturnType<typeof parseVcards>[number], name: string) => card.find((p) => p.name === name);

describe('encodeVcard', () => {
  it('writes a vCard 4.0 that reads back with the same values, surnames as two family names', () => {
    const text = encodeVcard({
      id: '0b0e8f1e-1111-4222-8333-444455556666', firstName: 'María José', lastName: 'Peñalver', secondLastName: 'García',
      companyName: 'Talleres Ortega, S.L.', jobTitle: 'Jefa; compras', email: 'mj@talleres.es', phone: '600 111 222',
      address: 'C/ Mayor, 3\n2º B', postalCode: '41001', city: 'Sevilla', region: 'Andalucía', country: 'ES',
      birthDate: '1980-05-17', note: 'Prefiere llamadas\\tarde',
    });
    expect(text.startsWith('BEGIN:VCARD\r\nVERSION:4.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCARD\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/\n/);
    const [card] = parseVcards(text);
    expect(unescapeText(prop(card!, 'FN')!.value)).toBe('María José Peñalver García');
    expect(structuredValue(prop(card!, 'N')!.value)).toEqual([['Peñalver', 'García'], ['María José'], [''], [''], ['']]);
    expect(unescapeText(prop(card!, 'ORG')!.value)).toBe('Talleres Ortega, S.L.');
    expect(prop(card!, 'ORG')!.value).toBe('Talleres Ortega\\, S.L.');
    expect(unescapeText(prop(card!, 'TITLE')!.value)).toBe('Jefa; compras');
    expect(prop(card!, 'TEL')).toEqual({ name: 'TEL', params: { VALUE: 'uri' }, value: 'tel:+34600111222' });
    expect(structuredValue(prop(card!, 'ADR')!.value)).toEqual([[''], [''], ['C/ Mayor, 3\n2º B'], ['Sevilla'], ['Andalucía'], ['41001'], ['ES']]);
    expect(prop(card!, 'BDAY')!.value).toBe('19800517');
    expect(unescapeText(prop(card!, 'NOTE')!.value)).toBe('Prefiere llamadas\\tarde');
    expect(prop(card!, 'UID')!.value).toBe('urn:uuid:0b0e8f1e-1111-4222-8333-444455556666');
  });

  it('keeps a phone that is not a number as text', () => {
    const [card] = parseVcards(encodeVcard({ firstName: 'Ana', phone: 'llamar a recepción' }));
    expect(prop(card!, 'TEL')).toEqual({ name: 'TEL', params: {}, value: 'llamar a recepción' });
  });

  it('writes many cards one after another', () => {
    const text = encodeVcard({ firstName: 'Ana' }) + encodeVcard({ firstName: 'Luis' });
    expect(parseVcards(text).map((c) => prop(c, 'FN')!.value)).toEqual(['Ana', 'Luis']);
  });
});

describe('foldLine', () => {
  it('folds at 75 octets without splitting a multi-byte character, and unfolds to the same line', () => {
    const line = `NOTE:${'ñ'.repeat(100)}`;
    const folded = foldLine(line);
    const enc = new TextEncoder();
    for (const part of folded.split('\r\n')) expect(enc.encode(part).length).toBeLessThanOrEqual(75);
    expect(folded.split('\r\n').slice(1).every((p) => p.startsWith(' '))).toBe(true);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldLine('FN:Ana')).toBe('FN:Ana');
  });
});
