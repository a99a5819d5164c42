/** GET /v1/avatar: 302 to the CDN (app/avatar.ts); errors as JSON, or an SVG for image loads. */
import { avatarRedirect } from '../app/avatar';
import { renderAvatarError } from '../http/avatar-error';
import { httpHandler } from '../http/handler';
import { requireMethod } from '../http/request';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return httpHandler(
    rt.log,
    async (event, { log }) => {
      requireMethod(event, 'GET');
      const r = await avatarRedirect(rt, event, log);
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
}

export const handler = createHandler(createRuntime());
