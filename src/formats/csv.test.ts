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

describe('encodeCsv for a Spanish spreadsheet', () => {
  it('separates with semicolons, writes decimal commas and quotes text holding a semicolon', () => {
    const csv = encodeCsv(['nombre', 'importe'], [['Peñalver; S.L.', 1234.5], ['García', -3]], { dialect: 'excel-es' });
    expect(csv).toBe('\uFEFFnombre;importe\r\n"Peñalver; S.L.";1234,5\r\nGarcía;-3\r\n');
  });

  it('writes an instant as the wall-clock time of the workspace and leaves a date-only text as it is', () => {
    const csv = encodeCsv(['at', 'day'], [[new Date('2026-07-01T08:30:00Z'), '2026-07-01']], { timeZone: 'Europe/Madrid' });
    expect(csv.split('\r\n')[1]).toBe('2026-07-01 10:30:00,2026-07-01');
  });
});
