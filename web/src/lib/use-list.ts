import { useInfiniteQuery } from '@tanstack/react-query';
import { api, type Query } from '../api/client.js';
import type { Page } from '../api/types.js';

/** Cursor-paginated list of an /api/v1 collection; pages are fetched as the user scrolls. */
export function useCursorList<T>(path: string, query: Query, pageSize = 100) {
  return useInfiniteQuery({
    queryKey: ['list', path, query, pageSize],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) => api.get<Page<T>>(path, { ...query, limit: String(pageSize), cursor: pageParam }, { signal }),
    getNextPageParam: (last) => last.nextCursor,
  });
}
