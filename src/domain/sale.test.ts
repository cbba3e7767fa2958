import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';
import { priceSale } from './sale.js';

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e.fields.map((f) => `${f.field}/${f.code}`);
    throw e;
  }
  throw new Error('expected an AppError');
}

describe('priceSale', () => {
  it('prices a line as quantity × unit price, exact to the cent', () => {
    const r = priceSale([{ description: 'Silla', quantity: 3, unitPrice: 19.99 }]);
    expect(r.lines[0]!.lineTotal).toBe(59.97);
    expect(r.total).toBe(59.97);
  });

  it('sums line totals without floating-point drift', () => {
    // 0.1 + 0.2 is 0.30000000000000004 in binary floating point.
    const r = priceSale([
      { description: 'a', quantity: 1, unitPrice: 0.1 },
      { description: 'b', quantity: 1, unitPrice: 0.2 },
    ]);
    expect(r.total).toBe(0.3);
  });

  it('rounds each line to cents half up before summing', () => {
    const r = priceSale([
      { description: 'a', quantity: 0.5, unitPrice: 0.05 },
      { description: 'b', quantity: 0.5, unitPrice: 0.05 },
    ]);
    expect(r.lines.map((l) => l.lineTotal)).toEqual([0.03, 0.03]);
    expect(r.total).toBe(0.06);
  });

  it('numbers lines from 1 in the order given', () => {
    const r = priceSale([
      { productId: 'p1', quantity: 2, unitPrice: 10 },
      { description: 'Montaje', quantity: 1, unitPrice: 35.5 },
    ]);
    expect(r.lines.map((l) => l.position)).toEqual([1, 2]);
    expect(r.total).toBe(55.5);
  });

  it('accepts a free line priced at zero', () => {
    expect(priceSale([{ description: 'Regalo', quantity: 1, unitPrice: 0 }]).total).toBe(0);
  });

  it('needs at least one line', () => {
    expect(fieldsOf(() => priceSale([]))).toEqual(['lines/required']);
  });

  it('names every bad line field at once', () => {
    expect(fieldsOf(() => priceSale([
      { description: 'ok', quantity: 1, unitPrice: 1 },
      { quantity: 0, unitPrice: -1 },
    ]))).toEqual(['lines.1.quantity/too_small', 'lines.1.unitPrice/too_small', 'lines.1.description/required']);
  });

  it('accepts a product line without a description', () => {
    expect(() => priceSale([{ productId: 'p1', quantity: 1, unitPrice: 5 }])).not.toThrow();
  });
});
