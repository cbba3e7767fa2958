/** Fields never copied into the audit trail. */
const secretFields = new Set(['passwordHash', 'tokenHash', 'searchText']);

// Objects are compared with sorted keys: {a, b} and {b, a} are the same value (jsonb reorders keys).
const canonical = (_k: string, v: unknown) =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) : v;
const same = (a: unknown, b: unknown) => JSON.stringify(a, canonical) === JSON.stringify(b, canonical);

/** What changed between two versions of a record, as { field: [before, after] }, secrets left out. */
export function diffRecord(before: Record<string, unknown> | null, after: Record<string, unknown> | null): Record<string, [unknown, unknown]> {
  const changes: Record<string, [unknown, unknown]> = {};
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  for (const k of keys) {
    if (secretFields.has(k) || k === 'updatedAt' || k === 'version') continue;
    const b = before?.[k] ?? null;
    const a = after?.[k] ?? null;
    if (!same(b, a)) changes[k] = [b, a];
  }
  return changes;
}
