import ical from 'ical-generator';

/**
 * iCalendar (RFC 5545) encoding of a subscription feed. Encode only: what goes in the feed is the
 * caller's business. Times are written in UTC (`DTSTART:20261123T083000Z`), which every client
 * shows in its own zone; naming a TZID would oblige us to ship a matching VTIMEZONE block.
 */

export type CalendarEvent = {
  /** Stable across fetches, so a changed next action moves the event instead of adding another. */
  uid: string;
  start: Date;
  durationMinutes: number;
  summary: string;
  description: string | null;
  url: string | null;
  /** Grows when the source changes (RFC 5545 §3.8.7.4); the record's version does. */
  sequence: number;
  lastModified: Date | null;
};

export type Calendar = {
  name: string;
  /** DTSTAMP of every event: when this copy of the feed was made. */
  generatedAt: Date;
  /** How often clients should fetch again (X-PUBLISHED-TTL / REFRESH-INTERVAL). */
  refreshMinutes: number;
  events: CalendarEvent[];
};

export const ICAL_CONTENT_TYPE = 'text/calendar; charset=utf-8';

export function encodeCalendar(cal: Calendar): string {
  const calendar = ical({
    name: cal.name,
    prodId: { company: 'Seguimiento', product: 'Seguimiento CRM' },
    ttl: cal.refreshMinutes * 60,
  });
  for (const e of cal.events) {
    calendar.createEvent({
      id: e.uid,
      sequence: e.sequence,
      stamp: cal.generatedAt,
      start: e.start,
      end: new Date(e.start.getTime() + e.durationMinutes * 60_000),
      summary: e.summary,
      description: e.description,
      url: e.url,
      lastModified: e.lastModified,
    });
  }
  return calendar.toString();
}
