/**
 * Jest hooks for a describe block: the photo resolver as a Lambda behind the local gateway's
 * Invoke API (AWS_ENDPOINT_URL_LAMBDA, AVTRZ_RESOLVER_FUNCTION), the path a deployed stack takes
 * instead of the in-process fallback. The test runtime is cold-started with both variables, and again without them afterwards.
 */
import type http from 'node:http';
import { closeServer, createGateway, listen } from '../../lib/local/gateway';
import { coldStart, testRuntime } from './runtime';

export const RESOLVER_FUNCTION = 'avtrz-resolver';

export function useResolverLambda(): void {
  let gateway: http.Server | undefined;
  let env: Record<string, string | undefined> = {};
  beforeAll(async () => {
    // the resolver function runs over the same runtime as the test's handlers (one process)
    gateway = createGateway({
      adminToken: 'unused-admin-token',
      isReady: () => true,
      runtime: () => testRuntime,
    });
    const port = await listen(gateway, 0, 'Lambda Invoke API');
    env = {
      ...testRuntime.env,
      AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${port}`,
      AVTRZ_RESOLVER_FUNCTION: RESOLVER_FUNCTION,
    };
    coldStart({ env });
  });
  afterAll(async () => {
    coldStart();
    if (gateway) await closeServer(gateway);
  });
}
