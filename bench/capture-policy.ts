/**
 * Throughput of applyCapturePolicy (the per-row cost every import row, web form and API write pays):
 * a contact with casing, required fields, email, an unprefixed Spanish phone and a postal code.
 *   npx tsx bench/capture-policy.ts [--rows 200000] [--no-phone]
 * The phone (libphonenumber-js with full metadata, for real validity) dominates; --no-phone shows the rest.
 */
import { parseArgs } from 'node:util';
import { applyCapturePolicy, defaultCapturePolicy } from '../src/domain/capture-policy.js';

const { values: args } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, 'no-phone': { type: 'boolean', default: false } } });
const total = Number(args.rows);
const policy = {
  ...defaultCapturePolicy('ES'),
  required: { contact: ['firstName', 'lastName', 'postalCode'], company: ['name'], lead: ['title'] },
  casing: { 'contact.lastName': 'upper' as const, 'contact.firstName': 'title' as const, 'contact.city': 'title' as const },
};
const rows = Array.from({ length: total }, (_, i) => ({
  firstName: ' maría  josé ', lastName: 'garcía lópez', email: ` Maria.${i}@Ejemplo.ES `,
  ...(args['no-phone'] ? {} : { phone: `6${String(10_000_000 + ((i * 7919) % 89_999_999)).slice(0, 8)}` }),
  postalCode: String(46_001 + (i % 20)), city: ' VALENCIA ',
}));
for (let i = 0; i < Math.min(5000, total); i++) applyCapturePolicy('contact', rows[i]!, policy);
const started = performance.now();
let errors = 0;
for (const r of rows) errors += applyCapturePolicy('contact', r, policy).errors.length;
const ms = performance.now() - started;
console.log(`${total} rows in ${ms.toFixed(0)} ms: ${Math.round(total / ms * 1000)} rows/s, ${errors} errors${args['no-phone'] ? ' (no phone)' : ''}`);
