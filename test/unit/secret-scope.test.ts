/**
 * The HMAC secret is read only by the functions that name objects (lib/routes.ts
 * access.hmacSecret). The others start without it; a function that needs it and lacks it fails
 * with the variable named, on first use.
 */
import { loadConfig, resetConfig } from '../../lambdas/shared/config';
import { hmacSecret, resetHmacSecret } from '../../lambdas/shared/secret';

const base = { AVTRZ_TABLE: 't', AVTRZ_BUCKET: 'b', AVTRZ_CDN_URL: 'https://cdn.example' };

test('config loads without an HMAC secret (admin, usage and resolver functions get none)', () => {
  const c = loadConfig({ ...base });
  expect(c.hmacSecret).toBeUndefined();
  expect(c.hmacSecretArn).toBeUndefined();
});

test('a short AVTRZ_HMAC_SECRET is still refused at load', () => {
  expect(() => loadConfig({ ...base, AVTRZ_HMAC_SECRET: 'short' })).toThrow(/at least 16/);
});

test('hmacSecret() without either variable fails naming them', async () => {
  const saved = { s: process.env.AVTRZ_HMAC_SECRET, a: process.env.AVTRZ_HMAC_SECRET_ARN };
  delete process.env.AVTRZ_HMAC_SECRET;
  delete process.env.AVTRZ_HMAC_SECRET_ARN;
  resetConfig();
  resetHmacSecret();
  try {
    await expect(hmacSecret()).rejects.toThrow(/AVTRZ_HMAC_SECRET or AVTRZ_HMAC_SECRET_ARN/);
  } finally {
    if (saved.s !== undefined) process.env.AVTRZ_HMAC_SECRET = saved.s;
    if (saved.a !== undefined) process.env.AVTRZ_HMAC_SECRET_ARN = saved.a;
    resetConfig();
    resetHmacSecret();
  }
});
