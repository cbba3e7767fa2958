/**
 * What an API token may do. A token created with scopes may only call the resource areas it names,
 * read-only (`<area>:read`) or read-write (`<area>:write`, which includes read), plus `webhooks`
 * to manage webhooks. A token without scopes (every token created before scopes existed, and a new
 * one created with `scopes` left out) acts with the full rights of its user, as before. Scopes only
 * narrow what the user's role allows; a session cookie is never limited by them.
 */
export const scopeAreas = ['contacts', 'leads', 'sales', 'metrics', 'settings'] as const;
export type ScopeArea = (typeof scopeAreas)[number];
export const apiScopes = [...scopeAreas.flatMap((a) => [`${a}:read`, `${a}:write`] as const), 'webhooks'] as const;
export type ApiScope = (typeof apiScopes)[number];

/**
 * The area of each first path segment under /api/v1. A segment missing here (a new feature not yet
 * mapped, or api-tokens, which would let a limited token mint an unlimited one) needs a token
 * without scopes: refusing is the safe default.
 */
const areaOfSegment: Record<string, ScopeArea | 'webhooks'> = {
  contacts: 'contacts', companies: 'contacts', segments: 'contacts', duplicates: 'contacts', imports: 'contacts',
  search: 'contacts', capture: 'contacts', portfolios: 'contacts',
  leads: 'leads', activities: 'leads', today: 'leads', calendar: 'leads',
  sales: 'sales', 'follow-ups': 'sales', feedback: 'sales', complaints: 'sales', 'satisfaction-links': 'sales',
  metrics: 'metrics', dashboard: 'metrics', objectives: 'metrics', funnel: 'metrics', 'weekly-summary': 'metrics',
  users: 'settings', teams: 'settings', pipelines: 'settings', products: 'settings', sources: 'settings', campaigns: 'settings',
  'custom-fields': 'settings', workspace: 'settings', 'audit-events': 'settings', jobs: 'settings', notifications: 'settings',
  privacy: 'settings', 'capture-policies': 'settings', 'web-forms': 'settings', score: 'settings',
  webhooks: 'webhooks',
};

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The scope a request needs; `null` when only a token with full access may make it. */
export function requiredScope(method: string, path: string): ApiScope | null {
  const segment = path.replace(/^\/api\/v1/, '').split('/').find((s) => s !== '') ?? '';
  const area = areaOfSegment[segment];
  if (!area) return null;
  if (area === 'webhooks') return 'webhooks';
  return `${area}:${readMethods.has(method.toUpperCase()) ? 'read' : 'write'}`;
}

/** Whether a token's scopes (null = full access) allow what `needed` names (null = full access needed). */
export function scopeAllows(granted: readonly string[] | null, needed: ApiScope | null): boolean {
  if (granted === null) return true;
  if (needed === null) return false;
  if (granted.includes(needed)) return true;
  return needed.endsWith(':read') && granted.includes(needed.replace(/:read$/, ':write'));
}
