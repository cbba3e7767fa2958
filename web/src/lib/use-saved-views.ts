import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ApiError } from '../api/client.js';
import type { Page } from '../api/types.js';
import { LEGACY_STORAGE_KEY, legacyViews, parseViewDefinition, type LeadView, type SavedView } from './lead-views.js';

type StoredView = { id: string; userId: string; name: string; shared: boolean; version: number; definition: unknown };

const key = ['saved-views', 'lead'] as const;
const toSaved = (v: StoredView): SavedView => ({ ...parseViewDefinition(v.definition), id: v.id, userId: v.userId, name: v.name, shared: v.shared, version: v.version });

/**
 * The leads table's saved views, kept on the server so they follow the user to any device and can
 * be shared with the team. Views an older version kept in this browser are moved up once.
 */
export function useSavedLeadViews(userId: string) {
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: key,
    queryFn: async () => (await api.get<Page<StoredView>>('/saved-views', { entity: 'lead', limit: '500' })).data.map(toSaved),
  });
  const refresh = () => qc.invalidateQueries({ queryKey: key });

  const save = useMutation({
    mutationFn: async ({ name, view, shared }: { name: string; view: LeadView; shared: boolean }) => {
      const mine = list.data?.find((v) => v.userId === userId && v.name.toLowerCase() === name.toLowerCase());
      const definition = { filters: view.filters, sort: view.sort, columns: view.columns };
      return mine
        ? api.patch('/saved-views/' + mine.id, { name, definition, shared, version: mine.version })
        : api.post('/saved-views', { entity: 'lead', name, definition, shared });
    },
    onSettled: refresh,
  });
  const remove = useMutation({ mutationFn: (id: string) => api.del('/saved-views/' + id), onSettled: refresh });

  useEffect(() => {
    const legacy = legacyViews(localStorage.getItem(LEGACY_STORAGE_KEY));
    if (!legacy.length || !list.isSuccess) return;
    void (async () => {
      try {
        for (const v of legacy) {
          try {
            await api.post('/saved-views', { entity: 'lead', name: v.name.slice(0, 80), definition: { filters: v.filters, sort: v.sort, columns: v.columns }, shared: false });
          } catch (e) {
            if (!(e instanceof ApiError && e.status === 409)) throw e; // a view of that name exists already: keep the server's
          }
        }
        // Only once every view is on the server: a failed move is tried again on the next visit.
        localStorage.removeItem(LEGACY_STORAGE_KEY);
      } catch { /* offline or refused: the views stay in this browser until the next visit */ }
      await refresh();
    })();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- runs once, when the server list first arrives
  }, [list.isSuccess]);

  return { views: list.data ?? [], isLoading: list.isLoading, save, remove };
}
