/**
 * The node:http side of the local gateway: reading a body under API Gateway's payload limit, and
 * writing the gateway's own answers and a handler's payload-v2 result the way API Gateway does.
 */
import type http from 'node:http';
import { type AvtrzError, errorBody } from '../../lambdas/core/errors';

export class PayloadTooLarge extends Error {}

export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
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

/** A JSON answer, not cached unless `headers` say otherwise. */
export function writeJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body));
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': payload.length,
    ...headers,
  });
  res.end(payload);
}

/** A JSON answer of the gateway's own, with API Gateway's request id headers. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  writeJson(res, status, body, { 'x-request-id': requestId, 'apigw-requestid': requestId, ...headers });
}

/** The error catalogue's JSON, for what the gateway answers itself (not ready, too large, timeouts). */
export function sendError(res: http.ServerResponse, err: AvtrzError, requestId: string): void {
  sendJson(res, err.status, errorBody(err, requestId), requestId, err.headers);
}

/** A local-only page (the demo page): never cached, never sniffed into another type. */
export function sendHtml(
  res: http.ServerResponse,
  html: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(html);
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': payload.length,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'x-request-id': requestId,
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : payload);
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
