/** Payload-v2 results: JSON answers and the catalogue's JSON error body. */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type AvtrzError, errorBody } from '../core/errors';
import type { HttpEvent } from './request';

export type HttpResult = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

/** How an error is answered; the avatar route answers image loads with an SVG (avatar-error.ts). */
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
