import { invalid, type FieldError } from './errors.js';

export type SaleLineInput = { productId?: string | null; description?: string | null; quantity: number; unitPrice: number };
export type SaleLine = SaleLineInput & { position: number; lineTotal: number };

const round2 = (n: number) => Math.round((n + Number.EPSILON) * 100) / 100;

/**
 * A sale is the sum of its lines; each line total is quantity × unit price rounded to cents.
 * A sale needs at least one line, and each line a product or a description.
 */
export function priceSale(lines: SaleLineInput[]): { lines: SaleLine[]; total: number } {
  const errors: FieldError[] = [];
  if (lines.length === 0) errors.push({ field: 'lines', code: 'required', message: 'A sale needs at least one line.' });
  lines.forEach((l, i) => {
    if (!(l.quantity > 0)) errors.push({ field: `lines.${i}.quantity`, code: 'too_small', message: 'Quantity must be greater than 0.' });
    if (!(l.unitPrice >= 0)) errors.push({ field: `lines.${i}.unitPrice`, code: 'too_small', message: 'Unit price cannot be negative.' });
    if (!l.productId && !l.description?.trim()) {
      errors.push({ field: `lines.${i}.description`, code: 'required', message: 'A line needs a product or a description.' });
    }
  });
  if (errors.length) throw invalid(errors);
  const priced = lines.map((l, i) => ({ ...l, position: i + 1, lineTotal: round2(l.quantity * l.unitPrice) }));
  return { lines: priced, total: round2(priced.reduce((s, l) => s + l.lineTotal, 0)) };
}
