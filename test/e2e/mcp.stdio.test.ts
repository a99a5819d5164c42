/**
 * `npx avtrz mcp`: the stdio bridge, spawned by the MCP SDK's own StdioClientTransport as a
 * stdio-only client would (node bin/avtrz.js mcp --endpoint …), forwarding to POST /mcp of the
 * local stack. stdout carries the protocol only; refusals reach the client as JSON-RPC errors and
 * the user on stderr.
 */
import net, { type AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CLI_BIN, runCli } from '../support/cli-runner';
import { adminPost, useLocalStack } from '../support/local-stack';

const stack = useLocalStack('mcp-stdio');

/** A loopback port nothing listens on (taken from the OS, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function keys() {
  const ws = await adminPost(stack, '/v1/admin/workspaces', { name: 'stdio', monthly_quota: 100 });
  const key = async (type: string) =>
    (
      await adminPost(stack, `/v1/admin/workspaces/${ws.id}/keys`, {
        type,
        name: type,
        allowed_domains: ['a.test'],
      })
    ).key as string;
  return { sk: await key('secret'), pk: await key('publishable') };
}

/** The bridge as a stdio-only MCP client starts it: a command, args and an environment. */
function spawnBridge(secretKey: string, endpoint: string) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI_BIN, 'mcp', '--endpoint', endpoint],
    env: { PATH: process.env.PATH ?? '', AVTRZ_SECRET_KEY: secretKey },
    stderr: 'pipe',
  });
  let err = '';
  transport.stderr?.on('data', (d) => {
    err += d;
  });
  return { transport, client: new Client({ name: 'stdio-e2e', version: '1.0.0' }), stderr: () => err };
}

describe('avtrz mcp (stdio bridge)', () => {
  let K: Awaited<ReturnType<typeof keys>>;
  beforeAll(async () => {
    K = await keys();
  });

  test('lists the tools and gets an avatar through the bridge', async () => {
    const { transport, client, stderr } = spawnBridge(K.sk, stack.apiUrl);
    try {
      await client.connect(transport);
      expect(client.getServerVersion()?.name).toBe('avtrz');
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(['get_avatar', 'get_avatars', 'get_usage']);
      expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);

      const r = (await client.callTool({
        name: 'get_avatar',
        arguments: { linkedin_url: 'linkedin.com/in/stdio-person', size: 128 },
      })) as CallToolResult;
      expect(r.isError).toBeFalsy();
      const out = JSON.parse((r.content[0] as { text: string }).text);
      expect(out).toMatchObject({ size: 128, kind: 'initials' });
      const obj = await fetch(out.url);
      expect(obj.status).toBe(200);
      expect(obj.headers.get('content-type')).toMatch(/^image\//);
      const image = r.content.find((c) => c.type === 'image') as { data: string; mimeType: string };
      expect(Buffer.from(image.data, 'base64').equals(Buffer.from(await obj.arrayBuffer()))).toBe(true);
      // the call was counted, once
      const usage = (await client.callTool({ name: 'get_usage', arguments: {} })) as CallToolResult;
      expect(JSON.parse((usage.content[0] as { text: string }).text)).toMatchObject({ used: 1 });
    } finally {
      await client.close();
    }
    expect(stderr()).toBe('');
  });

  test('a key the API refuses: the client gets a JSON-RPC error naming the code, the user a line on stderr', async () => {
    const { transport, client, stderr } = spawnBridge(`${K.sk.slice(0, -1)}x`, stack.apiUrl);
    try {
      await expect(client.connect(transport)).rejects.toThrow(/401 invalid_key/);
    } finally {
      await client.close();
    }
    expect(stderr()).toMatch(/^avtrz mcp: .*answered 401 invalid_key/m);
  });
});

describe('avtrz mcp: the command line', () => {
  test('a publishable key in AVTRZ_SECRET_KEY is refused before anything is sent; stdout stays empty', async () => {
    const r = await runCli(['mcp', '--endpoint', 'http://127.0.0.1:1'], {
      PATH: process.env.PATH,
      AVTRZ_SECRET_KEY: 'pk_live_abc',
    });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/publishable key.*secret key/);
  });

  test('no key: exit 2 saying to set AVTRZ_SECRET_KEY', async () => {
    const r = await runCli(['mcp'], { PATH: process.env.PATH });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/AVTRZ_SECRET_KEY/);
  });

  test('the stack not running: the client is answered, the user told what to check', async () => {
    const { transport, client, stderr } = spawnBridge(
      'sk_live_whatever',
      `http://127.0.0.1:${await freePort()}`,
    );
    try {
      await expect(client.connect(transport)).rejects.toThrow(/cannot reach/);
    } finally {
      await client.close();
    }
    expect(stderr()).toMatch(/npm run dev/);
  });
});
