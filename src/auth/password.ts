import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/*
 * scrypt is memory-hard and ships with Node, so no native addon is needed. N=2^15, r=8 uses 32 MiB
 * per hash (OWASP's minimum recommendation for scrypt); the parameters are stored with each hash
 * so they can be raised later without invalidating existing passwords.
 */
const N = 2 ** 15;
const r = 8;
const p = 1;
const KEYLEN = 32;

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCb(password.normalize('NFKC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEYLEN, { N, r, p, maxmem: 128 * N * r * 2 });
  return `scrypt$${Math.log2(N)}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  if (!stored) return false;
  const [alg, logN, rs, ps, saltB64, keyB64] = stored.split('$');
  if (alg !== 'scrypt' || !logN || !rs || !ps || !saltB64 || !keyB64) return false;
  const n = 2 ** Number(logN);
  const expected = Buffer.from(keyB64, 'base64url');
  try {
    const key = await scrypt(password, Buffer.from(saltB64, 'base64url'), expected.length, {
      N: n, r: Number(rs), p: Number(ps), maxmem: 128 * n * Number(rs) * 2,
    });
    return timingSafeEqual(key, expected);
  } catch {
    // A stored value with impossible parameters is a failed check, not a server error at login.
    return false;
  }
}

/** Minimum policy: 10+ characters (NIST SP 800-63B favours length over composition rules). */
export function checkPasswordStrength(password: string): string | null {
  if (password.length < 10) return 'too_short';
  if (password.length > 200) return 'too_long';
  return null;
}

/** A hash to compare against when the account does not exist, so timing does not reveal it. */
export const dummyHashPromise = hashPassword(randomBytes(16).toString('hex'));
