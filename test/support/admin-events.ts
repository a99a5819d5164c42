/**
 * Call the management handlers in-process with payload-v2 events (test/support/events.ts),
 * resolving the handler from the ONE route table (lambdas/routes.ts) exactly as the gateway does.
 */
import type { Context } from 'aws-lambda';
import { matchRoute } from '../../lambdas/routes';
import { addJwtAuthorizer } from '../../lib/local/apigw-event';
import { makeEvent } from './events';
import { testRuntime } from './runtime';

const built = new Map<string, (e: unknown, c: unknown) => Promise<unknown>>();

export interface CallOptions {
  body?: unknown;
  /** raw body string (sent as-is, e.g. malformed JSON) */
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** the JWT authorizer's claims (a console route), added as API Gateway adds them */
  claims?: Record<string, unknown>;
}

export interface CallResult {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  body: any;
  raw: string;
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
  const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
  const headers = { ...opts.headers };
  if (payload !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['content-type'] = 'application/json';
  const event = makeEvent({
    method,
    path,
    query: opts.query,
    headers,
    body: payload,
    pathParameters: m.pathParameters,
  });
  if (opts.claims) addJwtAuthorizer(event, opts.claims);
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
