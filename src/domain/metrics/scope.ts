import type { Actor } from '../access.js';
import { forbidden } from '../errors.js';

/**
 * Whose numbers a metric request counts: null for the whole workspace, else the owners' ids.
 * Sales users see their own numbers; managers their teams' members and themselves; admins all.
 * `ownerId` and `teamId` narrow within that and are refused (403) when they reach outside it.
 */
export function metricOwners(
  actor: Actor,
  asked: { ownerId?: string | undefined; teamId?: string | undefined },
  ctx: { managed: readonly string[]; teamMembers: readonly string[] | null },
): string[] | null {
  const visible: string[] | null = actor.role === 'admin' ? null : actor.role === 'manager' ? [actor.userId, ...ctx.managed] : [actor.userId];
  const mayCount = (id: string) => visible === null || visible.includes(id);
  let owners = visible;
  if (asked.teamId) {
    const members = ctx.teamMembers ?? [];
    if (actor.role !== 'admin' && !members.every(mayCount)) throw forbidden('You can see the numbers of your own team only.');
    owners = [...members];
  }
  if (asked.ownerId) {
    if (!mayCount(asked.ownerId)) throw forbidden('You can see your own numbers, or your team members\' if you manage the team.');
    owners = owners === null || owners.includes(asked.ownerId) ? [asked.ownerId] : [];
  }
  return owners;
}
