/**
 * The HTTP adapter every handler is wrapped in (middy): request id, structured log line per
 * request, and error -> catalogue response. Handlers throw AvtrzError; anything else is logged
 * and answered `500 internal_error` without internals.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AvtrzError, errorBody } from '../core/errors';
import { type Logger, logger } from './logger';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

export interface RequestCtx {
  requestId: string;
  log: Logger;
  event: HttpEvent;
}

export type HttpFn = (event: HttpEvent, ctx: RequestCtx) => Promise<HttpResult>;
/** Optional override, e.g. the avatar route answers image loads with an SVG. */
export type ErrorRenderer = (err: AvtrzError, event: HttpEvent, requestId: string) => HttpResult;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode: status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

export function jsonError(err: AvtrzError, _event: HttpEvent, requestId: string): HttpResult {
  return json(err.status, errorBody(err, requestId), err.headers);
}

/** Lower-cased header lookup (API Gateway v2 lower-cases already; the local gateway does too). */
export function header(event: HttpEvent, name: string): string | undefined {
  const h = event.headers ?? {};
  return h[name] ?? h[name.toLowerCase()];
}

export function parseJsonBody(event: HttpEvent): unknown {
  if (!event.body) throw new AvtrzError('invalid_request', 'A JSON body is required.', 'body');
  const raw = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(raw);
  } catch {
    throw new AvtrzError('invalid_request', 'The body is not valid JSON.', 'body');
  }
}

export function httpHandler(fn: HttpFn, renderError: ErrorRenderer = jsonError) {
  const base = async (event: HttpEvent, context: Context): Promise<HttpResult> => {
    const requestId = event.requestContext?.requestId || context?.awsRequestId || 'local';
    const log = logger.child({ request_id: requestId, route: event.routeKey });
    const started = process.hrtime.bigint();
    let res: HttpResult;
    try {
      res = await fn(event, { requestId, log, event });
    } catch (e) {
      res = renderError(toAvtrzError(e, log), event, requestId);
    }
    res.headers['x-request-id'] = requestId;
    log.info('request', {
      status: res.statusCode,
      ms: Number(process.hrtime.bigint() - started) / 1e6,
      error: res.headers['x-avtrz-error'],
    });
    return res;
  };
  return middy(base);
}

/**
 * What a thrown error answers: an AvtrzError as it is; a dependency outage 503 unavailable; anything
 * else is logged and answered 500 internal_error, without internals.
 */
export function toAvtrzError(e: unknown, log: Logger): AvtrzError {
  if (e instanceof AvtrzError) return e;
  if (isUnavailable(e)) {
    log.warn('dependency unavailable', { err: e as Error });
    return new AvtrzError('unavailable');
  }
  log.error('unhandled error', { err: e as Error, stack: (e as Error)?.stack });
  return new AvtrzError('internal_error');
}

/** Network failures and throttling of a dependency are 503 (retry), not 500. */
export function isUnavailable(e: unknown): boolean {
  const err = e as { name?: string; code?: string; $metadata?: unknown; $retryable?: unknown };
  if (!err || typeof err !== 'object') return false;
  const names = [
    'ProvisionedThroughputExceededException',
    'ThrottlingException',
    'RequestLimitExceeded',
    'ServiceUnavailable',
    'InternalServerError',
    'TimeoutError',
    'AbortError',
    'SlowDown',
  ];
  if (err.name && names.includes(err.name)) return true;
  const codes = [
    'ECONNREFUSED',
    'ECONNRESET',
    'ETIMEDOUT',
    'EPIPE',
    'ENOTFOUND',
    'EAI_AGAIN',
    'UND_ERR_SOCKET',
  ];
  return !!err.code && codes.includes(err.code);
}
