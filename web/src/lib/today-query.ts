import { api } from '../api/client.js';
import type { Today } from '../api/types.js';

/**
 * The Today page's query, shared with the login page: right after a login the page's data is
 * fetched while the session and the page's code load, instead of after them.
 */
export const todayQuery = (userId: string, forOtherUser = false) => ({
  queryKey: ['today', userId] as const,
  queryFn: () => api.get<Today>(forOtherUser ? `/today?userId=${encodeURIComponent(userId)}` : '/today'),
});

/** Starts downloading the Today page's code (the landing page after login). */
export const preloadTodayPage = () => import('../pages/today-page.js');
