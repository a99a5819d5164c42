/**
 * The local gateway: a node:http server that does what API Gateway (HTTP API, payload v2) does
 * in AWS, for the SAME handlers and the SAME route table (lambdas/routes.ts): a request becomes a
 * payload-v2 event (apigw-event.ts) for `lambdas/<route.handler>/handler.ts`, admin routes pass
 * the IAM authorizer's stand-in (iam-stand-in.ts), and a request that matches no route goes to
 * `lambdas/fallback/handler.ts`, as the `$default` route sends it in AWS. What the gateway
 * answers itself (crash 500, 30 s timeout 503, 10 MB payload limit) has the error catalogue's
 * JSON shape.
 * Console routes (`auth: 'console'`) pass the JWT authorizer's stand-in: the token is verified
 * with `jose` against the local OIDC issuer's JWKS (oidc.ts) by the rules API Gateway applies, and
 * its claims reach the event as API Gateway passes them (apigw-event.ts addJwtAuthorizer). A
 * rejected token answers `401 unauthorized` (`403 forbidden` without the scope) in the catalogue's
 * shape with API Gateway's `www-authenticate` header; API Gateway itself answers the same statuses
 * with `{"message":"Unauthorized"}` / `{"message":"Forbidden"}`, so clients go by the status.
 * CORS for the console's origins is answered here as the HTTP API's CORS configuration does.
 * The same port serves the Lambda Invoke API for the resolver (invoke-api.ts), the OIDC issuer
 * stand-in under `/oidc/`, and two local-only pages: `/healthz` and the demo page at `/`.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { AvtrzError } from '../../lambdas/core/errors';
import { CONSOLE_SCOPE, FALLBACK, matchRoute, RESOLVER, type Route, routeKey } from '../../lambdas/routes';
import type { Runtime } from '../../lambdas/runtime';
import { addJwtAuthorizer, buildEventV2, lambdaContext, rawRequestOf } from './apigw-event';
import { PayloadTooLarge, readBody, sendError, sendHtml, sendJson, writeResult } from './http-io';
import { authorizeAdmin } from './iam-stand-in';
import { handleInvoke, invokedFunction } from './invoke-api';
import { type HandlerLoader, lambdaLoader, Timeout, warmFunctions, withTimeout } from './lambda-functions';
import { type OidcIssuer, TokenRejected } from './oidc';
import { PortInUseError } from './services';

/** API Gateway HTTP API limits. */
const PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
const API_TIMEOUT_MS = 30_000;
export const DEFAULT_RESOLVER_FUNCTION = 'avtrz-resolver';

/** The function behind the `$default` route (lambdas/routes.ts FALLBACK); no authorizer, as in AWS. */
const FALLBACK_FUNCTION: GatewayFunction = { ...FALLBACK, auth: 'key' };
/** What the gateway needs to know of the function it calls. */
export type GatewayFunction = Pick<Route, 'id' | 'handler' | 'auth' | 'timeoutSeconds'>;

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
  /** a function's own timeout (default: its timeoutSeconds, else 10 s): past it, 500 */
  functionTimeoutMs?: (fn: GatewayFunction) => number;
  payloadLimitBytes?: number;
  /** function name the Lambda Invoke API answers for (AVTRZ_RESOLVER_FUNCTION) */
  resolverFunctionName?: string;
  /** where crashes are reported (never to the client) */
  onError?: (err: unknown, where: string) => void;
  /** the console's pages under /console/ (lib/local/console.ts): true when it answered */
  consolePages?: (req: http.IncomingMessage, res: http.ServerResponse, pathOnly: string) => boolean;
  /** the local OIDC issuer (oidc.ts): serves /oidc/* and verifies console routes' tokens */
  oidc?: () => OidcIssuer | undefined;
}

/** The HTTP API's CORS configuration for the console (lib/constructs/api.ts has the same lists). */
export const CONSOLE_CORS = {
  allowHeaders: ['authorization', 'content-type'],
  allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
  maxAgeSeconds: 600,
} as const;

