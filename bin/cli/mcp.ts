/**
 * `npx avtrz mcp [--endpoint URL]`: a stdio MCP server for clients that only start local ones,
 * bridged to the API's POST /mcp. Each JSON-RPC message read from stdin (the SDK's
 * StdioServerTransport) is sent on as it is through the SDK's StreamableHTTPClientTransport with
 * the secret key from $AVTRZ_SECRET_KEY in x-api-key; what comes back is written to stdout. The
 * tools, their schemas and all counting are the server's: the bridge adds nothing.
 *
 * stdout is the protocol: everything else goes to stderr. A request the API refuses (a wrong
 * key, the stack not running) is answered on stdout as a JSON-RPC error for that request id, so
 * the client is never left waiting, and explained once on stderr.
 */
import { parseArgs } from 'node:util';
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import {
  isInitializeRequest,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  type JSONRPCMessage,
} from '@modelcontextprotocol/sdk/types.js';

export const MCP_HELP = `Usage: avtrz mcp [--endpoint URL]

A stdio MCP server for clients that only start local servers (command + args), forwarding
every message to the API's POST /mcp. The secret key is read from $AVTRZ_SECRET_KEY and sent in
the x-api-key header; nothing but the protocol is written to stdout.

  --endpoint URL   API base URL (default $AVTRZ_ENDPOINT, else http://127.0.0.1:3000)
  --help           this help
`;

const DEFAULT_ENDPOINT = 'http://127.0.0.1:3000';
/** How long the bridge waits, once stdin has closed, for answers still on their way. */
const DRAIN_MS = 10_000;
/** JSON-RPC "server error" range: the API did not answer the request. */
const BRIDGE_ERROR = -32000;

export interface BridgeIo {
  env: NodeJS.ProcessEnv;
  err: (s: string) => void;
  stdin?: NodeJS.ReadableStream;
  stdout?: NodeJS.WritableStream;
}

class BridgeUsage extends Error {}

/** The MCP URL of an API base URL (`…/mcp` as given is kept). */
export function mcpUrl(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new BridgeUsage(`--endpoint must be a URL such as ${DEFAULT_ENDPOINT} (got "${endpoint}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new BridgeUsage(`--endpoint must be an http(s) URL (got "${endpoint}")`);
  }
  if (!url.pathname.replace(/\/+$/, '').endsWith('/mcp')) {
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/mcp`;
  }
  return url;
}

function secretKey(env: NodeJS.ProcessEnv): string {
  const key = (env.AVTRZ_SECRET_KEY ?? '').trim();
  if (!key) throw new BridgeUsage('set AVTRZ_SECRET_KEY to a secret key (sk_live_…)');
  if (key.startsWith('pk_')) {
    throw new BridgeUsage(
      'AVTRZ_SECRET_KEY holds a publishable key: the MCP server takes a secret key (sk_live_…)',
    );
  }
  return key;
}

/** What to tell the user (stderr) and the client (the JSON-RPC error) when a send failed. */
export function explain(e: unknown, url: URL): string {
  if (e instanceof StreamableHTTPError) {
    const body = e.message.replace(/^Streamable HTTP error: (Error POSTing to endpoint: )?/, '');
    let code = '';
    try {
      const parsed = JSON.parse(body);
      code = parsed?.error?.code && typeof parsed.error.code === 'string' ? parsed.error.code : '';
      const message = parsed?.error?.message ?? body;
      return `${url.href} answered ${e.code ?? ''}${code ? ` ${code}` : ''}: ${message}`;
    } catch {
      return `${url.href} answered ${e.code ?? ''}: ${body}`;
    }
  }
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED' || cause?.code === 'ENOTFOUND' || cause?.code === 'EAI_AGAIN') {
    return `cannot reach ${url.origin} (${cause.code}): is \`npm run dev\` running, or is --endpoint right?`;
  }
  const detail = cause?.message ? ` (${cause.message})` : '';
  return `${url.href}: ${(e as Error)?.message ?? String(e)}${detail}`;
}

/** Run the bridge until stdin closes; 0 then, 2 for a wrong command line or environment. */
export async function runMcpBridge(argv: string[], io: BridgeIo): Promise<number> {
  let url: URL;
  let key: string;
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { endpoint: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      io.err(MCP_HELP);
      return 0;
    }
    if (positionals.length) throw new BridgeUsage(`unexpected argument "${positionals[0]}"`);
    url = mcpUrl(values.endpoint || io.env.AVTRZ_ENDPOINT || DEFAULT_ENDPOINT);
    key = secretKey(io.env);
  } catch (e) {
    io.err(`avtrz mcp: ${(e as Error).message}\nRun "avtrz mcp --help" for usage.\n`);
    return 2;
  }

  const upstream = new StreamableHTTPClientTransport(url, { requestInit: { headers: { 'x-api-key': key } } });
  const local = new StdioServerTransport(
    (io.stdin ?? process.stdin) as typeof process.stdin,
    (io.stdout ?? process.stdout) as typeof process.stdout,
  );
  const initializeIds = new Set<string | number>();
  let lastProblem = '';
  const report = (problem: string) => {
    // once per distinct problem: a client retrying does not flood stderr
    if (problem !== lastProblem) io.err(`avtrz mcp: ${problem}\n`);
    lastProblem = problem;
  };

  upstream.onmessage = (m: JSONRPCMessage) => {
    // later requests carry the negotiated version (mcp-protocol-version), as the SDK's Client does
    if (isJSONRPCResultResponse(m) && initializeIds.delete(m.id)) {
      const v = (m.result as { protocolVersion?: unknown }).protocolVersion;
      if (typeof v === 'string') upstream.setProtocolVersion(v);
    }
    void local.send(m);
  };
  upstream.onerror = (e) => report(explain(e, url));
  local.onerror = (e) => report(`stdin: ${e.message}`);

  const inFlight = new Set<Promise<void>>();
  local.onmessage = (m: JSONRPCMessage) => {
    if (isJSONRPCRequest(m) && isInitializeRequest(m)) initializeIds.add(m.id);
    const sent = upstream.send(m).then(
      () => {
        lastProblem = '';
      },
      async (e) => {
        const problem = explain(e, url);
        report(problem);
        if (isJSONRPCRequest(m)) {
          await local.send({
            jsonrpc: '2.0',
            id: m.id,
            error: { code: BRIDGE_ERROR, message: `avtrz: ${problem}` },
          });
        }
      },
    );
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };

  const stdin = io.stdin ?? process.stdin;
  const closed = new Promise<void>((resolve) => {
    stdin.once('end', resolve);
    stdin.once('close', resolve);
  });
  await upstream.start();
  await local.start();
  await closed;
  // answers to what was sent last may still be on their way: bounded wait, then go
  let timer: NodeJS.Timeout | undefined;
  const drained = Promise.all([...inFlight]).then(() => undefined);
  await Promise.race([drained, new Promise<void>((r) => (timer = setTimeout(r, DRAIN_MS)))]);
  clearTimeout(timer);
  await local.close();
  await upstream.close();
  return 0;
}
