/**
 * Jest hooks for a describe block: the photo resolver as a Lambda behind the local gateway's
 * Invoke API (AWS_ENDPOINT_URL_LAMBDA, AVTRZ_RESOLVER_FUNCTION), the path a deployed stack takes
 * instead of the in-process fallback. Both variables are put back as they were afterwards.
 */
import type http from 'node:http';
import { resetConfig } from '../../lambdas/shared/config';
import { closeServer, createGateway, listen } from '../../lib/local/gateway';

export const RESOLVER_FUNCTION = 'avtrz-resolver';
const VARS = ['AWS_ENDPOINT_URL_LAMBDA', 'AVTRZ_RESOLVER_FUNCTION'] as const;

export function useResolverLambda(): void {
  let gateway: http.Server | undefined;
  const before = new Map<string, string | undefined>();
  beforeAll(async () => {
    for (const name of VARS) before.set(name, process.env[name]);
    gateway = createGateway({ adminToken: 'unused-admin-token', isReady: () => true });
    const port = await listen(gateway, 0, 'Lambda Invoke API');
    process.env.AWS_ENDPOINT_URL_LAMBDA = `http://127.0.0.1:${port}`;
    process.env.AVTRZ_RESOLVER_FUNCTION = RESOLVER_FUNCTION;
    resetConfig();
  });
  afterAll(async () => {
    for (const [name, value] of before) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetConfig();
    if (gateway) await closeServer(gateway);
  });
}
