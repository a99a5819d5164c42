/**
 * The photo resolver Lambda (lambdas/routes.ts RESOLVER): not a route; the avatar and batch
 * functions invoke it (RequestResponse for lookup/variant, Event for refresh). It is the only
 * function that bundles sharp and the guarded fetcher. The event is validated on arrival
 * (core/resolver-contract.ts) because it crosses a process boundary; the use cases live in
 * resolve.ts.
 */
import { parseResolverEvent, type ResolverResult } from '../core/resolver-contract';
import { createRuntime, type Runtime } from '../runtime';
import { resolve } from './resolve';

export function createHandler(rt: Runtime) {
  return async (event: unknown): Promise<ResolverResult> => resolve(rt, parseResolverEvent(event));
}

export const handler = createHandler(createRuntime());
