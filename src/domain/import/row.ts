import { applyCapturePolicy, splitSurnames, type CapturePolicy } from '../capture-policy.js';
import { NAME_SIMILARITY_MIN } from '../duplicates.js';
import type { FieldError } from '../errors.js';
import type { ImportMapping, ImportTarget } from './mapping.js';
import { checkPhoneText, parseCountry, parseDecimal, parseSpanishDate } from './values.js';

/**
 * One file row turned into what the import writes: a contact, maybe a company (by name) and maybe a
 * lead, cleaned by the workspace's capture policy exactly as a form would be. Every problem of the
 * row is reported at once, each naming the field it is about.
 */
export type UpsertKey = 'email' | 'phone' | 'externalId';
export const upsertKeys: readonly UpsertKey[] = ['email', 'phone', 'externalId'];

/** The contact columns an import fills; an update only ever touches these. */
export const importedContactFields = [
  'firstName', 'lastName', 'secondLastName', 'jobTitle', 'email', 'phone', 'address', 'postalCode',
  'neighbourhood', 'city', 'region', 'country', 'birthDate',
] as const;
export type ImportedContactField = (typeof importedContactFields)[number];
export type ImportedContact = { firstName: string } & { [K in Exclude<ImportedContactField, 'firstName'>]: string | null };

export type ImportRow = {
  rowNumber: number;
  contact: ImportedContact;
  companyName: string | null;
  lead: { title: string; amount: number; sourceId: string | null } | null;
  externalId: string | null;
};
export type RowResult = { ok: true; row: ImportRow } | { ok: false; rowNumber: number; errors: FieldError[] };

export type RowContext = {
  mapping: ImportMapping;
  policy: CapturePolicy;
  createLeads: boolean;
  /** The id of a source by its name as written in the file; undefined when there is no such source. */
  sourceIdByName: (name: string) => string | undefined;
};

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function buildImportRow(rowNumber: number, cells: readonly string[], ctx: RowContext): RowResult {
  const raw: Partial<Record<ImportTarget, string>> = {};
  ctx.mapping.forEach((target, i) => {
    const v = cells[i]?.trim();
    if (target && v) raw[target] = v;
  });
  const errors: FieldError[] = [];
  const input: Record<string, unknown> = {
    firstName: raw.firstName ?? null, lastName: raw.lastName ?? null, secondLastName: raw.secondLastName ?? null,
    jobTitle: raw.jobTitle ?? null, email: raw.email ?? null, phone: raw.phone ?? raw.mobile ?? null,
    address: raw.address ?? null, postalCode: raw.postalCode ?? null, neighbourhood: raw.neighbourhood ?? null,
    city: raw.city ?? null, region: raw.region ?? null, country: null, birthDate: null,
  };
  if (raw.surnames) {
    const split = splitSurnames(raw.surnames);
    input['lastName'] = split?.lastName ?? raw.surnames;
    input['secondLastName'] = split?.secondLastName ?? input['secondLastName'];
  }
  for (const field of ['phone', 'mobile'] as const) {
    const v = raw[field];
    if (!v) continue;
    const checked = checkPhoneText(v);
    if (!checked.ok) errors.push({ field, code: checked.code, message: checked.message });
  }
  if (raw.country) {
    const c = parseCountry(raw.country);
    if (c.ok) input['country'] = c.value;
    else errors.push({ field: 'country', code: c.code, message: c.message });
  }
  if (raw.birthDate) {
    const d = parseSpanishDate(raw.birthDate);
    if (d.ok) input['birthDate'] = d.value;
    else errors.push({ field: 'birthDate', code: d.code, message: d.message });
  }
  let amount = 0;
  // The amount is only the lead's: when no lead is opened it is not kept, so it cannot cost the row its contact.
  if (raw.amount && ctx.createLeads) {
    const n = parseDecimal(raw.amount);
    if (!n.ok) errors.push({ field: 'amount', code: n.code, message: n.message });
    else if (n.value < 0) errors.push({ field: 'amount', code: 'too_small', message: 'An amount cannot be negative.' });
    else amount = Math.round(n.value * 100) / 100;
  }
  let sourceId: string | null = null;
  if (raw.source) {
    const id = ctx.sourceIdByName(raw.source);
    if (id) sourceId = id;
    else errors.push({ field: 'source', code: 'unknown_source', message: `"${raw.source}" is not a source of this workspace.` });
  }

  const phoneWasBad = errors.some((e) => e.field === 'phone' || e.field === 'mobile');
  const policyInput = phoneWasBad ? { ...input, phone: null } : input;
  const policed = applyCapturePolicy('contact', policyInput, ctx.policy, { sourceId });
  errors.push(...policed.errors.map((e) => (e.field === 'phone' && !raw.phone && raw.mobile ? { ...e, field: 'mobile' } : e)));
  const values = policed.values;
  // A batch has no one to ask: the surname split the policy suggests is applied.
  for (const s of policed.suggestions) if (s.code === 'split_surnames') Object.assign(values, s.values);

  let companyName: string | null = null;
  if (raw.companyName) {
    const company = applyCapturePolicy('company', { name: raw.companyName }, ctx.policy);
    companyName = str(company.values['name']);
    errors.push(...company.errors.filter((e) => e.field === 'name').map((e) => ({ ...e, field: 'companyName' })));
  }

  let lead: ImportRow['lead'] = null;
  if (ctx.createLeads) {
    const title = raw.leadTitle ?? [values['firstName'], values['lastName'], companyName ? `(${companyName})` : null].filter(Boolean).join(' ');
    const l = applyCapturePolicy('lead', { title, amount, sourceId }, ctx.policy, { sourceId });
    errors.push(...l.errors.map((e) => ({ ...e, field: e.field === 'title' ? 'leadTitle' : e.field })));
    lead = { title: str(l.values['title']) ?? title, amount, sourceId };
  }

  if (errors.length) return { ok: false, rowNumber, errors };
  const contact = Object.fromEntries(importedContactFields.map((f) => [f, str(values[f])])) as ImportedContact;
  return { ok: true, row: { rowNumber, contact, companyName, lead, externalId: raw.externalId ?? null } };
}

