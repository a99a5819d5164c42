/**
 * GET /v1/avatar over real HTTP through the local stack (startLocalStack: the gateway loads
 * lambdas/avatar/handler.ts through the route table; CDN stand-in; its own DynamoDB Local +
 * s3rver). Workspaces and keys are made through the admin API, as an operator would.
 */
import { adminHeaders, adminPost, useLocalStack } from '../support/local-stack';

const stack = useLocalStack('avatar');

async function workspace(quota: number) {
  const ws = await adminPost(stack, '/v1/admin/workspaces', { name: 'e2e', monthly_quota: quota });
  const key = (type: string) =>
    adminPost(stack, `/v1/admin/workspaces/${ws.id}/keys`, {
      type,
      name: type,
      allowed_domains: ['app.example.com', 'localhost:5173'],
    });
  const [pk, sk] = [await key('publishable'), await key('secret')];
  return { ws: ws.id as string, pk: pk.key as string, sk: sk.key as string, skId: sk.id as string };
}

function avatarUrl(q: Record<string, string>): string {
  return `${stack.apiUrl}/v1/avatar?${new URLSearchParams(q)}`;
}

let n = 0;
const slug = () => `e2e-person-${process.pid}${Date.now().toString(36)}${++n}`;
const JSON_ACCEPT = { accept: 'application/json' };
const IMG = { 'sec-fetch-dest': 'image', accept: 'image/avif,image/webp,*/*' };

