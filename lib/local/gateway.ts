/**
 * The local gateway: a node:http server that does what API Gateway (HTTP API, payload v2) does
 * in AWS, for the SAME handlers and the SAME route table (lambdas/routes.ts):
 *  - real HTTP request -> APIGatewayProxyEventV2 -> `lambdas/<route.handler>/handler.ts` -> HTTP response
 *  - unknown path 404, wrong method 405 (+ Allow), handler crash 500, 30 s timeout 503,
 *    10 MB payload limit — all with the error catalogue's JSON shape (lambdas/core/errors.ts)
 *  - admin routes: the IAM authorizer is emulated with `Authorization: Bearer $AVTRZ_ADMIN_TOKEN`
 *  - the Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) for the resolver
 *    function, so the SDK call the avatar handler makes in AWS works here unchanged once
 *    AWS_ENDPOINT_URL_LAMBDA points at this server.
 * Local-only pages: `/healthz` and the demo page at `/`.
 */
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import path from 'node:path';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { API_KEY_ON_ADMIN_MESSAGE } from '../../lambdas/core/admin-validation';
import { AvtrzError, errorBody } from '../../lambdas/core/errors';
import { matchRoute, RESOLVER, type Route, routeKey } from '../../lambdas/routes';
import type { Runtime } from '../../lambdas/runtime';
import { LOCAL_CREDENTIALS, LOCAL_REGION, PortInUseError } from './services';
import { verifySigV4 } from './sigv4';

/** API Gateway HTTP API limits. */
const PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
const API_TIMEOUT_MS = 30_000;
export const DEFAULT_RESOLVER_FUNCTION = 'avtrz-resolver';

const LAMBDAS_DIR = path.resolve(__dirname, '../../lambdas');

export type LambdaFn = (event: unknown, context: Context) => Promise<unknown>;
/** Returns the `handler` export of `lambdas/<name>/handler.ts`, or undefined when there is none. */
export type HandlerLoader = (name: string) => Promise<LambdaFn | undefined>;

/**
 * Loads `lambdas/<name>/handler.ts` and builds its handler over `runtime` (`createHandler`), as a
 * cold start would over the function's environment; without a runtime, its own `handler`.
 */
export function lambdaLoader(runtime: () => Runtime | undefined = () => undefined): HandlerLoader {
  return async (name) => {
    const rt = runtime();
    const file = path.join(LAMBDAS_DIR, name, 'handler.ts');
    if (!existsSync(file)) return undefined;
    const mod = await import(file);
    const exports = mod.createHandler || mod.handler ? mod : mod.default;
    const fn = rt && exports?.createHandler ? exports.createHandler(rt) : exports?.handler;
    return typeof fn === 'function' ? (fn as LambdaFn) : undefined;
  };
}

export interface GatewayOptions {
  adminToken: string;
  /** true once every dependency is up; before that /healthz and the API answer 503 */
  isReady: () => boolean;
  /**
   * once ready, what /healthz asks of the dependencies: undefined = all up, else why not (503);
   * it is called on every poll, so it must be cheap and bounded (lib/local/stack.ts caches it)
   */
  health?: () => Promise<string | undefined>;
  /** HTML of the demo page served at `/` (available once ready) */
  demoPage?: () => string;
  /** extra headers for the demo page (its CSP names the CDN origin) */
  demoPageHeaders?: () => Record<string, string>;
  /** the runtime the real handlers are built over (the local stack's environment), once known */
  runtime?: () => Runtime | undefined;
  loadHandler?: HandlerLoader;
  /** API Gateway's integration timeout (30 s): past it, 503 */
  timeoutMs?: number;
  /** a function's own timeout (default: the route's timeoutSeconds, else 10 s): past it, 500 */
  functionTimeoutMs?: (route: Route) => number;
  payloadLimitBytes?: number;
  /** function name the Lambda Invoke API answers for (AVTRZ_RESOLVER_FUNCTION) */
  resolverFunctionName?: string;
  /** where crashes are reported (never to the client) */
  onError?: (err: unknown, where: string) => void;
}

// ---------------------------------------------------------------------------------------------
// payload v2 event builder (pure; unit-tested)

export interface RawRequest {
  method: string;
  /** request target as received: path + optional `?query` */
  url: string;
  /** Node's flat [name, value, name, value, …] list (keeps repeated headers apart) */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** the port the request came in on (x-forwarded-port) */
  localPort?: number;
  httpVersion: string;
}

const TEXT_TYPES = [
  /^text\//,
  /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql)\b/,
  /\+(json|xml)\b/,
];

