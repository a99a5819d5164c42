/**
 * x-quota-* for authorised answers that did not go through the counted write (spec section 3:
 * "quota headers on every authorised response"): the month's count is read, not written.
 * Best effort: when the read fails, the answer goes out without the headers.
 */
import { AvtrzError } from '../core/errors';
import { quotaHeaders } from '../core/quota';
import type { AppDeps } from './ports';

type QuotaDeps = Pick<AppDeps, 'store'>;

/** The headers for the current month, or {} when the usage read fails. */
export async function currentQuotaHeaders(
  deps: QuotaDeps,
  workspaceId: string,
  limit: number,
  now: Date,
): Promise<Record<string, string>> {
  try {
    return quotaHeaders({ limit, used: await deps.store.usage.readUsed(workspaceId, now) }, now);
  } catch {
    return {};
  }
}

/** An AvtrzError refusing an authorised request, with the x-quota-* headers added. */
export async function withQuotaHeaders(
  deps: QuotaDeps,
  e: unknown,
  workspaceId: string,
  limit: number,
  now: Date,
): Promise<unknown> {
  if (!(e instanceof AvtrzError)) return e;
  const quota = await currentQuotaHeaders(deps, workspaceId, limit, now);
  return new AvtrzError(e.code, e.message, e.param, { ...e.headers, ...quota });
}
