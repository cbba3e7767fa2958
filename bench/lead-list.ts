import { lead } from '../src/db/schema.js';
import type { ListSpec } from '../src/db/list.js';

/**
 * The leads ListSpec the API uses. Until src/http/routes/leads.ts exports one, a local copy of its
 * hot path (owner and stage filters, sorted by next action with leads without one last) stands in.
 */
const localLeadList: ListSpec = {
  table: lead,
  scope: 'owned',
  hideCancelled: true,
  searchColumn: 'search_text',
  filters: {
    ownerId: { kind: 'in', column: 'owner_id', type: 'uuid' },
    stageId: { kind: 'in', column: 'stage_id', type: 'uuid' },
    status: { kind: 'enum', column: 'status', values: ['open', 'won', 'lost', 'cancelled'] },
  },
  sorts: {
    nextActionAt: { expr: "coalesce(next_action_at, 'infinity'::timestamptz)", type: 'timestamp' },
    createdAt: { expr: 'created_at', type: 'timestamp' },
  },
  defaultSort: 'nextActionAt',
};

const isLeadListSpec = (v: unknown): v is ListSpec =>
  typeof v === 'object' && v !== null && (v as ListSpec).table === lead && 'filters' in v && 'sorts' in v;

/** The real spec from the leads routes when that module exists and exports one; else the local copy. */
export async function loadLeadListSpec(): Promise<{ spec: ListSpec; origin: string }> {
  const path = '../src/http/routes/leads.js';
  try {
    const mod = (await import(path)) as Record<string, unknown>;
    const found = Object.entries(mod).find(([, v]) => isLeadListSpec(v));
    if (found) return { spec: found[1] as ListSpec, origin: `src/http/routes/leads.ts (${found[0]})` };
  } catch { /* not written yet */ }
  return { spec: localLeadList, origin: 'bench/lead-list.ts (local copy; src/http/routes/leads.ts has no lead ListSpec yet)' };
}

/** The sort key that orders by next action in whichever spec is in use. */
export function nextActionSortKey(spec: ListSpec): string {
  const key = Object.entries(spec.sorts).find(([, s]) => s.expr.includes('next_action_at'))?.[0];
  if (!key) throw new Error('The leads ListSpec has no sort on next_action_at.');
  return key;
}
