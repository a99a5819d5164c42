/**
 * GET /v1/openapi.json: the OpenAPI 3.1 document (document.ts), built once per cold start from
 * the route table and the schemas. No key needed; a secret key in the query is still refused and
 * flagged (spec section 1: on every route).
 */
import { refuseSecretInQuery } from '../app/authenticate';
import { httpHandler } from '../http/handler';
import { requireMethod } from '../http/request';
import { createRuntime, type Runtime } from '../runtime';
import { openApiDocument } from './document';

export function createHandler(rt: Runtime) {
  let body: string | undefined;
  return httpHandler(rt.log, async (event, { log }) => {
    requireMethod(event, 'GET');
    await refuseSecretInQuery({ store: rt.store, log }, event.queryStringParameters, rt.now());
    body ??= JSON.stringify(openApiDocument());
    return {
      statusCode: 200,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'cache-control': 'public, max-age=300',
        'access-control-allow-origin': '*',
      },
      body,
    };
  });
}

export const handler = createHandler(createRuntime());
