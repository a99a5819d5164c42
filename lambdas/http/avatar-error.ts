/**
 * The avatar route's ErrorRenderer: the ONE catalogue (core/errors.ts) answered as JSON, or, for
 * image loads, as an SVG with the same status and `x-avtrz-error`.
 */
import type { AvtrzError } from '../core/errors';
import { profileOf, slugOf } from '../core/profile';
import { initialsSvgForSlug, SVG_CSP, silhouetteSvg } from '../core/svg';
import { type HttpEvent, header } from './request';
import { type HttpResult, jsonError } from './responses';

/** JSON unless the request looks like an image load; `?debug=1` or Accept: application/json force JSON. */
export function wantsImage(event: HttpEvent): boolean {
  if (event.queryStringParameters?.debug === '1') return false;
  const accept = (header(event, 'accept') ?? '').toLowerCase();
  if (accept.includes('application/json')) return false;
  if ((header(event, 'sec-fetch-dest') ?? '').toLowerCase() === 'image') return true;
  return accept.trim() !== '';
}

export const SVG_ERROR_HEADERS = {
  'content-type': 'image/svg+xml',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': SVG_CSP,
} as const;

export function renderAvatarError(err: AvtrzError, event: HttpEvent, requestId: string): HttpResult {
  if (!wantsImage(event)) return jsonError(err, event, requestId);
  const profile = profileOf(event.queryStringParameters ?? {});
  let body: string;
  if (profile) {
    const slug = slugOf(profile);
    body = initialsSvgForSlug(slug);
  } else {
    body = silhouetteSvg();
  }
  return {
    statusCode: err.status,
    headers: { ...err.headers, ...SVG_ERROR_HEADERS, 'x-avtrz-error': err.code },
    body,
  };
}
