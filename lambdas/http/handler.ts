/**
 * The HTTP adapter every handler is wrapped in (middy): request id, structured log line per
 * request, and error -> catalogue response. Handlers throw AvtrzError; anything else is logged
 * and answered `500 internal_error` without internals.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Logger } from '../app/ports';
import { AvtrzError, isUnavailable } from '../core/errors';
import type { HttpEvent } from './request';
import { type ErrorRenderer, type HttpResult, jsonError } from './responses';

export interface RequestCtx {
  requestId: string;
  /** the runtime's logger with this request's id and route */
  log: Logger;
  event: HttpEvent;
}

export type HttpFn = (event: HttpEvent, ctx: RequestCtx) => Promise<HttpResult>;

export function httpHandler(logger: Logger, fn: HttpFn, renderError: ErrorRenderer = jsonError) {
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
