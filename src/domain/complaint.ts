import { fieldError } from './errors.js';

/** The glossary's complaint vocabulary; the UI translates each value. */
export const complaintCategories = ['quality_defect', 'durability', 'portability', 'after_sales_service', 'functionality', 'other'] as const;
export const complaintStatuses = ['open', 'in_progress', 'resolved'] as const;
export const complaintResolutions = ['replacement', 'repair', 'home_maintenance', 'substitute_product', 'cost_assumed', 'other'] as const;

export type ComplaintCategory = (typeof complaintCategories)[number];
export type ComplaintStatus = (typeof complaintStatuses)[number];
export type ComplaintResolution = (typeof complaintResolutions)[number];

export type ComplaintState = { status: ComplaintStatus; resolution: ComplaintResolution | null; resolvedAt: Date | null };

/**
 * Where a complaint may go from each status. Work usually goes open → in_progress → resolved, but a
 * complaint can be settled on the spot (open → resolved), and a resolved one reopened (to open or
 * straight back to in_progress) when the client comes back.
 */
const transitions: Record<ComplaintStatus, readonly ComplaintStatus[]> = {
  open: ['in_progress', 'resolved'],
  in_progress: ['open', 'resolved'],
  resolved: ['open', 'in_progress'],
};

export const canMoveComplaint = (from: ComplaintStatus, to: ComplaintStatus) => transitions[from].includes(to);

/** A status change for the complaint's timeline. */
export type ComplaintStatusEvent = { fromStatus: ComplaintStatus | null; toStatus: ComplaintStatus; resolution: ComplaintResolution | null };

export type ComplaintChange = { values: Partial<ComplaintState>; event: ComplaintStatusEvent | null };

/**
 * Applies a requested status and/or resolution. Resolving needs a resolution and sets resolvedAt;
 * reopening clears both (the timeline keeps what the resolution was). A resolution is only given
 * with the resolved status; on an already resolved complaint it can be corrected without a new event.
 */
export function changeComplaintStatus(
  before: ComplaintState, req: { status?: ComplaintStatus; resolution?: ComplaintResolution | null }, now: Date,
): ComplaintChange {
  const to = req.status ?? before.status;
  const resolution = req.resolution !== undefined ? req.resolution : to === 'resolved' ? before.resolution : null;
  if (to !== 'resolved' && req.resolution) {
    throw fieldError('resolution', 'only_when_resolved', 'A resolution is given when the complaint is resolved (status resolved).');
  }
  if (to === before.status) {
    if (to === 'resolved' && req.resolution !== undefined && req.resolution !== before.resolution) {
      if (!req.resolution) throw fieldError('resolution', 'required', 'A resolved complaint keeps its resolution.');
      return { values: { resolution: req.resolution }, event: null };
    }
    return { values: {}, event: null };
  }
  if (!canMoveComplaint(before.status, to)) {
    throw fieldError('status', 'invalid_transition', `A complaint cannot go from ${before.status} to ${to}.`);
  }
  if (to === 'resolved') {
    if (!resolution) throw fieldError('resolution', 'required', 'Resolving a complaint needs its resolution.');
    return { values: { status: to, resolution, resolvedAt: now }, event: { fromStatus: before.status, toStatus: to, resolution } };
  }
  return { values: { status: to, resolution: null, resolvedAt: null }, event: { fromStatus: before.status, toStatus: to, resolution: null } };
}

/** The first timeline entry of a new complaint. */
export const openingEvent = (): ComplaintStatusEvent => ({ fromStatus: null, toStatus: 'open', resolution: null });

/** A complaint comes from a client (contact) or from a sale; at least one. */
export function checkComplaintOrigin(o: { contactId?: string | null; saleId?: string | null }): void {
  if (!o.contactId && !o.saleId) throw fieldError('contactId', 'required', 'A complaint needs the contact or the sale it is about.');
}

/** Past its due date and not resolved. Mirrors the list's `overdue` column. */
export const isComplaintOverdue = (c: { status: ComplaintStatus; dueAt: Date | null }, now: Date) =>
  c.status !== 'resolved' && c.dueAt !== null && c.dueAt.getTime() < now.getTime();
