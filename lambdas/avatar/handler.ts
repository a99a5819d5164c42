/**
 * GET /v1/avatar: 302 to the CDN (app/avatar.ts); errors as JSON, or an SVG for image loads.
 * Everything runs within the invocation's budget (app/budget.ts): what has not answered by the
 * deadline answers 503 `unavailable` before the function's timeout.
 */
import { avatarRedirect } from '../app/avatar';
import { beforeDeadline, RESPONSE_MARGIN_MS } from '../app/budget';
import { renderAvatarError } from '../http/avatar-error';
import { withinBudget } from '../http/budget';
import { httpHandler } from '../http/handler';
import { requireMethod } from '../http/request';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  const http = httpHandler(
    rt.log,
    async (event, { log }) => {
      requireMethod(event, 'GET');
      const r = await beforeDeadline(rt.deadline, avatarRedirect(rt, event, log));
      return {
        statusCode: 302,
        headers: {
          location: r.location,
          'cache-control': `${r.keyType === 'publishable' ? 'public' : 'private'}, max-age=3600`,
          // the allow-list decision depends on these: a cached redirect must not serve another site
          vary: 'Origin, Referer',
          ...r.quota,
        },
        body: '',
      };
    },
    renderAvatarError,
  );
  return withinBudget(rt.deadline, http, RESPONSE_MARGIN_MS);
}

export const handler = createHandler(createRuntime());
