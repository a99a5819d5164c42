/**
 * Payload-v2 events for calling key-authenticated handlers in-process (what API Gateway or the
 * local gateway would pass), and a caller that returns a plain response.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventInput {
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
}

let counter = 0;

export function makeEvent(input: EventInput = {}): APIGatewayProxyEventV2 {
  const method = input.method ?? 'GET';
  const path = input.path ?? '/v1/avatar';
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  const query = input.query;
  const requestId = `evt-${process.pid}-${++counter}`;
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers,
    queryStringParameters: query && Object.keys(query).length ? { ...query } : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'jest' },
      requestId,
      routeKey: `${method} ${path}`,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    body: input.body,
    isBase64Encoded: false,
  };
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
