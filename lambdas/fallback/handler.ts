/**
 * The API's `$default` route in AWS: every request that matches no route of lib/routes.ts.
 * API Gateway would answer those itself with `{"message":"Not Found"}`; this answers the
 * catalogue's `404 not_found`, or `405 method_not_allowed` with `Allow` when the path exists
 * under another method, exactly as the local gateway does. No I/O, no configuration.
 */
import { matchRoute } from '../../lib/routes';
import { AvtrzError } from '../core/errors';
import { httpHandler } from '../shared/http';

export const handler = httpHandler(async (event) => {
  const match = matchRoute(event.requestContext.http.method, event.rawPath);
  if (match && 'allowed' in match) {
    throw new AvtrzError('method_not_allowed', undefined, undefined, { allow: match.allowed.join(', ') });
  }
  throw new AvtrzError('not_found');
});
