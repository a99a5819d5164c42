/**
 * GET /v1/avatar (spec sections 1–5): authenticate → validate → avatar record (memory, else
 * DynamoDB) → ONE counted write → 302 to the CDN (creating the initials on a miss).
 * The warm hot path for a known profile makes exactly one DynamoDB call: the usage write.
 * Everything runs within the invocation's budget (./budget.ts): what has not answered by the
 * deadline answers 503 `unavailable` before the function's timeout.
 */
import { AvtrzError } from '../core/errors';
import { profileId } from '../core/hmac';
import { parseProfile } from '../core/profile';
import { quotaHeaders } from '../core/quota';
import { type Fallback, type Format, parseFallback, parseFormat, parseSize } from '../core/size';
import { authenticate } from '../shared/auth';
import { config } from '../shared/config';
import { type HttpEvent, type HttpResult, httpHandler, type RequestCtx } from '../shared/http';
import { withQuotaHeaders } from '../shared/quota-headers';
import { hmacSecret } from '../shared/secret';
import { beforeDeadline, RESPONSE_MARGIN_MS, withinBudget } from './budget';
import { locationFor } from './location';
import { renderAvatarError } from './render';
import { serveAvatar } from './serve';

let clock: () => Date = () => new Date();
/** Tests: inject the clock (month rollover, expiry). */
export function setClock(fn: (() => Date) | undefined): void {
  clock = fn ?? (() => new Date());
}

export async function avatar(event: HttpEvent, ctx: RequestCtx): Promise<HttpResult> {
  const method = event.requestContext?.http?.method ?? 'GET';
  if (method !== 'GET') throw new AvtrzError('method_not_allowed', undefined, undefined, { allow: 'GET' });
  const now = clock();

  const auth = await authenticate(event, { route: 'avatar', now });

  const q = event.queryStringParameters ?? {};
  let params: { profile: string; size: number; format: Format; fallback: Fallback };
  try {
    params = {
      profile: parseProfile(q.linkedin_url),
      size: parseSize(q.size),
      format: parseFormat(q.format),
      fallback: parseFallback(q.fallback),
    };
  } catch (e) {
    // refused for its parameters: not counted, but still carries x-quota-* (read, not written)
    throw await withQuotaHeaders(e, auth.workspaceId, auth.monthlyQuota, now);
  }
  const { profile, size, format, fallback } = params;

  const id = profileId(await hmacSecret(), profile);
  const served = await serveAvatar({ id, profile, size, format, auth, now });
  const quota = quotaHeaders({ limit: auth.monthlyQuota, used: served.used }, now);
  if (!served.record) throw new AvtrzError('plan_limit', undefined, undefined, quota);
  const rec = served.record;
  ctx.log.debug('avatar', { key_id: auth.keyId, workspace_id: auth.workspaceId, kind: rec.kind });

  if (rec.kind === 'initials' && fallback === '404') {
    throw new AvtrzError('not_found', 'No photo exists for this profile.', undefined, quota);
  }
  return {
    statusCode: 302,
    headers: {
      location: locationFor(config().cdnUrl, rec, size, format),
      'cache-control': `${auth.type === 'publishable' ? 'public' : 'private'}, max-age=3600`,
      // the allow-list decision depends on these: a cached redirect must not serve another site
      vary: 'Origin, Referer',
      ...quota,
    },
    body: '',
  };
}

export const handler = withinBudget(
  httpHandler((event, ctx) => beforeDeadline(avatar(event, ctx)), renderAvatarError),
  RESPONSE_MARGIN_MS,
);
