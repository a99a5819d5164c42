/**
 * Security review: a secret key anywhere in the `key` query parameter is refused and flagged.
 * API Gateway (and the local gateway, lib/local/apigw-event.ts collectQuery) hands a repeated query
 * parameter over as its values joined by commas, so `?key=a&key=sk_live_…` arrives as
 * `a,sk_live_…`; keys are base62 and never contain a comma.
 */
import { type AuthDeps, authenticateWith, SECRET_IN_QUERY_MESSAGE } from '../../../lambdas/core/auth';
import { generateKey, hashKey } from '../../../lambdas/core/keys/format';

const now = new Date('2026-11-28T12:00:00Z');
const secret = generateKey('secret');
const other = generateKey('secret');
const pk = generateKey('publishable');

function deps() {
  const exposed: string[] = [];
  const known = new Set([hashKey(secret), hashKey(other), hashKey(pk)]);
  const d: AuthDeps = {
    lookup: async (h) =>
      known.has(h)
        ? {
            key_id: 'key_x',
            workspace_id: 'ws_x',
            type: h === hashKey(pk) ? 'publishable' : 'secret',
            allowed_domains: ['example.com'],
            monthly_quota: 100,
          }
        : undefined,
    markExposed: async (h) => {
      exposed.push(h);
    },
  };
  return { d, exposed };
}

test.each([
  ['secret first', `${secret},x`, [secret]],
  ['publishable first', `${pk},${secret}`, [secret]],
  ['two secrets', `${secret},${other}`, [secret, other]],
  ['padded', ` junk , ${secret} `, [secret]],
])(
  '?key= with a repeated parameter (%s) is refused and every real secret in it flagged',
  async (_n, key, leaked) => {
    const { d, exposed } = deps();
    // even beside a valid secret key in the header, the URL carries a secret: refuse and flag it
    const err = await authenticateWith(d, {
      headers: { 'x-api-key': other },
      query: { key },
      route: 'batch',
      now,
    }).catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid_key', message: SECRET_IN_QUERY_MESSAGE });
    expect(exposed.sort()).toEqual(leaked.map(hashKey).sort());
  },
);

test('a lone publishable key in the query is still accepted (control)', async () => {
  const { d, exposed } = deps();
  await expect(
    authenticateWith(d, {
      headers: { origin: 'https://example.com' },
      query: { key: pk },
      route: 'avatar',
      now,
    }),
  ).resolves.toMatchObject({
    type: 'publishable',
  });
  expect(exposed).toEqual([]);
});