function isTextContent(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const ct = contentType.toLowerCase();
  return TEXT_TYPES.some((re) => re.test(ct));
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time */
export function apiGatewayTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${p(d.getUTCDate())}/${mon[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}

/** Lower-cased names; repeated headers joined with `,` as API Gateway does. */
export function collectHeaders(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

/** Query parameters, decoded; repeated names joined with `,` as API Gateway does. */
export function collectQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const out: Record<string, string> = {};
  for (const part of rawQueryString.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return Object.keys(out).length ? out : undefined;
}

export function buildEventV2(
  req: RawRequest,
  match: { routeKey: string; pathParameters?: Record<string, string> },
  ctx: { requestId: string; now: Date; apiId?: string; accountId?: string },
): APIGatewayProxyEventV2 {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQueryString = q < 0 ? '' : req.url.slice(q + 1);
  const headers = collectHeaders(req.rawHeaders);
  // payload v2 moves the Cookie header into `cookies`
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader
    ? cookieHeader
        .split(/;\s*|,/)
        .map((c) => c.trim())
        .filter(Boolean)
    : undefined;
  // what API Gateway adds in front of the function
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${req.sourceIp}`
    : req.sourceIp;
  headers['x-forwarded-proto'] = 'http';
  if (req.localPort) headers['x-forwarded-port'] = String(req.localPort);
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(ctx.now.getTime() / 1000).toString(16)}-` +
    createHash('sha256').update(ctx.requestId).digest('hex').slice(0, 24);
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: ctx.accountId ?? '000000000000',
      apiId: ctx.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: req.method.toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ctx.requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: apiGatewayTime(ctx.now),
      timeEpoch: ctx.now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies?.length) event.cookies = cookies;
  const query = collectQuery(rawQueryString);
  if (query) event.queryStringParameters = query;
  if (match.pathParameters && Object.keys(match.pathParameters).length) {
    event.pathParameters = { ...match.pathParameters };
  }
  if (req.body.length) {
    if (isTextContent(headers['content-type'])) {
      event.body = req.body.toString('utf8');
    } else {
      event.body = req.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

export function lambdaContext(functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// admin authorizer emulation

function sameSecret(a: string, b: string): boolean {
  // compare digests: constant time and independent of the lengths
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/** An API key in either place a caller may send one (x-api-key, ?key=). */
function carriesApiKey(event: APIGatewayProxyEventV2): boolean {
  return event.headers?.['x-api-key'] !== undefined || 'key' in (event.queryStringParameters ?? {});
}

/**
 * API Gateway's IAM authorizer, locally: the bearer admin token. Like IAM it ignores API keys: an
 * authorised request reaches the handler, which refuses API keys and flags a secret key in the
 * URL (lambdas/http/admin.ts), as it does in AWS.
 */
export function adminAuthorized(event: APIGatewayProxyEventV2, adminToken: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(event.headers?.authorization ?? '');
  if (!m || !adminToken) return false;
  return sameSecret(m[1], adminToken);
}

/** Why adminAuthorized refused: an API key, or no/wrong admin token (say which credential works). */
function adminRefusal(event: APIGatewayProxyEventV2): string {
  if (carriesApiKey(event)) return API_KEY_ON_ADMIN_MESSAGE;
  return (
    'The management API needs Authorization: Bearer <admin token> on the local stack ' +
    '(AVTRZ_ADMIN_TOKEN, printed by npm run dev); in AWS it uses IAM (SigV4).'
  );
}

// ---------------------------------------------------------------------------------------------
// Lambda Invoke API authorization

/**
 * Lambda's IAM check, locally: a real SigV4 signature by the local credentials (what the
 * handlers' Lambda client signs with, lib/local/services.ts), scoped to lambda in the local
 * region. Undefined = allowed.
 */
async function invokeDenied(
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ errorType: string; message: string } | undefined> {
  const verdict = await verifySigV4(
    { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
    { service: 'lambda', region: LOCAL_REGION, credentials: [LOCAL_CREDENTIALS] },
  );
  if (verdict.ok) return undefined;
  const errorType = req.headers.authorization ? 'InvalidSignatureException' : 'AccessDeniedException';
  return { errorType, message: verdict.message };
}

// ---------------------------------------------------------------------------------------------
// the server

class PayloadTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new PayloadTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        reject(new PayloadTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': payload.length,
    'x-request-id': requestId,
    'apigw-requestid': requestId,
    ...headers,
  });
  res.end(payload);
}

function sendError(res: http.ServerResponse, err: AvtrzError, requestId: string): void {
  sendJson(res, err.status, errorBody(err, requestId), requestId, err.headers);
}

interface LambdaResult {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
}

/** Write a handler's payload-v2 result the way API Gateway does. */
export function writeResult(res: http.ServerResponse, result: unknown, requestId: string): void {
  const r = result as LambdaResult | undefined;
  if (!r || typeof r !== 'object' || typeof r.statusCode !== 'number') {
    // payload v2 without statusCode: API Gateway answers 200 with the value as JSON
    const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
    res.writeHead(200, { 'content-type': 'application/json', 'apigw-requestid': requestId });
    res.end(body);
    return;
  }
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k.toLowerCase()] = String(v);
  if (r.cookies?.length) headers['set-cookie'] = r.cookies;
  const body =
    r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded ? 'base64' : 'utf8');
  headers['content-length'] = String(body.length);
  res.writeHead(r.statusCode, headers);
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

class Timeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export function createGateway(opts: GatewayOptions): http.Server {
  const loadHandler = opts.loadHandler ?? lambdaLoader(opts.runtime);
  const timeoutMs = opts.timeoutMs ?? API_TIMEOUT_MS;
  const limit = opts.payloadLimitBytes ?? PAYLOAD_LIMIT_BYTES;
  const onError = opts.onError ?? (() => undefined);
  const cache = new Map<string, Promise<LambdaFn | undefined>>();
  let cachedFor = opts.runtime?.();
  const load = (name: string) => {
    // a new runtime is a cold start: every function is built again over it
    const rt = opts.runtime?.();
    if (rt !== cachedFor) {
      cache.clear();
      cachedFor = rt;
    }
    let p = cache.get(name);
    if (!p) {
      p = loadHandler(name);
      cache.set(name, p);
      p.catch(() => cache.delete(name));
    }
    return p;
  };

  async function handleRoute(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    requestId: string,
    route: Route,
    pathParameters: Record<string, string>,
  ): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (e) {
      if (e instanceof PayloadTooLarge) {
        res.setHeader('connection', 'close');
        sendError(
          res,
          new AvtrzError('invalid_request', `The request body exceeds the ${limit} byte limit.`, 'body'),
          requestId,
        );
        res.on('finish', () => req.destroy());
        return;
      }
      throw e;
    }
    const event = buildEventV2(
      {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        rawHeaders: req.rawHeaders,
        body,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
        httpVersion: req.httpVersion,
        localPort: req.socket.localPort,
      },
      { routeKey: routeKey(route), pathParameters },
      { requestId, now: new Date() },
    );
    if (route.auth === 'admin' && !adminAuthorized(event, opts.adminToken)) {
      return sendError(res, new AvtrzError('forbidden', adminRefusal(event)), requestId);
    }
    if (route.auth === 'admin') {
      // what API Gateway's IAM authorizer adds for a signed caller
      (event.requestContext as unknown as Record<string, unknown>).authorizer = {
        iam: {
          accessKey: 'LOCAL',
          accountId: '000000000000',
          callerId: 'local-admin',
          principalOrgId: null,
          userArn: 'arn:aws:iam::000000000000:user/local-admin',
          userId: 'local-admin',
          cognitoIdentity: null,
        },
      };
    }
    const fn = await load(route.handler);
    if (!fn) throw new Error(`lambdas/${route.handler}/handler.ts has no handler export`);
    // the function's own timeout (lib/constructs/function.ts default 10 s) ends it with an error,
    // which API Gateway answers 500; API Gateway's own 30 s limit answers 503
    const lambdaMs = opts.functionTimeoutMs?.(route) ?? (route.timeoutSeconds ?? 10) * 1000;
    const context = lambdaContext(`avtrz-${route.id}`, requestId, lambdaMs);
    const running = Promise.resolve().then(() => fn(event, context));
    let result: unknown;
    try {
      result = await withTimeout(running, Math.min(timeoutMs, lambdaMs));
    } catch (e) {
      if (!(e instanceof Timeout)) throw e;
      running.catch((late) => onError(late, `${routeKey(route)} (after its timeout)`));
      if (timeoutMs <= lambdaMs) return sendError(res, new AvtrzError('unavailable'), requestId);
      onError(new Error(`Task timed out after ${(lambdaMs / 1000).toFixed(2)} seconds`), routeKey(route));
      return sendError(res, new AvtrzError('internal_error'), requestId);
    }
    writeResult(res, result, requestId);
  }

  async function handleInvoke(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    requestId: string,
    name: string,
  ): Promise<void> {
    const notFound = () => {
      const payload = JSON.stringify({ Type: 'User', message: `Function not found: ${name}` });
      res.writeHead(404, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ResourceNotFoundException',
        'x-amzn-requestid': requestId,
      });
      res.end(payload);
    };
    const wanted = opts.resolverFunctionName ?? DEFAULT_RESOLVER_FUNCTION;
    // a plain name, or an ARN `arn:aws:lambda:…:function:<name>[:qualifier]`
    const plain = /:function:([^:]+)/.exec(name)?.[1] ?? name;
    if (plain !== wanted) return notFound();
    const raw = await readBody(req, 6 * 1024 * 1024);
    const denied = await invokeDenied(req, raw);
    if (denied) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': denied.errorType });
      res.end(JSON.stringify({ message: denied.message }));
      return;
    }
    const fn = await load(RESOLVER.handler);
    if (!fn) return notFound();
    let payload: unknown = {};
    if (raw.length) {
      try {
        payload = JSON.parse(raw.toString('utf8'));
      } catch {
        res.writeHead(400, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'InvalidRequestContentException',
        });
        res.end(JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }));
        return;
      }
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    const ms = RESOLVER.timeoutSeconds * 1000;
    const context = lambdaContext(wanted, requestId, ms);
    if (type === 'DryRun') {
      res.writeHead(204, { 'x-amzn-requestid': requestId });
      res.end();
      return;
    }
    if (type === 'Event') {
      res.writeHead(202, { 'x-amzn-requestid': requestId });
      res.end();
      Promise.resolve()
        .then(() => fn(payload, context))
        .catch((e) => onError(e, `${wanted} (async invoke)`));
      return;
    }
    const head = {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amz-executed-version': '$LATEST',
    };
    const running = Promise.resolve().then(() => fn(payload, context));
    try {
      const out = await withTimeout(running, ms);
      res.writeHead(200, head);
      res.end(JSON.stringify(out ?? null));
    } catch (e) {
      running.catch(() => undefined);
      onError(e, `${wanted} (invoke)`);
      const timedOut = e instanceof Timeout;
      res.writeHead(200, { ...head, 'x-amz-function-error': 'Unhandled' });
      res.end(
        JSON.stringify({
          errorType: timedOut ? 'Sandbox.Timedout' : ((e as Error)?.name ?? 'Error'),
          errorMessage: timedOut
            ? `Task timed out after ${RESOLVER.timeoutSeconds.toFixed(2)} seconds`
            : String((e as Error)?.message ?? e),
        }),
      );
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const pathOnly = (req.url ?? '/').split('?')[0];

    if (pathOnly === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      if (!opts.isReady()) {
        return sendError(res, new AvtrzError('unavailable', 'The local stack is still starting.'), requestId);
      }
      const down = await opts.health?.();
      return down
        ? sendError(res, new AvtrzError('unavailable', down), requestId)
        : sendJson(res, 200, { ok: true }, requestId);
    }
    if (!opts.isReady()) {
      return sendError(res, new AvtrzError('unavailable', 'The local stack is still starting.'), requestId);
    }
    if (pathOnly === '/' && opts.demoPage && (method === 'GET' || method === 'HEAD')) {
      const html = Buffer.from(opts.demoPage());
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-length': html.length,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'strict-origin-when-cross-origin',
        'x-request-id': requestId,
        ...(opts.demoPageHeaders?.() ?? {}),
      });
      res.end(method === 'HEAD' ? undefined : html);
      return;
    }
    const invoke = INVOKE_PATH.exec(pathOnly);
    if (invoke && method === 'POST') return handleInvoke(req, res, requestId, safeDecode(invoke[1]));

    const match = matchRoute(method, pathOnly);
    if (!match) return sendError(res, new AvtrzError('not_found'), requestId);
    if ('allowed' in match) {
      return sendError(
        res,
        new AvtrzError('method_not_allowed', undefined, undefined, { allow: match.allowed.join(', ') }),
        requestId,
      );
    }
    return handleRoute(req, res, requestId, match.route, match.pathParameters);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      // the path only: a query string may carry ?key=, which is never logged
      onError(e, `${req.method} ${(req.url ?? '').split('?')[0]}`);
      if (!res.headersSent) sendError(res, new AvtrzError('internal_error'), randomUUID());
      else res.destroy();
    });
  });
  // API Gateway answers slow clients itself; do not let a stuck socket hold the process
  server.requestTimeout = timeoutMs + 5_000;
  return server;
}

/** Listen on 127.0.0.1:port (0 = any free port); a taken port rejects with a clear message. */
export function listen(server: http.Server, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(e.code === 'EADDRINUSE' ? new PortInUseError(port, what) : e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, '127.0.0.1');
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
