/**
 * Each variable is required where it is used. The HMAC secret is read only by the functions that
 * name objects (lambdas/routes.ts access.hmacSecret). The others start without it; a function that
 * needs it and lacks it fails with the variable named, on first use.
 */
import { createRuntime } from '../../../lambdas/runtime';
import { loadConfig } from '../../../lambdas/runtime/config';

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
  const rt = createRuntime({ env: { ...base } });
  await expect(rt.hmacSecret()).rejects.toThrow(/AVTRZ_HMAC_SECRET or AVTRZ_HMAC_SECRET_ARN/);
});

test('each variable is required only when read: a function without a bucket loads and runs', () => {
  // the usage and admin functions get AVTRZ_TABLE but no AVTRZ_BUCKET (lambdas/routes.ts access)
  const c = loadConfig({ AVTRZ_TABLE: 't', AVTRZ_CDN_URL: 'https://cdn.example' });
  expect(c.tableName).toBe('t');
  expect(() => c.bucketName).toThrow('Missing required environment variable AVTRZ_BUCKET');
  // the fallback function gets none of them
  const none = loadConfig({});
  expect(() => none.tableName).toThrow('Missing required environment variable AVTRZ_TABLE');
  expect(() => none.cdnUrl).toThrow('Missing required environment variable AVTRZ_CDN_URL');
});

test('a malformed AVTRZ_CDN_URL is still refused at load', () => {
  expect(() => loadConfig({ ...base, AVTRZ_CDN_URL: 'not a url' })).toThrow(
    /AVTRZ_CDN_URL must be an absolute URL/,
  );
});
