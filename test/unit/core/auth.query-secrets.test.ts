/**
 * Spec section 1: a secret key anywhere in the query string is refused (401 invalid_key, the
 * header-only message) and, when it is a real key, flagged — whatever the parameter's name,
 * repeated or not, even next to a valid key in the header. API Gateway (and the local gateway,
 * lib/local/apigw-event.ts collectQuery) hands a repeated query parameter over as its values
 * joined by commas, so `?key=a&key=sk_live_…` arrives as `a,sk_live_…`; keys are base62 and never
 * contain a comma.
 */
import { type AuthDeps, authenticateWith, SECRET_IN_QUERY_MESSAGE } from '../../../lambdas/core/auth';
import { generateKey, hashKey } from '../../../lambdas/core/keys/format';

const now = new Date('2026-11-28T12:00:00Z');
const secret = generateKey('secret');
const header = generateKey('secret');
const pk = generateKey('publishable');

function deps() {
  const exposed: string[] = [];
  const known = new Set([hashKey(secret), hashKey(header), hashKey(pk)]);
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

async function attempt(query: Record<string, string>, headers: Record<string, string> = {}) {
  const { d, exposed } = deps();
  const err = await authenticateWith(d, { headers, query, route: 'batch', now }).catch((e) => e);
  return { err, exposed };
}

test.each([
  ['api_key', { api_key: secret }],
  ['x-api-key', { 'x-api-key': secret }],
  ['apikey', { apikey: secret }],
  ['token', { token: secret }],
  ['a repeated parameter', { token: `abc,${secret}` }],
  ['inside another value', { linkedin_url: `https://linkedin.com/in/a?k=${secret}` }],
  ['the parameter name', { [secret]: '' }],
  ['a name with a value', { [secret]: '1' }],
])(
  'a real secret key in the query (%s) is refused and flagged, even beside a valid header key',
  async (_n, query) => {
    const { err, exposed } = await attempt(query, { 'x-api-key': header });
    expect(err).toMatchObject({ code: 'invalid_key', message: SECRET_IN_QUERY_MESSAGE });
    expect(exposed).toEqual([hashKey(secret)]);
  },
);

test('without any header key the answer is still invalid_key (not missing_key), and flagged', async () => {
  const { err, exposed } = await attempt({ api_key: secret });
  expect(err).toMatchObject({ code: 'invalid_key', message: SECRET_IN_QUERY_MESSAGE });
  expect(exposed).toEqual([hashKey(secret)]);
});

test('a secret-key-shaped value that is not a real key is refused, and nothing is flagged', async () => {
  const { err, exposed } = await attempt({ api_key: 'sk_live_notarealkey' }, { 'x-api-key': header });
  expect(err).toMatchObject({ code: 'invalid_key', message: SECRET_IN_QUERY_MESSAGE });
  expect(exposed).toEqual([]);
});

test('a real key followed by more characters is still the real key leaked', async () => {
  const { err, exposed } = await attempt({ q: `${secret}zz` });
  expect(err).toMatchObject({ code: 'invalid_key', message: SECRET_IN_QUERY_MESSAGE });
  expect(exposed).toEqual([hashKey(secret)]);
});

test('ordinary parameters and a publishable key in ?key= are not mistaken for a secret (control)', async () => {
  const { d, exposed } = deps();
  await expect(
    authenticateWith(d, {
      headers: { origin: 'https://example.com' },
      query: { key: pk, linkedin_url: 'linkedin.com/in/desk_live_show', size: '128' },
      route: 'avatar',
      now,
    }),
  ).resolves.toMatchObject({ type: 'publishable' });
  expect(exposed).toEqual([]);
});

test.each([
  ['secret first', `${secret},x`, [secret]],
  ['publishable first', `${pk},${secret}`, [secret]],
  ['two secrets', `${secret},${header}`, [secret, header]],
  ['padded', ` junk , ${secret} `, [secret]],
])(
  '?key= with a repeated parameter (%s) is refused and every real secret in it flagged',
  async (_n, key, leaked) => {
    const { d, exposed } = deps();
    // even beside a valid secret key in the header, the URL carries a secret: refuse and flag it
    const err = await authenticateWith(d, {
      headers: { 'x-api-key': header },
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
