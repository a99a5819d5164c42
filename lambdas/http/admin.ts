/**
 * The adapter every management handler (`/v1/admin/…` and its `/v1/console/…` twin) is wrapped
 * in: httpHandler, after the checks that hold on every management route whatever authorised the
 * caller (IAM at API Gateway in AWS, the bearer token locally, the JWT authorizer on console
 * routes). A secret key in the URL is refused and flagged first (spec section 1: on every route),
 * then any API key is refused (spec section 8). The check runs here, in the function, because it
 * is the only code that sees both the query and the key store: API Gateway's authorizers neither
 * flag nor refuse API keys, and an unsigned request never reaches a function.
 *
 * Then the caller (http/caller.ts) is resolved and, on every route with a `{ws}` path parameter,
 * checked against app/access.ts before the handler runs: a workspace the caller may not see
 * answers 404 on every such route, present or future, without the handler having to remember.
 */

import { type Caller, workspaceOfCaller } from '../app/access';
import { refuseSecretInQuery } from '../app/authenticate';
import type { AppDeps } from '../app/ports';
import { refuseApiKey } from '../core/admin-validation';
import { callerOf } from './caller';
import { httpHandler, type RequestCtx } from './handler';
import type { HttpEvent } from './request';
import type { HttpResult } from './responses';

export type AdminFn = (event: HttpEvent, ctx: RequestCtx & { caller: Caller }) => Promise<HttpResult>;

export function adminHandler(deps: Pick<AppDeps, 'store' | 'log' | 'now'>, fn: AdminFn) {
  return httpHandler(deps.log, async (event, ctx) => {
    await refuseSecretInQuery({ store: deps.store, log: ctx.log }, event.queryStringParameters, deps.now());
    refuseApiKey(event.headers, event.queryStringParameters);
    const caller = callerOf(event);
    const ws = event.pathParameters?.ws;
    if (ws !== undefined) workspaceOfCaller(caller, ws);
    return fn(event, { ...ctx, caller });
  });
}
