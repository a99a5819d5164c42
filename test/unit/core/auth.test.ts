/**
 * core/auth.ts decisions with an in-memory lookup (the store-backed path, with the key cache, is
 * covered by test/integration/avatar.cache.test.ts and avatar.errors.test.ts against DynamoDB Local).
 */
import { type AuthDeps, authenticateWith, type KeyPrincipal } from '../../../lambdas/core/auth';
import { generateKey, hashKey } from '../../../lambdas/core/keys/format';

const now = new Date('2026-11-28T12:00:00Z');

function setup(records: Array<[string, Partial<KeyPrincipal>]>) {
  const map = new Map<string, KeyPrincipal>();
  for (const [key, p] of records) {
    map.set(hashKey(key), {
      key_id: 'key_x',
      workspace_id: 'ws_x',
      type: key.startsWith('pk_') ? 'publishable' : 'secret',
      allowed_domains: ['example.com'],
      monthly_quota: 100,
      ...p,
    });
  }
  const calls = { lookup: 0, exposed: [] as string[] };
  const deps: AuthDeps = {
    lookup: async (h) => {
      calls.lookup++;
      return map.get(h);
    },
    markExposed: async (h) => {
      calls.exposed.push(h);
    },
  };
  return { deps, calls };
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code: string }).code;
  }
}

const pk = generateKey('publishable');
const sk = generateKey('secret');
const origin = { origin: 'https://example.com' };

describe('authenticateWith', () => {
  it('accepts a publishable key from ?key= and x-api-key', async () => {
    const { deps } = setup([[pk, {}]]);
    const a = await authenticateWith(deps, { headers: origin, query: { key: pk }, route: 'avatar', now });
    expect(a).toEqual({ keyId: 'key_x', workspaceId: 'ws_x', type: 'publishable', monthlyQuota: 100 });
    const b = await authenticateWith(deps, {
      headers: { ...origin, 'x-api-key': pk },
      query: {},
      route: 'avatar',
      now,
    });
    expect(b.type).toBe('publishable');
  });

  it('bad shape or checksum is invalid_key without any lookup', async () => {
    const { deps, calls } = setup([]);
    // a changed last character breaks the checksum (never "changed" to the character it already is)
    const typo = `${pk.slice(0, -1)}${pk.endsWith('x') ? 'y' : 'x'}`;
    for (const k of ['pk_live_7f3e21bc94aa', typo, 'garbage', `${pk} `.repeat(3)]) {
      expect(
        await code(authenticateWith(deps, { headers: { 'x-api-key': k }, query: {}, route: 'avatar', now })),
      ).toBe('invalid_key');
    }
    expect(calls.lookup).toBe(0);
  });

  it('missing_key, and the Bearer hint', async () => {
    const { deps } = setup([]);
    expect(await code(authenticateWith(deps, { headers: {}, query: {}, route: 'avatar', now }))).toBe(
      'missing_key',
    );
    try {
      await authenticateWith(deps, {
        headers: { authorization: `Bearer ${sk}` },
        query: {},
        route: 'batch',
        now,
      });
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toMatchObject({ code: 'missing_key', status: 401 });
      expect((e as Error).message).toContain('x-api-key');
      expect((e as Error).message).toContain('Bearer');
    }
  });

  it('secret key in the query: invalid_key, flagged only when it has a valid shape', async () => {
    const { deps, calls } = setup([[sk, {}]]);
    try {
      await authenticateWith(deps, { headers: {}, query: { key: sk }, route: 'avatar', now });
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toMatchObject({ code: 'invalid_key' });
      expect((e as Error).message).toContain('x-api-key header only');
    }
    expect(calls.exposed).toEqual([hashKey(sk)]);
    expect(
      await code(
        authenticateWith(deps, { headers: {}, query: { key: 'sk_live_short' }, route: 'avatar', now }),
      ),
    ).toBe('invalid_key');
    expect(calls.exposed).toHaveLength(1);
  });

  it('revoked, expired (expires_at <= now) and type-mismatched records are invalid_key', async () => {
    const pk2 = generateKey('publishable');
    const pk3 = generateKey('publishable');
    const pk4 = generateKey('publishable');
    const { deps } = setup([
      [pk, { revoked_at: '2026-01-01T00:00:00Z' }],
      [pk2, { expires_at: now.toISOString() }],
      [pk3, { expires_at: '2026-11-28T12:00:01Z' }],
      [pk4, { type: 'secret' }],
    ]);
    const run = (k: string) =>
      authenticateWith(deps, { headers: origin, query: { key: k }, route: 'avatar', now });
    expect(await code(run(pk))).toBe('invalid_key');
    expect(await code(run(pk2))).toBe('invalid_key');
    expect(await code(run(pk3))).toBeUndefined();
    expect(await code(run(pk4))).toBe('invalid_key');
    expect(await code(run(generateKey('publishable')))).toBe('invalid_key');
  });

  it('publishable keys are forbidden off the avatar route; secret keys are not', async () => {
    const { deps } = setup([
      [pk, {}],
      [sk, {}],
    ]);
    for (const route of ['batch', 'usage'] as const) {
      expect(
        await code(
          authenticateWith(deps, { headers: { ...origin, 'x-api-key': pk }, query: {}, route, now }),
        ),
      ).toBe('forbidden');
      expect(
        await code(authenticateWith(deps, { headers: { 'x-api-key': sk }, query: {}, route, now })),
      ).toBeUndefined();
    }
  });

  it('domain allow-list per key type', async () => {
    const { deps } = setup([
      [pk, {}],
      [sk, {}],
    ]);
    const run = (k: string, headers: Record<string, string>) =>
      authenticateWith(deps, { headers: { ...headers, 'x-api-key': k }, query: {}, route: 'avatar', now });
    expect(await code(run(pk, {}))).toBe('domain_blocked');
    expect(await code(run(pk, { referer: 'https://example.com/' }))).toBeUndefined();
    expect(await code(run(pk, { origin: 'https://evil.test' }))).toBe('domain_blocked');
    expect(await code(run(sk, {}))).toBeUndefined();
    expect(await code(run(sk, { origin: 'https://evil.test' }))).toBe('domain_blocked');
  });
});
