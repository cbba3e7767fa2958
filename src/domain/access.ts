import { forbidden } from './errors.js';

export type Role = 'admin' | 'manager' | 'sales';

/** Who is acting: the authenticated user of a request, or of a CLI command or job. */
export type Actor = {
  workspaceId: string;
  userId: string;
  role: Role;
  /** The team the user belongs to (managers manage the teams where they are manager). */
  teamId: string | null;
};

/**
 * Which owned records (leads) an actor may see: admins all; managers their teams' members' and their
 * own; sales their own and those shared with them. Contacts and companies are the team's shared
 * client base: everyone in the workspace reads them, so anyone can serve a client.
 */
export type Scope = { kind: 'all' } | { kind: 'managed'; userId: string } | { kind: 'own'; userId: string };

export function recordScope(actor: Actor): Scope {
  switch (actor.role) {
    case 'admin': return { kind: 'all' };
    case 'manager': return { kind: 'managed', userId: actor.userId };
    case 'sales': return { kind: 'own', userId: actor.userId };
  }
}

export type Owned = { ownerId: string | null; sharedWith?: string[] | null };

/**
 * Pure check for one record, given the ids of the users the actor manages (for managers).
 * An unowned record belongs to the team as a whole and is visible to all.
 */
export function canSee(actor: Actor, rec: Owned, managedUserIds: readonly string[] = []): boolean {
  if (actor.role === 'admin' || rec.ownerId === null) return true;
  if (rec.ownerId === actor.userId) return true;
  if (rec.sharedWith?.includes(actor.userId)) return true;
  return actor.role === 'manager' && managedUserIds.includes(rec.ownerId);
}

/** Writing follows seeing; a sale rep may not give a record to someone else, a manager may. */
export function assertCanAssign(actor: Actor, fromOwnerId: string | null, toOwnerId: string | null): void {
  if (fromOwnerId === toOwnerId) return;
  if (actor.role === 'sales' && toOwnerId !== actor.userId) throw forbidden('Only a manager or an admin can assign records to someone else.');
}

export const isAdmin = (actor: Actor) => actor.role === 'admin';
export const canManageSettings = (actor: Actor) => actor.role === 'admin';
export const canManageUsers = (actor: Actor) => actor.role === 'admin';

export function assertAdmin(actor: Actor): void {
  if (actor.role !== 'admin') throw forbidden('Only an admin can do this.');
}

export function assertManagerOrAdmin(actor: Actor, message = 'Only a manager or an admin can do this.'): void {
  if (actor.role === 'sales') throw forbidden(message);
}
