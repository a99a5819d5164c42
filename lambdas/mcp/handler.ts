/**
 * POST /mcp (spec section 12): a Model Context Protocol server on the Streamable HTTP transport,
 * stateless with JSON answers, so one Lambda invocation is one HTTP exchange: the payload-v2 event
 * becomes a web `Request` for the SDK's web-standard transport, its `Response` the result. No
 * sessions, no streams, nothing kept between invocations.
 *
 * The secret key (x-api-key only) is checked before the protocol is read: none → 401
 * missing_key, a publishable key → 403 forbidden, a key in the query → 401 invalid_key, as on
 * every key route (app/authenticate.ts). The tools (./server.ts) authenticate again through the
 * key cache, as the routes they mirror do. Other methods are 405 (the route table has POST only;
 * in AWS they reach the `$default` route, which answers the same).
 */
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { authenticate } from '../app/authenticate';
import { BATCH_RESPONSE_MARGIN_MS, beforeDeadline } from '../app/budget';
import { withinBudget } from '../http/budget';
import { httpHandler } from '../http/handler';
import { type HttpEvent, requireMethod } from '../http/request';
import type { HttpResult } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';
import { buildServer } from './server';

/** The event as the web `Request` the SDK's transport reads. */
export function toRequest(event: HttpEvent): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers.set(k, v);
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const host = event.requestContext?.domainName || 'localhost';
  const method = event.requestContext?.http?.method ?? 'POST';
  const body =
    event.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64')
        : event.body;
  return new Request(`https://${host}${event.rawPath || '/mcp'}${query}`, { method, headers, body });
}

/** The transport's `Response` as a payload-v2 result (JSON or empty bodies only: no streams here). */
export async function toResult(res: Response): Promise<HttpResult> {
  const headers: Record<string, string> = { 'cache-control': 'no-store' };
  res.headers.forEach((v, k) => {
    headers[k] = v;
  });
  return { statusCode: res.status, headers, body: await res.text() };
}

export function createHandler(rt: Runtime) {
  const http = httpHandler(rt.log, async (event, { log }) => {
    requireMethod(event, 'POST');
    await authenticate(rt, event, 'mcp', rt.now());
    const server = buildServer(rt, event, log);
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    transport.onerror = (e) => log.debug('mcp transport refused a request', { reason: e.message });
    try {
      await server.connect(transport);
      return await beforeDeadline(rt.deadline, transport.handleRequest(toRequest(event)).then(toResult));
    } finally {
      await server.close();
    }
  });
  return withinBudget(rt.deadline, http, BATCH_RESPONSE_MARGIN_MS);
}

export const handler = createHandler(createRuntime());
