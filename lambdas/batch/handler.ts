/** POST /v1/avatars/batch (app/batch.ts): 200 with one result per item, in input order. */
import { avatarBatch } from '../app/batch';
import { errorBody } from '../core/errors';
import { httpHandler, toAvtrzError } from '../http/handler';
import { parseJsonBody, requireMethod } from '../http/request';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return httpHandler(rt.log, async (event, ctx) => {
    requireMethod(event, 'POST');
    const { results, quota } = await avatarBatch(rt, {
      headers: event.headers,
      queryStringParameters: event.queryStringParameters,
      body: () => parseJsonBody(event),
      itemError: (e) => {
        const { request_id: _id, ...error } = errorBody(toAvtrzError(e, ctx.log), ctx.requestId).error;
        return error;
      },
    });
    return json(200, { results }, quota);
  });
}

export const handler = createHandler(createRuntime());
