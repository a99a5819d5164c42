/**
 * The adapter every management (admin) handler is wrapped in: httpHandler, after the checks that
 * hold on every admin route whatever authorised the caller (IAM at API Gateway in AWS, the bearer
 * token locally). A secret key in the URL is refused and flagged first (spec section 1: on every
 * route), then any API key is refused (spec section 8). The check runs here, in the function,
 * because it is the only code that sees both the query and the key store: API Gateway's IAM
 * authorizer neither flags nor refuses API keys, and an unsigned request never reaches a function.
 */
import { refuseSecretInQuery } from '../app/authenticate';
import type { AppDeps } from '../app/ports';
import { refuseApiKey } from '../core/admin-validation';
import { type HttpFn, httpHandler } from './handler';

export function adminHandler(deps: Pick<AppDeps, 'store' | 'log' | 'now'>, fn: HttpFn) {
  return httpHandler(deps.log, async (event, ctx) => {
    await refuseSecretInQuery({ store: deps.store, log: ctx.log }, event.queryStringParameters, deps.now());
    refuseApiKey(event.headers, event.queryStringParameters);
    return fn(event, ctx);
  });
}
