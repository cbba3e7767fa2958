/**
 * Dates, times, numbers and money shown in the user's language but in the workspace's time zone
 * and currency: a sales team in Madrid sees 09:30 for a call at 09:30 Madrid time, whatever the
 * laptop's clock says.
 */
export type FormatContext = { locale: string; timeZone: string; currency: string };

export type Formatters = ReturnType<typeof makeFormatters>;

/** BCP 47 tag from the UI language and the workspace country: es + ES → es-ES, en + ES → en-ES. */
export const localeTag = (language: string, country: string) => {
  const tag = `${language}-${country}`;
  try { return Intl.getCanonicalLocales(tag)[0] ?? language; } catch { return language; }
};

export function makeFormatters({ locale, timeZone, currency }: FormatContext) {
  const date = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric' });
  const shortDate = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short' });
  const time = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' });
  const dateTime = new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const money = new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 2 });
  const moneyOf = (c: string) => (c === currency ? money : new Intl.NumberFormat(locale, { style: 'currency', currency: c }));
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const asDate = (v: string | Date) => (typeof v === 'string' ? new Date(v) : v);
  return {
    locale, timeZone, currency,
    date: (v: string | Date | null | undefined) => (v ? date.format(asDate(v)) : ''),
    shortDate: (v: string | Date | null | undefined) => (v ? shortDate.format(asDate(v)) : ''),
    time: (v: string | Date | null | undefined) => (v ? time.format(asDate(v)) : ''),
    dateTime: (v: string | Date | null | undefined) => (v ? dateTime.format(asDate(v)) : ''),
    number: (n: number | null | undefined) => (n == null ? '' : number.format(n)),
    money: (n: number | null | undefined, c = currency) => (n == null ? '' : moneyOf(c).format(n)),
    /** 0–100 → "35 %" in the locale's style. */
    percent: (n: number | null | undefined) => (n == null ? '' : percent.format(n / 100)),
    /** Whole days from now, "hace 3 días" / "in 2 days". */
    daysAgo: (v: string | Date | null | undefined, now = new Date()) => {
      if (!v) return '';
      const days = Math.round((asDate(v).getTime() - now.getTime()) / 86_400_000);
      return relative.format(days, 'day');
    },
  };
}

/** The wall-clock parts of an instant in a time zone. */
export function zonedParts(instant: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(instant);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour'), minute: get('minute'), second: get('second') };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD` and `HH:MM` of an instant as seen in the time zone (the values of date/time inputs). */
export function toZonedInputs(iso: string | Date, timeZone: string): { date: string; time: string } {
  const p = zonedParts(typeof iso === 'string' ? new Date(iso) : iso, timeZone);
  return { date: `${p.year}-${pad(p.month)}-${pad(p.day)}`, time: `${pad(p.hour)}:${pad(p.minute)}` };
}

/**
 * The instant (ISO, UTC) of a wall-clock date and time in a time zone. Two passes settle the
 * offset across a daylight-saving change; a time skipped by the change moves forward.
 */
export function zonedToIso(date: string, time: string, timeZone: string): string | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time || '00:00');
  if (!d || !t) return null;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  const offsetAt = (ms: number) => {
    const p = zonedParts(new Date(ms), timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - ms;
  };
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  return new Date(guess).toISOString();
}

/** Today's date (YYYY-MM-DD) in the time zone, plus `days`. */
export function zonedDate(timeZone: string, days = 0, now = new Date()): string {
  return toZonedInputs(new Date(now.getTime() + days * 86_400_000), timeZone).date;
}
