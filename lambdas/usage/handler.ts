// Placeholder so the stack synthesises; the owner of GET /v1/usage replaces this file.
import { httpHandler, json } from '../shared/http';

export const handler = httpHandler(async (_event, ctx) =>
  json(501, {
    error: { code: 'not_implemented', type: 'api', message: 'Not implemented yet.', request_id: ctx.requestId },
  }),
);
