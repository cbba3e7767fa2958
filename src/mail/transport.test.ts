import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { isEmailEnabled, mailerFor } from './transport.js';

describe('email configuration', () => {
  it('leaves email off when SMTP_HOST is unset, and refuses to build a mailer then', () => {
    const config = loadConfig({});
    expect(isEmailEnabled(config.smtp)).toBe(false);
    expect(() => mailerFor(config.smtp)).toThrow(/SMTP_HOST/);
    expect(config.digestHour).toBe(7);
  });

  it('reads every SMTP variable, with "false" meaning false', () => {
    const env = { SMTP_HOST: 'smtp.example.com', SMTP_PORT: '465', SMTP_SECURE: 'true', SMTP_USER: 'crm', SMTP_PASSWORD: 's3cret', SMTP_FROM: 'CRM <crm@example.com>', DIGEST_HOUR: '8' };
    const config = loadConfig(env);
    expect(config.smtp).toEqual({ host: 'smtp.example.com', port: 465, secure: true, user: 'crm', password: 's3cret', from: 'CRM <crm@example.com>' });
    expect(config.digestHour).toBe(8);
    expect(isEmailEnabled(config.smtp)).toBe(true);
    expect(loadConfig({ ...env, SMTP_SECURE: 'false' }).smtp.secure).toBe(false);
  });

  it('reports a missing sender and a bad digest hour together, at start', () => {
    try {
      loadConfig({ SMTP_HOST: 'smtp.example.com', DIGEST_HOUR: '24', SMTP_SECURE: 'yes' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const problems = (e as ConfigError).problems.join('\n');
      expect(problems).toMatch(/SMTP_FROM/);
      expect(problems).toMatch(/DIGEST_HOUR/);
      expect(problems).toMatch(/SMTP_SECURE/);
    }
  });

  it('builds one mailer per configuration', () => {
    const smtp = loadConfig({ SMTP_HOST: '127.0.0.1', SMTP_FROM: 'crm@example.com' }).smtp;
    expect(mailerFor(smtp)).toBe(mailerFor(smtp));
  });
});