/**
 * What an import changes on an existing contact: the imported values that are filled and differ.
 * An empty cell never erases what the record already has. Null when nothing would change.
 */
export function contactChanges(existing: Record<string, unknown>, imported: ImportedContact, companyId: string | null): Record<string, unknown> | null {
  const patch: Record<string, unknown> = {};
  for (const f of importedContactFields) {
    const v = imported[f];
    if (v !== null && v !== (existing[f] ?? null)) patch[f] = v;
  }
  if (companyId && companyId !== existing['companyId']) patch['companyId'] = companyId;
  return Object.keys(patch).length ? patch : null;
}

/**
 * How alike (trigram similarity of the folded names) a row's name must be to that of a contact of the
 * same company for the import to see a likely duplicate: the duplicate check's own threshold, at
 * which scoreDuplicate already rates "name + company" a likely duplicate (row.test.ts checks it).
 */
export const IMPORT_NAME_SIMILARITY = NAME_SIMILARITY_MIN;

/**
 * How many contacts of a row's company and block (same folded first surname) the import compares the
 * row's name with, at most: the nearest names in alphabetical order, half on each side of the row's
 * own, so an equal name is always among them and the next ones share the longest beginning (first
 * name, then surnames). A bound, so that an account full of namesakes costs each row the same as a
 * small one (without it, ~67 comparisons per row at 1M rows of the benchmark's file).
 */
export const IMPORT_NAME_CANDIDATES = 16;

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/**
 * The identifiers a row can be matched on, best first: the chosen key, then email, then phone, and
 * only for a row with none of those, its name with its company.
 */
export function identifiersOf(row: ImportRow, key: UpsertKey): string[] {
  const ids: string[] = [];
  if (key === 'externalId' && row.externalId) ids.push(`ext:${row.externalId}`);
  if (key === 'phone' && row.contact.phone) ids.push(`phone:${row.contact.phone}`);
  if (row.contact.email) ids.push(`email:${row.contact.email}`);
  if (row.contact.phone && key !== 'phone') ids.push(`phone:${row.contact.phone}`);
  if (!ids.length) ids.push(`name:${fold(`${row.contact.firstName}|${row.contact.lastName ?? ''}|${row.contact.secondLastName ?? ''}|${row.companyName ?? ''}`)}`);
  return ids;
}

/**
 * Folds rows of one batch that share an identifier into one (later rows fill and overwrite earlier
 * values, as importing them one after the other would), so a person listed twice is written once.
 */
export function mergeDuplicates(rows: readonly ImportRow[], key: UpsertKey): { rows: ImportRow[]; duplicates: number } {
  const groupOf = new Map<string, number>();
  const merged: ImportRow[] = [];
  let duplicates = 0;
  for (const row of rows) {
    const ids = identifiersOf(row, key);
    const g = ids.map((id) => groupOf.get(id)).find((x) => x !== undefined);
    if (g === undefined) {
      merged.push(row);
      for (const id of ids) groupOf.set(id, merged.length - 1);
      continue;
    }
    duplicates++;
    const prev = merged[g]!;
    const contact = { ...prev.contact };
    for (const f of importedContactFields) {
      const v = row.contact[f];
      if (v !== null) (contact as Record<string, string | null>)[f] = v;
    }
    merged[g] = {
      rowNumber: prev.rowNumber, contact, companyName: row.companyName ?? prev.companyName,
      lead: row.lead ?? prev.lead, externalId: row.externalId ?? prev.externalId,
    };
    for (const id of identifiersOf(merged[g]!, key)) groupOf.set(id, g);
  }
  return { rows: merged, duplicates };
}
