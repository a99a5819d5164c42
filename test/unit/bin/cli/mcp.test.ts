/** The stdio bridge's pure parts (bin/cli/mcp.ts): where it sends, and what it says when that fails. */
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { explain, mcpUrl, runMcpBridge } from '../../../../bin/cli/mcp';

describe('mcpUrl', () => {
  it.each([
    ['http://127.0.0.1:3000', 'http://127.0.0.1:3000/mcp'],
    ['http://127.0.0.1:3000/', 'http://127.0.0.1:3000/mcp'],
    ['https://api.example.com/mcp', 'https://api.example.com/mcp'],
    ['https://api.example.com/prefix/', 'https://api.example.com/prefix/mcp'],
  ])('%s → %s', (endpoint, url) => {
    expect(mcpUrl(endpoint).href).toBe(url);
  });

  it.each(['127.0.0.1:3000', 'ftp://x', 'not a url'])('refuses %s', (endpoint) => {
    expect(() => mcpUrl(endpoint)).toThrow(/--endpoint/);
  });
});

describe('explain', () => {
  const url = new URL('http://127.0.0.1:3000/mcp');

  it("names the API's status and catalogue code", () => {
    const body = JSON.stringify({ error: { code: 'forbidden', message: 'Use a secret key.' } });
    const e = new StreamableHTTPError(403, `Error POSTing to endpoint: ${body}`);
    expect(explain(e, url)).toBe('http://127.0.0.1:3000/mcp answered 403 forbidden: Use a secret key.');
  });

  it('says what to check when nothing listens', () => {
    const e = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect(explain(e, url)).toMatch(/cannot reach http:\/\/127\.0\.0\.1:3000 .*npm run dev.*--endpoint/);
  });
});

describe('the command line', () => {
  async function bridge(argv: string[], env: NodeJS.ProcessEnv) {
    let err = '';
    const code = await runMcpBridge(argv, {
      env,
      err: (s) => {
        err += s;
      },
    });
    return { code, err };
  }

  it('--help goes to stderr (stdout is the protocol), exit 0', async () => {
    expect(await bridge(['--help'], {})).toMatchObject({
      code: 0,
      err: expect.stringMatching(/AVTRZ_SECRET_KEY/),
    });
  });

  it.each([
    [[], {}, /set AVTRZ_SECRET_KEY/],
    [[], { AVTRZ_SECRET_KEY: 'pk_live_x' }, /publishable key/],
    [['--port', '1'], { AVTRZ_SECRET_KEY: 'sk_live_x' }, /--port/],
    [['extra'], { AVTRZ_SECRET_KEY: 'sk_live_x' }, /unexpected argument "extra"/],
  ])('exits 2 on %j %j', async (argv, env, message) => {
    const r = await bridge(argv, env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });
});
