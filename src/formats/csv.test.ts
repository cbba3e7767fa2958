import { describe, expect, it } from 'vitest';
import { encodeCsv } from './csv.js';

describe('encodeCsv', () => {
  it('starts with a UTF-8 BOM and quotes commas, quotes and line breaks', () => {
    const csv = encodeCsv(['name', 'note'], [['Peña, S.L.', 'dijo "hola"\nadiós'], ['Ana', null]]);
    expect(csv.startsWith('\uFEFFname,note\r\n')).toBe(true);
    expect(csv).toContain('"Peña, S.L.","dijo ""hola""\nadiós"\r\n');
    expect(csv.endsWith('Ana,\r\n')).toBe(true);
  });

  it('neutralises text that a spreadsheet would run as a formula, but not negative numbers', () => {
    const csv = encodeCsv(['a', 'b', 'c', 'd'], [['=HYPERLINK("x")', '+1', '@SUM(A1)', -5]]);
    expect(csv.split('\r\n')[1]).toBe(`"'=HYPERLINK(""x"")",'+1,'@SUM(A1),-5`);
  });
});
