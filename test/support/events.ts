/**
 * Payload-v2 events for calling handlers in-process, and a caller that returns a plain response.
 * Every event is built by the local gateway's own builder (buildEventV2), so a handler under test
 * sees exactly the event shape the local stack and API Gateway hand it.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { matchRoute, routeKey } from '../../lambdas/routes';
import { buildEventV2 } from '../../lib/local/apigw-event';

export interface EventInput {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  /** the matched route's path parameters (default: matched from the route table) */
  pathParameters?: Record<string, string>;
}

let counter = 0;

/** The event API Gateway would pass for this request (route and path parameters from the route table). */
export function makeEvent(input: EventInput = {}): APIGatewayProxyEventV2 {
  const method = input.method ?? 'GET';
  const path = input.path ?? '/v1/avatar';
  const query = input.query ?? {};
  const qs = Object.entries(query)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const m = matchRoute(method, path);
  const route = m && 'route' in m ? m : undefined;
  return buildEventV2(
    {
      method,
      url: qs ? `${path}?${qs}` : path,
      rawHeaders: Object.entries(input.headers ?? {}).flat(),
      body: Buffer.from(input.body ?? '', 'utf8'),
      sourceIp: '127.0.0.1',
      httpVersion: '1.1',
    },
    {
      routeKey: route ? routeKey(route.route) : '$default',
      pathParameters: input.pathParameters ?? route?.pathParameters,
    },
    { requestId: `evt-${process.pid}-${++counter}`, now: new Date() },
  );
}

export interface Response {
  status: number;
  headers: Record<string, string>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: parsed JSON bodies are asserted field by field
  json: any;
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export async function invoke(handler: Handler, input: EventInput = {}): Promise<Response> {
  const res = (await handler(makeEvent(input), {} as Context)) as {
    statusCode: number;
    headers: Record<string, string>;
    body?: string;
  };
  let json: unknown;
  try {
    json = res.body ? JSON.parse(res.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, body: res.body ?? '', json };
}
