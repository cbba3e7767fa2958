import type { Contact, Lead } from '../api/types.js';

/** "Nombre Apellido1 Apellido2" with empty parts left out. */
export const contactName = (c: Pick<Contact, 'firstName' | 'lastName'> & { secondLastName?: string | null }) =>
  [c.firstName, c.lastName, c.secondLastName].filter(Boolean).join(' ');

/** What a lead is called in lists: its contact when known, else its title. */
export function leadDisplayName(lead: Lead): string {
  if (lead.contactName) return lead.contactName;
  if (lead.contact) return contactName(lead.contact);
  return lead.title;
}

/** Splits a typed full name into first name and surnames (Spanish names often carry two surnames). */
export function splitFullName(full: string): { firstName: string; lastName: string | null } {
  const parts = full.trim().split(/\s+/).filter(Boolean);
  if (parts.length <= 1) return { firstName: parts[0] ?? '', lastName: null };
  if (parts.length === 2) return { firstName: parts[0]!, lastName: parts[1]! };
  // Three or more words: the last two are the surnames (María José | García López).
  return { firstName: parts.slice(0, -2).join(' '), lastName: parts.slice(-2).join(' ') };
}

/** A quick-add "phone or email" box: an @ means email, otherwise a phone number. */
export function phoneOrEmail(value: string): { email: string | null; phone: string | null } {
  const v = value.trim();
  if (!v) return { email: null, phone: null };
  return v.includes('@') ? { email: v.toLowerCase(), phone: null } : { email: null, phone: v };
}
