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

const particles = new Set(['de', 'del', 'la', 'las', 'los', 'y', 'da', 'das', 'do', 'dos', 'van', 'von', 'di']);

/**
 * Splits a typed full name into first name and surnames. Spanish names often carry two surnames,
 * and particles stay with the surname they introduce: "María José García López" → María José |
 * García López; "Juan de la Fuente Ruiz" → Juan | de la Fuente Ruiz. The server's capture policy
 * then decides on first/second surname (it only suggests a split, never forces one).
 */
export function splitFullName(full: string): { firstName: string; lastName: string | null } {
  const words = full.trim().split(/\s+/).filter(Boolean);
  if (words.length <= 1) return { firstName: words[0] ?? '', lastName: null };
  // Group words so each particle travels with the next word: [Juan] [de la Fuente] [Ruiz].
  const groups: string[][] = [];
  let pending: string[] = [];
  for (const w of words) {
    pending.push(w);
    if (!particles.has(w.toLowerCase())) { groups.push(pending); pending = []; }
  }
  if (pending.length) groups.push(pending);
  if (groups.length <= 2) return { firstName: groups[0]!.join(' '), lastName: groups.slice(1).flat().join(' ') || null };
  const surnames = groups.slice(-2).flat().join(' ');
  return { firstName: groups.slice(0, -2).flat().join(' '), lastName: surnames };
}

/** A quick-add "phone or email" box: an @ means email, otherwise a phone number. */
export function phoneOrEmail(value: string): { email: string | null; phone: string | null } {
  const v = value.trim();
  if (!v) return { email: null, phone: null };
  return v.includes('@') ? { email: v.toLowerCase(), phone: null } : { email: null, phone: v };
}
