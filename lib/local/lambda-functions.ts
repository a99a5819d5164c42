/**
 * The Lambda service's side of the local stack: each function's code is `lambdas/<name>/handler.ts`
 * built over the stack's runtime, kept warm between requests and built again when the runtime
 * changes (a cold start), and run under its timeout.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import type { Runtime } from '../../lambdas/runtime';

const LAMBDAS_DIR = path.resolve(__dirname, '../../lambdas');

export type LambdaFn = (event: unknown, context: Context) => Promise<unknown>;
/** Returns the `handler` export of `lambdas/<name>/handler.ts`, or undefined when there is none. */
export type HandlerLoader = (name: string) => Promise<LambdaFn | undefined>;

/**
 * Loads `lambdas/<name>/handler.ts` and builds its handler over `runtime` (`createHandler`), as a
 * cold start would over the function's environment; without a runtime, its own `handler`.
 */
export function lambdaLoader(runtime: () => Runtime | undefined = () => undefined): HandlerLoader {
  return async (name) => {
    const rt = runtime();
    const file = path.join(LAMBDAS_DIR, name, 'handler.ts');
    if (!existsSync(file)) return undefined;
    const mod = await import(file);
    const exports = mod.createHandler || mod.handler ? mod : mod.default;
    const fn = rt && exports?.createHandler ? exports.createHandler(rt) : exports?.handler;
    return typeof fn === 'function' ? (fn as LambdaFn) : undefined;
  };
}

/** Warm functions: each loaded once per runtime; a failed load is tried again on the next request. */
export function warmFunctions(
  loadHandler: HandlerLoader,
  runtime?: () => Runtime | undefined,
): HandlerLoader {
  const cache = new Map<string, Promise<LambdaFn | undefined>>();
  let cachedFor = runtime?.();
  return (name) => {
    // a new runtime is a cold start: every function is built again over it
    const rt = runtime?.();
    if (rt !== cachedFor) {
      cache.clear();
      cachedFor = rt;
    }
    let p = cache.get(name);
    if (!p) {
      p = loadHandler(name);
      cache.set(name, p);
      p.catch(() => cache.delete(name));
    }
    return p;
  };
}

/** A function ran past its timeout: Lambda would end it; here it keeps running and only its late outcome is reported. */
export class Timeout extends Error {}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
