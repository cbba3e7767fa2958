import type { Actor } from './access.js';
import { AppError, fieldError, forbidden, notFound } from './errors.js';

/**
 * Reassigning a portfolio (all of it, or the contacts of one segment) from one salesperson to
 * another. What moves and what keeps its history: docs/portfolios.md.
 */

export type TransferUser = { id: string; isActive: boolean };

export type TransferCounts = {
  contacts: number;
  companies: number;
  /** Open leads; their next actions move with them. */
  leads: number;
  /** Planned activities (tasks, calls…) not done yet, assigned to the previous owner. */
  activities: number;
  /** Planned post-sale follow-ups assigned to the previous owner. */
  followUps: number;
  /** Complaints not resolved yet, owned by the previous owner. */
  complaints: number;
};

export const transferKinds = ['contacts', 'companies', 'leads', 'activities', 'followUps', 'complaints'] as const satisfies readonly (keyof TransferCounts)[];

export const movedTotal = (c: TransferCounts) => transferKinds.reduce((a, k) => a + c[k], 0);

/**
 * Everything that refuses a reassignment before anything moves, in the order a person would fix
 * them: who may do it at all, whose portfolio it is, who receives it. `managed` are the ids of the
 * users in the teams a manager manages. Throws the first problem: 403 for a right the actor lacks,
 * 404 for a portfolio owner that does not exist here, 422 naming `toUserId` for a bad target.
 */
export function assertCanReassign(
  actor: Actor,
  from: TransferUser | null,
  to: TransferUser | null,
  toUserId: string,
  managed: readonly string[],
): void {
  if (actor.role === 'sales') throw forbidden('Only a manager or an admin can reassign a portfolio.');
  if (!from) throw notFound('user');
  const inReach = (id: string) => actor.role === 'admin' || id === actor.userId || managed.includes(id);
  if (!inReach(from.id)) {
    throw new AppError('forbidden', 'A manager reassigns only the portfolios of their own team.', [
      { field: 'userId', code: 'not_managed', message: 'This salesperson is not in a team you manage.' },
    ]);
  }
  if (toUserId === from.id) throw fieldError('toUserId', 'same_user', 'The portfolio already belongs to this user.');
  // A user of another workspace is, here, a user that does not exist.
  if (!to) throw fieldError('toUserId', 'not_found', 'No such user in this workspace.');
  if (!to.isActive) throw fieldError('toUserId', 'inactive', 'This user is deactivated and cannot receive a portfolio.');
  if (!inReach(to.id)) {
    throw new AppError('forbidden', 'A manager reassigns only to someone in their own team.', [
      { field: 'toUserId', code: 'not_managed', message: 'This user is not in a team you manage.' },
    ]);
  }
}

/** Refuses a selection with nothing to move; names the segment when one narrowed it. */
export function assertSomethingToMove(counts: TransferCounts, segmentId: string | null): void {
  if (movedTotal(counts) > 0) return;
  throw segmentId
    ? fieldError('segmentId', 'empty_selection', 'No record of this portfolio is in the segment.')
    : fieldError('userId', 'empty_selection', 'This portfolio has nothing to reassign.');
}

/** A retried request (same Idempotency-Key) must be the same request. */
export function assertSameRequest(
  stored: { fromUserId: string; toUserId: string; segmentId: string | null },
  asked: { fromUserId: string; toUserId: string; segmentId: string | null },
): void {
  if (stored.fromUserId !== asked.fromUserId || stored.toUserId !== asked.toUserId || stored.segmentId !== asked.segmentId) {
    throw new AppError('conflict', 'This Idempotency-Key was already used for a different reassignment.', [
      { field: 'Idempotency-Key', code: 'reused', message: 'Send a new key for a new reassignment.' },
    ]);
  }
}

/** The notice the new owner gets, one per batch, written in their language (like an email). */
export function transferNotice(locale: 'es' | 'en', fromName: string, c: TransferCounts): { title: string; body: string } {
  if (locale === 'en') {
    return {
      title: `You received ${fromName}'s portfolio`,
      body: `${c.contacts} contacts, ${c.companies} companies, ${c.leads} open leads, ${c.activities} planned activities, ${c.followUps} follow-ups and ${c.complaints} open complaints are now yours.`,
    };
  }
  return {
    title: `Has recibido la cartera de ${fromName}`,
    body: `Ahora son tuyos: ${c.contacts} contactos, ${c.companies} empresas, ${c.leads} oportunidades abiertas, ${c.activities} actividades pendientes, ${c.followUps} seguimientos y ${c.complaints} quejas abiertas.`,
  };
}
