import { digestCounts, type Digest, type DigestItem, type DigestSection, type Locale } from '../../domain/digest.js';
import { actionLabel, intlLocale, t, tn } from './messages.js';

export type RenderedMail = { subject: string; text: string; html: string };

export type DigestView = {
  digest: Digest;
  locale: Locale;
  /** Dates and times are shown on the workspace's wall clock, whatever the reader's device says. */
  timeZone: string;
  userName: string;
  workspaceName: string;
  /** The app's external URL (PUBLIC_URL); without it the email has no links. */
  baseUrl: string | undefined;
};

/** Every piece of user-entered text goes through this before it reaches HTML. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function formatters(locale: Locale, timeZone: string) {
  const tag = intlLocale(locale);
  const time = new Intl.DateTimeFormat(tag, { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const dayTime = new Intl.DateTimeFormat(tag, { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const longDay = new Intl.DateTimeFormat(tag, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' });
  return { time, dayTime, longDay };
}

type Line = { when: string; what: string; detail: string | null; href: string | null };

function lineOf(item: DigestItem, locale: Locale, when: Intl.DateTimeFormat, baseUrl: string | undefined): Line {
  const label = actionLabel(locale, item.type);
  const subject = [item.leadTitle, item.contactName && `(${item.contactName})`].filter(Boolean).join(' ');
  return {
    when: when.format(item.at),
    what: subject ? `${label} · ${subject}` : label,
    detail: item.note?.trim() || null,
    href: baseUrl && item.leadId ? `${baseUrl}/leads/${item.leadId}` : null,
  };
}

/** The subject names the day and the counts, so the inbox alone tells how busy the day is. */
function subjectOf(view: DigestView, longDay: Intl.DateTimeFormat): string {
  const counts = digestCounts(view.digest);
  const parts = (['dueToday', 'overdue', 'tasksDue'] as const)
    .filter((k) => counts[k] > 0)
    .map((k) => tn(view.locale, `digest.part.${k}`, counts[k]));
  const date = longDay.format(new Date(`${view.digest.date}T12:00:00Z`));
  return t(view.locale, 'digest.subject', { date, parts: parts.join(', ') });
}

/** The digest as a plain-text and a simple HTML email in the user's language. */
export function renderDigest(view: DigestView): RenderedMail {
  const { locale, digest } = view;
  const f = formatters(locale, view.timeZone);
  const baseUrl = view.baseUrl?.replace(/\/+$/, '');
  const sections: { title: string; section: DigestSection; when: Intl.DateTimeFormat }[] = [
    { title: t(locale, 'digest.dueToday'), section: digest.dueToday, when: f.time },
    { title: t(locale, 'digest.overdue'), section: digest.overdue, when: f.dayTime },
    { title: t(locale, 'digest.tasksDue'), section: digest.tasksDue, when: f.dayTime },
  ].filter((s) => s.section.items.length + s.section.more > 0);
  const rendered = sections.map((s) => ({ ...s, lines: s.section.items.map((i) => lineOf(i, locale, s.when, baseUrl)) }));

  const greeting = t(locale, 'digest.greeting', { name: view.userName });
  const intro = t(locale, 'digest.intro');
  const footer = t(locale, 'digest.footer', { workspace: view.workspaceName });

  const text = [
    greeting, '', intro, '',
    ...rendered.flatMap((s) => [
      `${s.title.toUpperCase()} (${s.section.items.length + s.section.more})`,
      ...s.lines.flatMap((l) => [
        `  ${l.when}  ${l.what}`,
        ...(l.detail ? [`         ${l.detail}`] : []),
        ...(l.href ? [`         ${l.href}`] : []),
      ]),
      ...(s.section.more > 0 ? [`  … ${t(locale, 'digest.more', { n: s.section.more })}`] : []),
      '',
    ]),
    ...(baseUrl ? [`${t(locale, 'digest.open')}: ${baseUrl}/`, ''] : []),
    '-- ', footer, '',
  ].join('\n');

  const e = escapeHtml;
  const html = `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><title>${e(subjectOf(view, f.longDay))}</title></head>
<body style="font-family: -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; color: #1f2933; max-width: 640px; margin: 0 auto; padding: 16px;">
<p>${e(greeting)}</p>
<p>${e(intro)}</p>
${rendered.map((s) => `<h2 style="font-size: 16px; margin: 24px 0 8px;">${e(s.title)} (${s.section.items.length + s.section.more})</h2>
<table role="presentation" style="border-collapse: collapse; width: 100%;">
${s.lines.map((l) => `<tr><td style="padding: 4px 12px 4px 0; white-space: nowrap; vertical-align: top; color: #52606d;">${e(l.when)}</td><td style="padding: 4px 0;">${
  l.href ? `<a href="${e(l.href)}" style="color: #1f5fbf;">${e(l.what)}</a>` : e(l.what)}${
  l.detail ? `<br><span style="color: #52606d;">${e(l.detail)}</span>` : ''}</td></tr>`).join('\n')}
</table>${s.section.more > 0 ? `\n<p style="color: #52606d;">… ${e(t(locale, 'digest.more', { n: s.section.more }))}</p>` : ''}`).join('\n')}
${baseUrl ? `<p style="margin-top: 24px;"><a href="${e(baseUrl)}/" style="color: #1f5fbf;">${e(t(locale, 'digest.open'))}</a></p>` : ''}
<p style="margin-top: 24px; font-size: 12px; color: #7b8794;">${e(footer)}</p>
</body></html>
`;
  return { subject: subjectOf(view, f.longDay), text, html };
}
