/**
 * POST /mcp over real HTTP through the local stack, spoken to by the MCP SDK's own client on its
 * Streamable HTTP transport: the three tools and their schemas, get_avatar's CDN URL and inline
 * image, get_avatars with a bad item, get_usage, one count per profile, plan_limit as a tool
 * error, the key checks (401/403) and JSON-RPC errors for protocol mistakes.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import sharp from 'sharp';
import { adminPost, useLocalStack } from '../support/local-stack';
import { colourOf, expectPhotoColour, type Provider, startProvider } from '../support/provider';

let provider: Provider;
// started before the stack (hooks run in the order they are registered), which points at it
beforeAll(async () => {
  provider = await startProvider();
}, 30_000);
afterAll(async () => {
  await provider?.close();
});
const stack = useLocalStack('mcp-http', {
  get upstreamUrl() {
    return provider.template;
  },
});

async function workspace(quota: number) {
  const ws = await adminPost(stack, '/v1/admin/workspaces', { name: 'mcp', monthly_quota: quota });
  const key = async (type: string) =>
    (
      await adminPost(stack, `/v1/admin/workspaces/${ws.id}/keys`, {
        type,
        name: type,
        allowed_domains: ['app.example.com'],
      })
    ).key as string;
  return { ws: ws.id as string, sk: await key('secret'), pk: await key('publishable') };
}

const clients: Client[] = [];
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

async function connect(key: string): Promise<Client> {
  const client = new Client({ name: 'avtrz-e2e', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${stack.apiUrl}/mcp`), {
    requestInit: { headers: { 'x-api-key': key } },
  });
  await client.connect(transport);
  clients.push(client);
  return client;
}

async function used(key: string): Promise<number> {
  const res = await fetch(`${stack.apiUrl}/v1/usage`, { headers: { 'x-api-key': key } });
  expect(res.status).toBe(200);
  return (await res.json()).used;
}

let n = 0;
const slug = (prefix = 'mcp') => `${prefix}-${process.pid}${Date.now().toString(36)}${++n}`;
const text = (r: CallToolResult) => (r.content[0] as { text: string }).text;

describe('the MCP server over Streamable HTTP', () => {
  let W: Awaited<ReturnType<typeof workspace>>;
  let client: Client;
  beforeAll(async () => {
    W = await workspace(1000);
    client = await connect(W.sk);
  });

  test('lists the three tools, each read-only with an input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['get_avatar', 'get_avatars', 'get_usage']);
    for (const t of tools) {
      expect({ name: t.name, readOnly: t.annotations?.readOnlyHint }).toEqual({
        name: t.name,
        readOnly: true,
      });
      expect(t.inputSchema.type).toBe('object');
      expect(t.description).toBeTruthy();
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(byName.get_avatar.inputSchema.properties).toMatchObject({
      linkedin_url: { type: 'string' },
      username: { type: 'string' },
      size: { type: 'integer', minimum: 16, maximum: 1024 },
      format: { type: 'string', enum: ['webp', 'png', 'jpeg'] },
    });
    expect(byName.get_avatars.inputSchema.properties).toMatchObject({
      items: { type: 'array', minItems: 1, maxItems: 100 },
    });
    expect(client.getServerVersion()?.name).toBe('avtrz');
  });

  test('get_avatar: a working CDN URL, a photo, and the image itself at 128', async () => {
    const s = slug();
    const before = await used(W.sk);
    const r = (await client.callTool({
      name: 'get_avatar',
      arguments: { linkedin_url: `https://www.linkedin.com/in/${s}/`, size: 100, format: 'png' },
    })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    const out = JSON.parse(text(r));
    expect(out).toMatchObject({ kind: 'photo', size: 128, format: 'png', content_type: 'image/png' });
    expect(new URL(out.url).origin).toBe(new URL(stack.cdnUrl).origin);
    const obj = await fetch(out.url);
    expect(obj.status).toBe(200);
    expect(obj.headers.get('content-type')).toBe('image/png');
    const fromCdn = Buffer.from(await obj.arrayBuffer());
    const image = r.content.find((c) => c.type === 'image') as { data: string; mimeType: string };
    expect(image.mimeType).toBe('image/png');
    const inline = Buffer.from(image.data, 'base64');
    expect(inline.equals(fromCdn)).toBe(true);
    expect((await sharp(inline).metadata()).width).toBe(128);
    await expectPhotoColour(inline, colourOf(s));
    expect(r.structuredContent).toMatchObject({ url: out.url, kind: 'photo', inline_image: true });
    // one profile, one request
    expect(await used(W.sk)).toBe(before + 1);
  });

  test('get_avatar at 512: the URL without the image', async () => {
    const r = (await client.callTool({
      name: 'get_avatar',
      arguments: { linkedin_url: `linkedin.com/in/${slug()}`, size: 512 },
    })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    expect(r.content.map((c) => c.type)).toEqual(['text']);
    const out = JSON.parse(text(r));
    expect(out).toMatchObject({ kind: 'photo', size: 512, format: 'webp' });
    const obj = await fetch(out.url);
    expect(obj.status).toBe(200);
    expect((await sharp(Buffer.from(await obj.arrayBuffer())).metadata()).width).toBe(512);
  });

  test('get_avatar for a profile without a photo: the initials SVG, inline too', async () => {
    const r = (await client.callTool({
      name: 'get_avatar',
      arguments: { linkedin_url: `linkedin.com/in/${slug('nophoto')}`, size: 64 },
    })) as CallToolResult;
    const out = JSON.parse(text(r));
    expect(out).toMatchObject({ kind: 'initials', size: 64, content_type: 'image/svg+xml' });
    expect(out.url).toMatch(/\.svg$/);
    const image = r.content.find((c) => c.type === 'image') as { data: string; mimeType: string };
    expect(image.mimeType).toBe('image/svg+xml');
    expect(Buffer.from(image.data, 'base64').toString('utf8')).toContain('width="64"');
  });

  test('get_avatar with an invalid profile: a tool error naming invalid_request and the param', async () => {
    const before = await used(W.sk);
    const r = (await client.callTool({
      name: 'get_avatar',
      arguments: { linkedin_url: 'https://example.com/alex' },
    })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/^invalid_request: .*\(param: linkedin_url\)$/);
    expect(r.structuredContent).toMatchObject({ error: { code: 'invalid_request', param: 'linkedin_url' } });
    expect(await used(W.sk)).toBe(before);
  });

  test('get_avatar by username: the same avatar as by linkedin_url; both at once is invalid_request', async () => {
    const s = slug();
    const call = (args: Record<string, unknown>) =>
      client.callTool({ name: 'get_avatar', arguments: { size: 48, ...args } }) as Promise<CallToolResult>;
    const byUrl = JSON.parse(text(await call({ linkedin_url: `https://www.linkedin.com/in/${s}/` })));
    const before = await used(W.sk);
    const r = await call({ username: s.toUpperCase() });
    expect(r.isError).toBeFalsy();
    expect(JSON.parse(text(r))).toMatchObject({ url: byUrl.url, kind: 'photo', size: 48 });
    expect(await used(W.sk)).toBe(before + 1);
    const both = await call({ username: s, linkedin_url: `linkedin.com/in/${s}` });
    expect(both.isError).toBe(true);
    expect(text(both)).toMatch(/^invalid_request: .*\(param: username\)$/);
    const neither = await call({});
    expect(text(neither)).toMatch(/^invalid_request: .*\(param: linkedin_url\)$/);
    expect(await used(W.sk)).toBe(before + 1);
  });

  test('arguments outside the schema: the SDK refuses them before anything is counted', async () => {
    const before = await used(W.sk);
    const r = (await client.callTool({
      name: 'get_avatar',
      arguments: { linkedin_url: `linkedin.com/in/${slug()}`, size: 5000 },
    })) as CallToolResult;
    expect(r.isError).toBe(true);
    expect(text(r)).toMatch(/-32602.*Input validation error/);
    expect(await used(W.sk)).toBe(before);
  });

  test('get_avatars: URLs in input order, a bad item has its own error, each profile counted once', async () => {
    const [a, b] = [slug(), slug()];
    const before = await used(W.sk);
    const r = (await client.callTool({
      name: 'get_avatars',
      arguments: {
        items: [
          { linkedin_url: `linkedin.com/in/${a}`, size: 64 },
          { linkedin_url: 'not a profile' },
          { username: b },
        ],
      },
    })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    const { results } = JSON.parse(text(r));
    expect(results).toHaveLength(3);
    expect(results[0]).toMatchObject({ linkedin_url: `linkedin.com/in/${a}`, status: 'ok' });
    expect(results[1]).toMatchObject({
      linkedin_url: 'not a profile',
      status: 'error',
      error: { code: 'invalid_request', param: 'linkedin_url' },
    });
    expect(results[2]).toMatchObject({ username: b, status: 'ok' });
    const obj = await fetch(results[0].url);
    expect(obj.status).toBe(200);
    await expectPhotoColour(Buffer.from(await obj.arrayBuffer()), colourOf(a));
    // two valid profiles: two requests; the invalid one is not counted
    expect(await used(W.sk)).toBe(before + 2);
  });

  test('get_usage: this month, the quota, per key; not counted itself', async () => {
    const before = await used(W.sk);
    const r = (await client.callTool({ name: 'get_usage', arguments: {} })) as CallToolResult;
    expect(r.isError).toBeFalsy();
    const usage = JSON.parse(text(r));
    expect(usage).toMatchObject({
      workspace_id: W.ws,
      month: new Date().toISOString().slice(0, 7),
      monthly_quota: 1000,
      used: before,
      remaining: 1000 - before,
      resets_at: expect.stringMatching(/-01T00:00:00\.000Z$/),
    });
    expect(usage.keys.map((k: { type: string }) => k.type).sort()).toEqual(['publishable', 'secret']);
    expect(usage.keys[0].hourly).toBeUndefined();
    expect(await used(W.sk)).toBe(before);
  });

  test('listing tools and initializing count nothing', async () => {
    const before = await used(W.sk);
    const c = await connect(W.sk);
    await c.listTools();
    expect(await used(W.sk)).toBe(before);
  });
});

describe('quota and keys', () => {
  test('over quota: a tool error naming plan_limit; a profile already looked up still answers', async () => {
    const W = await workspace(2);
    const client = await connect(W.sk);
    const call = (s: string) =>
      client.callTool({
        name: 'get_avatar',
        arguments: { linkedin_url: `linkedin.com/in/${s}` },
      }) as Promise<CallToolResult>;
    const [a, b, c] = [slug(), slug(), slug()];
    expect((await call(a)).isError).toBeFalsy();
    expect((await call(b)).isError).toBeFalsy();
    const over = await call(c);
    expect(over.isError).toBe(true);
    expect(text(over)).toMatch(/^plan_limit: /);
    expect(over.structuredContent).toMatchObject({ error: { code: 'plan_limit', type: 'billing' } });
    // a cached redirect keeps serving (spec section 4)
    expect((await call(a)).isError).toBeFalsy();
    // get_avatars: the new profile fails alone with plan_limit
    const batch = (await client.callTool({
      name: 'get_avatars',
      arguments: {
        items: [{ linkedin_url: `linkedin.com/in/${b}` }, { linkedin_url: `linkedin.com/in/${c}` }],
      },
    })) as CallToolResult;
    const { results } = JSON.parse(text(batch));
    expect(
      results.map((x: { status: string; error?: { code: string } }) => x.error?.code ?? x.status),
    ).toEqual(['ok', 'plan_limit']);
  });

  test('a publishable key is refused with 403 forbidden, no key with 401 missing_key', async () => {
    const W = await workspace(10);
    const init = (headers: Record<string, string>) =>
      fetch(`${stack.apiUrl}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'x', version: '1' },
          },
        }),
      });
    const pk = await init({ 'x-api-key': W.pk });
    expect(pk.status).toBe(403);
    expect((await pk.json()).error.code).toBe('forbidden');
    const none = await init({});
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('missing_key');
    // the SDK client sees the refusal, with the code in its message
    await expect(connect(W.pk)).rejects.toMatchObject({
      code: 403,
      message: expect.stringContaining('forbidden'),
    });
    await expect(connect('')).rejects.toMatchObject({
      code: 401,
      message: expect.stringContaining('missing_key'),
    });
    // a secret key in the query is refused like on every route
    const inQuery = await fetch(`${stack.apiUrl}/mcp?key=${W.sk}`, {
      method: 'POST',
      headers: { 'x-api-key': W.sk },
    });
    expect(inQuery.status).toBe(401);
    expect((await inQuery.json()).error.code).toBe('invalid_key');
  });

  test('GET and DELETE /mcp answer 405 (stateless: no stream, no session)', async () => {
    const W = await workspace(10);
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${stack.apiUrl}/mcp`, {
        method,
        headers: { 'x-api-key': W.sk, accept: 'text/event-stream' },
      });
      expect({ method, status: res.status, allow: res.headers.get('allow') }).toEqual({
        method,
        status: 405,
        allow: 'POST',
      });
    }
  });

  test('protocol mistakes are JSON-RPC errors', async () => {
    const W = await workspace(10);
    const post = (body: string) =>
      fetch(`${stack.apiUrl}/mcp`, {
        method: 'POST',
        headers: {
          'x-api-key': W.sk,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body,
      });
    const notJson = await post('{"jsonrpc": "2.0", ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 }, id: null });
    const notRpc = await post(JSON.stringify({ hello: 'world' }));
    expect(notRpc.status).toBe(400);
    expect((await notRpc.json()).error.code).toBe(-32700);
    const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'avatars/steal' }));
    expect(unknown.status).toBe(200);
    expect(await unknown.json()).toMatchObject({ jsonrpc: '2.0', id: 7, error: { code: -32601 } });
    // an unknown tool is the SDK's tool error (not a JSON-RPC error) naming it
    const noTool = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 8, method: 'tools/call', params: { name: 'delete_everything' } }),
    );
    const answer = await noTool.json();
    expect(answer).toMatchObject({ id: 8, result: { isError: true } });
    expect(answer.result.content[0].text).toMatch(/delete_everything not found/);
  });
});
