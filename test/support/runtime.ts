/**
 * The test process's runtime, over the environment the global setup published (DynamoDB Local,
 * s3rver): raw clients for assertions and the real stores for fixtures. Handlers under test are
 * built over `testRuntime`; `coldStart(overrides)` replaces what it stands for with a new runtime
 * (a new container: fresh caches), with another clock, client or environment. The production
 * code has no such hook: this file only ever calls createRuntime.
 */
import { createRuntime, type Runtime, type RuntimeOverrides } from '../../lambdas/runtime';

export interface TestOverrides extends Omit<RuntimeOverrides, 'env'> {
  /** variables set (or, with undefined, removed) on top of the test environment */
  env?: Record<string, string | undefined>;
}

function build(o: TestOverrides = {}): Runtime {
  const { env, ...rest } = o;
  return createRuntime({ ...rest, env: env ? { ...process.env, ...env } : undefined });
}

let current = build();

/** Stands for the current runtime: every property is read from it at the time of use. */
export const testRuntime: Runtime = new Proxy({} as Runtime, {
  get: (_target, prop) => Reflect.get(current, prop),
});

/** A cold start: from now on `testRuntime` is a new runtime with these overrides. */
export function coldStart(overrides: TestOverrides = {}): Runtime {
  current = build(overrides);
  return current;
}

/** the current runtime's stores */
export const store: Runtime['store'] = new Proxy({} as Runtime['store'], {
  get: (_t, prop) => Reflect.get(current.store, prop),
});
export const dynamo = () => current.clients.dynamo();
export const s3Client = () => current.clients.s3();
export const config = () => current.config;
