/**
 * Build API Gateway payload-v2 events for the management handlers and call them in-process,
 * resolving the handler from the ONE route table (lambdas/routes.ts) exactly as the gateway does.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { matchRoute, type Route } from '../../lambdas/routes';
import { testRuntime } from './runtime';

const built = new Map<string, (e: unknown, c: unknown) => Promise<unknown>>();

export interface CallOptions {
  body?: unknown;
  /** raw body string (sent as-is, e.g. malformed JSON) */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
  raw: string;
}

let counter = 0;

export function buildEvent(
  route: Route,
  path: string,
  pathParameters: Record<string, string>,
  opts: CallOptions = {},
): APIGatewayProxyEventV2 {
  const body = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const query = opts.query;
  const rawQueryString = query ? new URLSearchParams(query).toString() : '';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.headers ?? {})) headers[k.toLowerCase()] = v;
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const requestId = `test-${++counter}`;
  return {
    version: '2.0',
    routeKey: `${route.method} ${route.path}`,
    rawPath: path,
    rawQueryString,
    headers,
    queryStringParameters: query && Object.keys(query).length ? { ...query } : undefined,
    pathParameters: Object.keys(pathParameters).length ? pathParameters : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method: route.method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId,
      routeKey: `${route.method} ${route.path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body,
    isBase64Encoded: false,
  };
}

const context = { awsRequestId: 'ctx', functionName: 'test' } as unknown as Context;

/** `call('POST', '/v1/admin/workspaces', {body})` → the handler's answer, body parsed. */
export async function call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const m = matchRoute(method, path);
  if (!m || !('route' in m)) throw new Error(`no route for ${method} ${path}`);
  // require (not import()): jest runs CommonJS; each handler is built once over the test runtime
  const mod = require(`../../lambdas/${m.route.handler}/handler`);
  let fn = built.get(m.route.handler);
  if (!fn) {
    fn = mod.createHandler(testRuntime) as (e: unknown, c: unknown) => Promise<unknown>;
    built.set(m.route.handler, fn);
  }
  const event = buildEvent(m.route, path, m.pathParameters, opts);
  const res = (await fn(event, context)) as Awaited<ReturnType<typeof mod.handler>>;
  const raw = typeof res.body === 'string' ? res.body : '';
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  return { status: res.statusCode, headers: res.headers ?? {}, body, raw };
}
