/** Reading a payload-v2 request: the event type, headers and the JSON body. */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AvtrzError } from '../core/errors';

export type HttpEvent = APIGatewayProxyEventV2;

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

/** The method, for handlers that refuse the others with 405 and `Allow`. */
export function requireMethod(event: HttpEvent, method: 'GET' | 'POST'): void {
  if ((event.requestContext?.http?.method ?? method) !== method)
    throw new AvtrzError('method_not_allowed', undefined, undefined, { allow: method });
}
