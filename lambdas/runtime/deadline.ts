/**
 * Request deadlines: one per invocation of the avatar and batch functions (app/budget.ts says how
 * it is set), shared by every dependency call the request makes, however deep. The clients of the
 * runtime (./clients.ts) give each SDK call the current deadline's abort signal, so a request that
 * makes several calls in a row still ends inside the function's timeout.
 *
 * The current deadline travels with the request's async context (AsyncLocalStorage), not as an
 * argument through every store function: concurrent requests in one runtime (the local stack, the
 * tests) each see their own.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Deadline } from '../app/ports';

interface Current {
  /** epoch ms by which this request's dependency calls must have ended */
  at: number;
  /** aborts at `at` */
  signal: AbortSignal;
}

export function createDeadline(): Deadline {
  const store = new AsyncLocalStorage<Current>();
  const msLeft = (reserveMs = 0) => {
    const d = store.getStore();
    return d ? d.at - reserveMs - Date.now() : Number.POSITIVE_INFINITY;
  };
  return {
    run(at, fn) {
      if (at === undefined) return fn();
      const signal = AbortSignal.timeout(Math.max(0, at - Date.now()));
      return store.run({ at, signal }, fn);
    },
    msLeft,
    signal(reserveMs = 0, capMs) {
      const d = store.getStore();
      const left = msLeft(reserveMs);
      const ms = capMs === undefined ? left : Math.min(capMs, left);
      if (!Number.isFinite(ms)) return undefined;
      if (d && reserveMs === 0 && ms === left) return d.signal;
      return AbortSignal.timeout(Math.max(0, ms));
    },
  };
}

type Sendable = { send: (command: never, options?: never) => Promise<unknown> };

/** Give each call of `client` the request deadline's signal, unless the caller passed its own. */
export function withDeadline<C extends Sendable>(client: C, deadline: Deadline): C {
  const send = client.send.bind(client) as (command: unknown, options?: unknown) => Promise<unknown>;
  (client as { send: unknown }).send = (command: unknown, options?: unknown) => {
    const signal = deadline.signal();
    if (!signal || typeof options === 'function') return send(command, options);
    const opts = (options ?? {}) as { abortSignal?: AbortSignal };
    return send(command, { ...opts, abortSignal: opts.abortSignal ?? signal });
  };
  return client;
}
