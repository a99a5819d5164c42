/**
 * Security review: the redactor must not let a key through in contexts the first logger tests
 * do not cover: a key right after a word character (a percent-encoded query inside another URL,
 * `%3Dsk_live_…`) and a key nested deeper than the redactor walks.
 */
import { generateKey } from '../../lambdas/core/keys';
import { redact } from '../../lambdas/shared/logger';

const sk = generateKey('secret');
const pk = generateKey('publishable');

test('a key after a word character (percent-encoded inside another URL) is masked', () => {
  const s = `https://app.example/login?next=%2Fv1%2Favatar%3Fkey%3D${pk}%26x-api-key%3D${sk}`;
  const out = String(redact(s));
  expect(out).not.toContain(pk.slice(8));
  expect(out).not.toContain(sk.slice(8));
  expect(out).toContain('%3Dpk_[redacted]');
});

test('values nested deeper than the redactor walks are never written as they are', () => {
  const deep = { a: { b: { c: { d: { e: { f: { note: `key ${sk}`, key: sk } } } } } } };
  const out = JSON.stringify(redact(deep));
  expect(out).not.toContain(sk.slice(8));
  expect(out).toContain('"a"');
});

test('ordinary identifiers with a pk_/sk_ look-alike inside stay readable (control)', () => {
  expect(redact('disk_usage_total task_queue')).toBe('disk_usage_total task_queue');
});
