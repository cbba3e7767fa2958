import nodemailer from 'nodemailer';
import type { Config } from '../config.js';

export type OutgoingMail = { to: string; subject: string; text: string; html: string; headers?: Record<string, string> };

export type Mailer = {
  /** Sends one message; rejects when the server refuses it or cannot be reached (so a job retries). */
  send(mail: OutgoingMail): Promise<{ messageId: string }>;
};

type SmtpConfig = Config['smtp'];

/** True when outgoing email is configured (SMTP_HOST set). */
export const isEmailEnabled = (smtp: SmtpConfig): smtp is SmtpConfig & { host: string; from: string } =>
  Boolean(smtp.host && smtp.from);

const mailers = new WeakMap<SmtpConfig, Mailer>();

/**
 * The SMTP mailer for a configuration, built once per configuration object. No connection pool:
 * the digest sends a few messages a day per user, and a fresh connection per message means a
 * server restart or a changed certificate never leaves a stale socket behind.
 */
export function mailerFor(smtp: SmtpConfig): Mailer {
  const cached = mailers.get(smtp);
  if (cached) return cached;
  if (!isEmailEnabled(smtp)) throw new Error('Email is disabled: set SMTP_HOST and SMTP_FROM.');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    // Fail within a minute rather than nodemailer's default two, so a hung server costs one retry slot, not the worker.
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
  });
  const from = smtp.from;
  const mailer: Mailer = {
    async send(mail) {
      const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers ?? {} });
      return { messageId: String(info.messageId) };
    },
  };
  mailers.set(smtp, mailer);
  return mailer;
}