describe('avatar over HTTP', () => {
  let W: Awaited<ReturnType<typeof workspace>>;
  beforeAll(async () => {
    W = await workspace(1000);
  });

  test('<img>-style load: 302 to the CDN stand-in, which serves the immutable initials SVG', async () => {
    const res = await fetch(
      avatarUrl({ key: W.pk, linkedin_url: `https://www.linkedin.com/in/${slug()}/`, size: '100' }),
      {
        redirect: 'manual',
        headers: { ...IMG, referer: 'http://localhost:5173/' },
      },
    );
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('x-quota-limit')).toBe('1000');
    expect(res.headers.get('x-quota-reset')).toMatch(/-01T00:00:00\.000Z$/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const loc = res.headers.get('location') as string;
    expect(new URL(loc).origin).toBe(new URL(stack.cdnUrl).origin);
    const obj = await fetch(loc);
    expect(obj.status).toBe(200);
    expect(obj.headers.get('content-type')).toMatch(/^image\//);
    expect(obj.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test('secret key from a server: 302 with private cache', async () => {
    const res = await fetch(avatarUrl({ linkedin_url: `linkedin.com/in/${slug()}` }), {
      redirect: 'manual',
      headers: { 'x-api-key': W.sk },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('private, max-age=3600');
  });

  test('username instead of linkedin_url: the same redirect; both or neither → 400 naming the parameter', async () => {
    const s = slug();
    const byName = await fetch(avatarUrl({ username: s }), {
      redirect: 'manual',
      headers: { 'x-api-key': W.sk },
    });
    expect(byName.status).toBe(302);
    const byUrl = await fetch(avatarUrl({ linkedin_url: `linkedin.com/in/${s}` }), {
      redirect: 'manual',
      headers: { 'x-api-key': W.sk },
    });
    expect(byName.headers.get('location')).toBe(byUrl.headers.get('location'));
    for (const [q, param] of [
      [{ username: s, linkedin_url: `linkedin.com/in/${s}` }, 'username'],
      [{}, 'linkedin_url'],
    ] as const) {
      const res = await fetch(avatarUrl(q), { headers: { 'x-api-key': W.sk, ...JSON_ACCEPT } });
      expect(res.status).toBe(400);
      expect((await res.json()).error).toMatchObject({ code: 'invalid_request', param });
    }
    const batch = await fetch(`${stack.apiUrl}/v1/avatars/batch`, {
      method: 'POST',
      headers: { 'x-api-key': W.sk, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ username: s }] }),
    });
    expect(batch.status).toBe(200);
    expect((await batch.json()).results).toEqual([
      { username: s, status: 'ok', url: byName.headers.get('location') },
    ]);
  });

  test.each([
    ['missing_key', 401, () => ({ linkedin_url: 'linkedin.com/in/dana-scully' }), {}],
    [
      'invalid_key',
      401,
      () => ({ key: 'pk_live_7f3e21bc94aa', linkedin_url: 'linkedin.com/in/dana-scully' }),
      {},
    ],
    [
      'domain_blocked',
      403,
      () => ({ key: W.pk, linkedin_url: 'linkedin.com/in/dana-scully' }),
      { origin: 'https://evil.test' },
    ],
    [
      'invalid_request',
      400,
      () => ({ key: W.pk, linkedin_url: 'linkedin.com/in/dana-scully', size: '4' }),
      { origin: 'https://app.example.com' },
    ],
    [
      'not_found',
      404,
      () => ({
        key: W.pk,
        linkedin_url: `linkedin.com/in/dana-scully-${process.pid}${Date.now()}${++n}`,
        fallback: '404',
      }),
      { origin: 'https://app.example.com' },
    ],
  ] as const)('%s: JSON for API clients, SVG for image loads', async (code, status, q, h) => {
    const j = await fetch(avatarUrl(q()), { redirect: 'manual', headers: { ...h, ...JSON_ACCEPT } });
    expect(j.status).toBe(status);
    const body = await j.json();
    expect(body.error.code).toBe(code);
    expect(body.error.request_id).toBe(j.headers.get('x-request-id'));

    const i = await fetch(avatarUrl(q()), { redirect: 'manual', headers: { ...h, ...IMG } });
    expect(i.status).toBe(status);
    expect(i.headers.get('content-type')).toBe('image/svg+xml');
    expect(i.headers.get('x-avtrz-error')).toBe(code);
    expect(i.headers.get('cache-control')).toBe('no-store');
    expect(i.headers.get('x-content-type-options')).toBe('nosniff');
    expect(i.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const svg = await i.text();
    expect(svg).toContain('>DS</text>');
    expect(svg).not.toContain('dana');

    const d = await fetch(avatarUrl({ ...q(), debug: '1' }), {
      redirect: 'manual',
      headers: { ...h, ...IMG },
    });
    expect((await d.json()).error.code).toBe(code);
  });

  test('Bearer-only: 401 missing_key pointing at x-api-key', async () => {
    const res = await fetch(avatarUrl({ linkedin_url: 'linkedin.com/in/x' }), {
      headers: { authorization: `Bearer ${W.sk}`, ...JSON_ACCEPT },
    });
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error.code).toBe('missing_key');
    expect(body.error.message).toContain('x-api-key');
  });

  test('secret key in the query: 401 invalid_key, and the key list shows exposed_at', async () => {
    const res = await fetch(avatarUrl({ key: W.sk, linkedin_url: 'linkedin.com/in/x' }), {
      headers: JSON_ACCEPT,
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toContain('x-api-key header only');
    const list = await (
      await fetch(`${stack.apiUrl}/v1/admin/workspaces/${W.ws}/keys`, { headers: adminHeaders(stack) })
    ).json();
    const k = list.keys.find((x: { id: string }) => x.id === W.skId);
    expect(typeof k.exposed_at).toBe('string');
  });
});

describe('quota over HTTP', () => {
  test('Q=20, 100 concurrent new lookups: exactly 20 redirects and 80 plan_limit; a looked-up profile still redirects', async () => {
    const w = await workspace(20);
    const slugs = Array.from({ length: 100 }, slug);
    const results = await Promise.all(
      slugs.map(async (s) => {
        const r = await fetch(avatarUrl({ linkedin_url: `linkedin.com/in/${s}` }), {
          redirect: 'manual',
          headers: { 'x-api-key': w.sk, ...JSON_ACCEPT },
        });
        return { status: r.status, code: r.status === 403 ? (await r.json()).error.code : undefined };
      }),
    );
    expect(results.filter((r) => r.status === 302)).toHaveLength(20);
    expect(results.filter((r) => r.status === 403 && r.code === 'plan_limit')).toHaveLength(80);

    const usage = await (
      await fetch(`${stack.apiUrl}/v1/admin/workspaces/${w.ws}/usage`, { headers: adminHeaders(stack) })
    ).json();
    expect(usage.used).toBe(20);

    const i = results.findIndex((r) => r.status === 302);
    const again = await fetch(avatarUrl({ linkedin_url: `linkedin.com/in/${slugs[i]}` }), {
      redirect: 'manual',
      headers: { 'x-api-key': w.sk },
    });
    expect(again.status).toBe(302);
    expect(again.headers.get('x-quota-remaining')).toBe('0');
  });
});
