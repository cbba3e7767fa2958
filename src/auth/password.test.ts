import { describe, expect, it } from 'vitest';
import { checkPasswordStrength, dummyHashPromise, hashPassword, verifyPassword } from './password.js';

describe('hashPassword and verifyPassword', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const hash = await hashPassword('correct horse battery');
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
  });

  it('stores the algorithm and its parameters with a fresh salt, never the password', async () => {
    const [a, b] = await Promise.all([hashPassword('same password'), hashPassword('same password')]);
    expect(a).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
  });

  it('treats the same text typed with composed or decomposed accents as one password', async () => {
    const hash = await hashPassword('contraseña única');
    expect(await verifyPassword('contrasen\u0303a u\u0301nica', hash)).toBe(true);
  });

  it('refuses an account without a password hash', async () => {
    expect(await verifyPassword('anything at all', null)).toBe(false);
  });

  it('answers false, without throwing, for a stored value that is not a valid hash', async () => {
    for (const stored of ['', 'plain text', 'bcrypt$10$x$y$z$w', 'scrypt$abc$8$1$c2FsdA$a2V5', 'scrypt$40$8$1$c2FsdA$a2V5', 'scrypt$15$8$1$c2FsdA$']) {
      expect(await verifyPassword('whatever it is', stored), stored).toBe(false);
    }
  });

  it('keeps a dummy hash ready so unknown accounts take as long to refuse', async () => {
    const dummy = await dummyHashPromise;
    expect(dummy).toMatch(/^scrypt\$/);
    expect(await verifyPassword('correct horse battery', dummy)).toBe(false);
  });
});

describe('checkPasswordStrength', () => {
  it('asks for at least 10 characters and at most 200', () => {
    expect(checkPasswordStrength('123456789')).toBe('too_short');
    expect(checkPasswordStrength('1234567890')).toBeNull();
    expect(checkPasswordStrength('x'.repeat(200))).toBeNull();
    expect(checkPasswordStrength('x'.repeat(201))).toBe('too_long');
  });

  it('imposes no composition rules: a long passphrase of plain words is fine', () => {
    expect(checkPasswordStrength('caballo correcto batería grapa')).toBeNull();
  });
});
