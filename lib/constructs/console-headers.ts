/**
 * How the console is served, as plain data (no aws-cdk-lib import): the CloudFront behaviour of
 * lib/constructs/console.ts and the local stack (lib/local/console.ts) both use it, so the two
 * cannot drift apart.
 */

/** The distribution's behaviour and the bucket prefix the console lives under. */
export const CONSOLE_PATH_PATTERN = '/console/*';
export const CONSOLE_BUCKET_PREFIX = 'console/';
/** hashed file names: a new build has new names, so they never change under a URL */
export const CONSOLE_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';
/** index.html and config.json: revalidated on every load, so a deploy shows at once */
export const CONSOLE_PAGE_CACHE_CONTROL = 'no-cache';
export const CONSOLE_HSTS_SECONDS = 31536000;

/**
 * The CloudFront Function (viewer request) of `/console/*`: the hashed assets and config.json are
 * objects; every other path is a client route of the single-page app and gets index.html.
 * The local stack runs this same code (lib/local/console.ts).
 */
export const CONSOLE_REWRITE_FUNCTION_CODE = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/console/assets/') === 0 || uri === '/console/config.json') return request;
  request.uri = '/console/index.html';
  return request;
}`;

/**
 * The console page's Content-Security-Policy: its own scripts and styles only (no inline script or
 * style), calls to the API and the sign-in service only, never framed.
 */
export function consoleContentSecurityPolicy(connectSources: readonly string[]): string {
  const connect = ["'self'", ...new Set(connectSources)].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src ${connect}`,
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** The other security headers of every console response (CloudFront: the response headers policy). */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'strict-transport-security': `max-age=${CONSOLE_HSTS_SECONDS}; includeSubDomains`,
};
