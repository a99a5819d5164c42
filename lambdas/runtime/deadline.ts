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
      // not AbortSignal.timeout: its timer outlives a request that ended early (a request is
      // usually done in milliseconds; the deadline is seconds away), and it costs the hot path
      // about as much CPU as the rest of the handler (npm run bench). This timer is cleared when
      // the request ends; work the request left running is bounded by its own per-call limits.
      const ac = new AbortController();
      const timer = setTimeout(
        () => ac.abort(new DOMException('The request deadline passed', 'TimeoutError')),
        Math.max(0, at - Date.now()),
      );
      timer.unref();
      return store.run({ at, signal: ac.signal }, fn).finally(() => clearTimeout(timer));
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
