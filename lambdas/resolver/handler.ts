/**
 * The photo resolver Lambda (lambdas/routes.ts RESOLVER): not a route; the avatar and batch
 * functions invoke it (RequestResponse for lookup/variant, Event for refresh). It is the only
 * function that bundles sharp and the guarded fetcher. The event is validated on arrival
 * (core/resolver-contract.ts) because it crosses a process boundary, and its id is recomputed
 * from its profile (resolve.ts requireProfileId); the use cases live in resolve.ts.
 */
import { parseResolverEvent, type ResolverResult } from '../core/resolver-contract';
import { createRuntime, type Runtime } from '../runtime';
import { requireProfileId, resolve } from './resolve';

export function createHandler(rt: Runtime) {
  return async (event: unknown): Promise<ResolverResult> => {
    const req = parseResolverEvent(event);
    await requireProfileId(rt, req);
    return resolve(rt, req);
  };
}

export const handler = createHandler(createRuntime());
