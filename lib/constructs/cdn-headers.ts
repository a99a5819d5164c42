/**
 * The headers CloudFront adds to every served avatar object. Plain data with no aws-cdk-lib
 * import, so the local CDN stand-in (lib/local) can serve objects with exactly these headers
 * and the two cannot drift apart. lib/constructs/cdn.ts turns them into a response headers policy.
 */
import { IMMUTABLE_CACHE_CONTROL } from '../../lambdas/core/photo';
import { SVG_CSP } from '../../lambdas/core/svg';

/** The same CSP as the API's SVG fallbacks (an object may be an initials SVG). */
export const CDN_CONTENT_SECURITY_POLICY = SVG_CSP;
/** Objects are immutable: their URL changes when the photo changes (spec section 3). */
export const CDN_CACHE_CONTROL = IMMUTABLE_CACHE_CONTROL;
export const CDN_HSTS_SECONDS = 31536000;

/** Header name (lower case) -> value, as CloudFront sends them for `/a/*`. */
export const CDN_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': CDN_CONTENT_SECURITY_POLICY,
  'strict-transport-security': `max-age=${CDN_HSTS_SECONDS}; includeSubDomains`,
  'referrer-policy': 'no-referrer',
  'cache-control': CDN_CACHE_CONTROL,
};

/** The only path prefix the distribution serves; everything else (including `o/` originals) is 404. */
export const CDN_SERVED_PATH_PATTERN = '/a/*';
