/**
 * The API's `$default` route in AWS: every request that matches no route of lambdas/routes.ts.
 * API Gateway would answer those itself with `{"message":"Not Found"}`; this answers the
 * catalogue's `404 not_found`, or `405 method_not_allowed` with `Allow` when the path exists
 * under another method. The local gateway sends its unmatched requests here too. No I/O, no
 * configuration.
 */
import { AvtrzError } from '../core/errors';
import { httpHandler } from '../http/handler';
import { matchRoute } from '../routes';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return httpHandler(rt.log, async (event) => {
    const match = matchRoute(event.requestContext.http.method, event.rawPath);
    if (match && 'allowed' in match) {
      throw new AvtrzError('method_not_allowed', undefined, undefined, { allow: match.allowed.join(', ') });
    }
    throw new AvtrzError('not_found');
  });
}

export const handler = createHandler(createRuntime());
