import type { Actor } from '../access.js';
import { AppError, forbidden } from '../errors.js';

/** An import is its uploader's work: they and admins see it; others do not (403). */
export function canSeeImport(actor: Pick<Actor, 'role' | 'userId'>, createdBy: string | null): void {
  if (actor.role !== 'admin' && createdBy !== actor.userId) throw forbidden('This import belongs to someone else.');
}

/** An import can be undone once it has stopped (done, or failed part way), by whoever may see it. */
export function canUndoImport(actor: Pick<Actor, 'role' | 'userId'>, createdBy: string | null, status: string): void {
  canSeeImport(actor, createdBy);
  if (status !== 'done' && status !== 'failed') throw new AppError('conflict', `An import that is ${status} cannot be rolled back.`);
}
