/**
 * GET /v1/usage?month=YYYY-MM (secret key in x-api-key): the caller's workspace usage, per key per
 * hour. Publishable keys are refused (403 forbidden) by authenticate. Not counted against the quota.
 */
import { AvtrzError } from '../core/errors';
import { monthOf, quotaHeaders } from '../core/quota';
import { invalidMonth, parseMonth, shapeUsage } from '../core/usage-shape';
import { authenticate } from '../shared/auth';
import { httpHandler, json } from '../shared/http';
import { currentQuotaHeaders, withQuotaHeaders } from '../shared/quota-headers';
import { loadUsage } from '../store/usage-read';

export const handler = httpHandler(async (event) => {
  const now = new Date();
  const auth = await authenticate(event, { route: 'usage', now });
  const month = parseMonth(event.queryStringParameters?.month, now);
  if (!month) {
    throw await withQuotaHeaders(invalidMonth(), auth.workspaceId, auth.monthlyQuota, now);
  }
  const data = await loadUsage(auth.workspaceId, month);
  // the key authenticated, so its workspace exists; a race with deletion is the only way here
  if (!data) throw new AvtrzError('invalid_key');
  // x-quota-* describe the current month whatever ?month= asks for (spec section 3); when that is
  // the month just read, its buckets already hold the count (no second read)
  const quota =
    month === monthOf(now)
      ? quotaHeaders({ limit: auth.monthlyQuota, used: data.usage?.used ?? 0 }, now)
      : await currentQuotaHeaders(auth.workspaceId, auth.monthlyQuota, now);
  return json(200, shapeUsage({ ...data, month, now }), quota);
});
