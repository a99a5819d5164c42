/**
 * POST /v1/avatars/batch (app/batch.ts): 200 with one result per item, in input order, within the
 * invocation's budget (app/budget.ts).
 */
import { avatarBatch } from '../app/batch';
import { BATCH_RESPONSE_MARGIN_MS, beforeDeadline } from '../app/budget';
import { errorBody } from '../core/errors';
import { withinBudget } from '../http/budget';
import { httpHandler, toAvtrzError } from '../http/handler';
import { parseJsonBody, requireMethod } from '../http/request';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  const http = httpHandler(rt.log, async (event, ctx) => {
    requireMethod(event, 'POST');
    const batch = avatarBatch(rt, {
      headers: event.headers,
      queryStringParameters: event.queryStringParameters,
      body: () => parseJsonBody(event),
      itemError: (e) => {
        const { request_id: _id, ...error } = errorBody(toAvtrzError(e, ctx.log), ctx.requestId).error;
        return error;
      },
    });
    const { results, quota } = await beforeDeadline(rt.deadline, batch);
    return json(200, { results }, quota);
  });
  return withinBudget(rt.deadline, http, BATCH_RESPONSE_MARGIN_MS);
}

export const handler = createHandler(createRuntime());
