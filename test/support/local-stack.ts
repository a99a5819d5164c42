/**
 * One local stack per e2e test file (lib/local/stack.ts: gateway, CDN stand-in, its own
 * DynamoDB Local + s3rver in a fresh temporary data dir), started before the file's tests and
 * stopped (data dir removed) after them; plus the admin API calls the tests make as an operator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../lib/local/stack';

/**
 * Registers beforeAll/afterAll and returns the stack; its fields are filled in by beforeAll, so
 * read them inside tests and hooks only. Handler crashes are dropped unless `opts.onError` says otherwise.
 */
export function useLocalStack(name: string, opts: Omit<LocalStackOptions, 'dataDir'> = {}): LocalStack {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `avtrz-e2e-${name}-`));
  const stack = {} as LocalStack;
  beforeAll(async () => {
    Object.assign(stack, await startLocalStack({ dataDir, onError: () => undefined, ...opts }));
  }, 60_000);
  afterAll(async () => {
    await stack.stop?.();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return stack;
}

/** The local stand-in for the IAM authorizer: the admin token as a bearer. */
export function adminHeaders(stack: LocalStack): Record<string, string> {
  return { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' };
}

/** POST to the admin API; the parsed JSON answer (a refused call fails the setup that made it). */
// biome-ignore lint/suspicious/noExplicitAny: tests read the fields the spec names
export async function adminPost(stack: LocalStack, route: string, body: unknown): Promise<any> {
  const res = await fetch(`${stack.apiUrl}${route}`, {
    method: 'POST',
    headers: adminHeaders(stack),
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${route}: ${res.status} ${await res.text()}`);
  return res.json();
}