export function createGateway(opts: GatewayOptions): http.Server {
  const timeoutMs = opts.timeoutMs ?? API_TIMEOUT_MS;
  const limit = opts.payloadLimitBytes ?? PAYLOAD_LIMIT_BYTES;
  const onError = opts.onError ?? (() => undefined);
  const load = warmFunctions(opts.loadHandler ?? lambdaLoader(opts.runtime), opts.runtime);
  const invokeDeps = {
    loadResolver: () => load(RESOLVER.handler),
    functionName: opts.resolverFunctionName ?? DEFAULT_RESOLVER_FUNCTION,
    onError,
  };

  /** One integration call: body, event, authorizer, the function under both timeouts, its result. */
  async function callFunction(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    requestId: string,
    target: GatewayFunction,
    match: { routeKey: string; pathParameters?: Record<string, string> },
  ): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (e) {
      if (!(e instanceof PayloadTooLarge)) throw e;
      res.setHeader('connection', 'close');
      const tooLarge = `The request body exceeds the ${limit} byte limit.`;
      sendError(res, new AvtrzError('invalid_request', tooLarge, 'body'), requestId);
      res.on('finish', () => req.destroy());
      return;
    }
    const event = buildEventV2(rawRequestOf(req, body), match, { requestId, now: new Date() });
    const refused = target.auth === 'admin' ? authorizeAdmin(event, opts.adminToken) : undefined;
    if (refused) return sendError(res, refused, requestId);
    if (target.auth === 'console') {
      const oidc = opts.oidc?.();
      try {
        if (!oidc) throw new TokenRejected(401, 'Bearer error="invalid_token"', 'No issuer is configured.');
        addJwtAuthorizer(event, await oidc.verify(event.headers.authorization, [CONSOLE_SCOPE]));
      } catch (e) {
        if (!(e instanceof TokenRejected)) throw e;
        const err =
          e.status === 403
            ? new AvtrzError('forbidden', e.message, undefined, { 'www-authenticate': e.wwwAuthenticate })
            : new AvtrzError('unauthorized', undefined, undefined, { 'www-authenticate': e.wwwAuthenticate });
        return sendError(res, err, requestId);
      }
    }
    const fn = await load(target.handler);
    if (!fn) throw new Error(`lambdas/${target.handler}/handler.ts has no handler export`);
    // the function's own timeout (lib/constructs/function.ts default 10 s) ends it with an error,
    // which API Gateway answers 500; API Gateway's own 30 s limit answers 503
    const lambdaMs = opts.functionTimeoutMs?.(target) ?? (target.timeoutSeconds ?? 10) * 1000;
    const context = lambdaContext(`avtrz-${target.id}`, requestId, lambdaMs);
    const running = Promise.resolve().then(() => fn(event, context));
    let result: unknown;
    try {
      result = await withTimeout(running, Math.min(timeoutMs, lambdaMs));
    } catch (e) {
      if (!(e instanceof Timeout)) throw e;
      running.catch((late) => onError(late, `${match.routeKey} (after its timeout)`));
      if (timeoutMs <= lambdaMs) return sendError(res, new AvtrzError('unavailable'), requestId);
      onError(new Error(`Task timed out after ${(lambdaMs / 1000).toFixed(2)} seconds`), match.routeKey);
      return sendError(res, new AvtrzError('internal_error'), requestId);
    }
    writeResult(res, result, requestId);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const method = (req.method ?? 'GET').toUpperCase();
    const pathOnly = (req.url ?? '/').split('?')[0];
    const page = method === 'GET' || method === 'HEAD';
    const starting = () => new AvtrzError('unavailable', 'The local stack is still starting.');

    if (pathOnly === '/healthz' && page) {
      if (!opts.isReady()) return sendError(res, starting(), requestId);
      const down = await opts.health?.();
      return down
        ? sendError(res, new AvtrzError('unavailable', down), requestId)
        : sendJson(res, 200, { ok: true }, requestId);
    }
    if (!opts.isReady()) return sendError(res, starting(), requestId);
    const oidc = opts.oidc?.();
    if (oidc && (await oidc.handle(req, res, pathOnly))) return;
    // the HTTP API's CORS configuration: the console's origins only
    const origin = req.headers.origin;
    if (oidc && origin && oidc.consoleOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
      if (method === 'OPTIONS' && req.headers['access-control-request-method']) {
        res.writeHead(204, {
          'access-control-allow-methods': CONSOLE_CORS.allowMethods.join(','),
          'access-control-allow-headers': CONSOLE_CORS.allowHeaders.join(','),
          'access-control-max-age': String(CONSOLE_CORS.maxAgeSeconds),
        });
        res.end();
        return;
      }
    }
    if (page && opts.consolePages?.(req, res, pathOnly)) return;
    if (pathOnly === '/' && page && opts.demoPage) {
      return sendHtml(res, opts.demoPage(), requestId, opts.demoPageHeaders?.());
    }
    const invoked = invokedFunction(method, pathOnly);
    if (invoked !== undefined) return handleInvoke(req, res, requestId, invoked, invokeDeps);

    const match = matchRoute(method, pathOnly);
    // no route: API Gateway's `$default` route, whose function answers the catalogue's 404 / 405
    if (!match || 'allowed' in match) {
      return callFunction(req, res, requestId, FALLBACK_FUNCTION, { routeKey: '$default' });
    }
    const { route, pathParameters } = match;
    return callFunction(req, res, requestId, route, { routeKey: routeKey(route), pathParameters });
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
