import { useQuery } from '@tanstack/react-query';
import { api, ApiError } from './client.js';
import type { Page, Pipeline, Product, Source, Stage, User, CustomFieldDef } from './types.js';

/**
 * Small reference lists (users, stages, sources, products) loaded whole once and cached; tables
 * and forms turn ids into names with them. A server without one of these routes yet gives [].
 */
async function all<T>(path: string, query: Record<string, string> = {}): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  try {
    do {
      const page: Page<T> = await api.get<Page<T>>(path, { limit: '500', ...query, ...(cursor ? { cursor } : {}) });
      out.push(...page.data);
      cursor = page.nextCursor;
    } while (cursor && out.length < 5000);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 403)) return out;
    throw e;
  }
  return out;
}

const long = { staleTime: 5 * 60_000 } as const;

export const useUsers = () => useQuery({ queryKey: ['lookup', 'users'], queryFn: () => all<User>('/users'), ...long });
export const useSources = () => useQuery({ queryKey: ['lookup', 'sources'], queryFn: () => all<Source>('/sources'), ...long });
export const useProducts = () => useQuery({ queryKey: ['lookup', 'products'], queryFn: () => all<Product>('/products'), ...long });
export const useCustomFields = (entity: 'lead' | 'contact' | 'company') =>
  useQuery({ queryKey: ['lookup', 'customFields', entity], queryFn: () => all<CustomFieldDef>('/custom-fields', { entity }), ...long });

export type PipelineWithStages = Pipeline & { stages: Stage[] };

/** Pipelines with their stages in board order; the default pipeline first. */
export const usePipelines = () => useQuery({
  queryKey: ['lookup', 'pipelines'], ...long,
  queryFn: async (): Promise<PipelineWithStages[]> => {
    const pipelines = await all<Pipeline>('/pipelines');
    const needStages = pipelines.some((p) => !p.stages);
    const loose = needStages ? await all<Stage>('/stages') : [];
    return pipelines
      .map((p) => ({ ...p, stages: [...(p.stages ?? loose.filter((s) => s.pipelineId === p.id))].sort((a, b) => a.position - b.position) }))
      .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.position - b.position);
  },
});

/** id → record map of a lookup list. */
export function byId<T extends { id: string }>(list: readonly T[] | undefined): Map<string, T> {
  return new Map((list ?? []).map((x) => [x.id, x]));
}

export function allStages(pipelines: readonly PipelineWithStages[] | undefined): Stage[] {
  return (pipelines ?? []).flatMap((p) => p.stages);
}
