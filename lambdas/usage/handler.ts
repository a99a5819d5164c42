/** GET /v1/usage?month=YYYY-MM[&from=…&to=…] (secret key in x-api-key): the caller's workspace usage (app/usage.ts). */
import { usageOfCaller } from '../app/usage';
import { httpHandler } from '../http/handler';
import { json } from '../http/responses';
import { createRuntime, type Runtime } from '../runtime';

export function createHandler(rt: Runtime) {
  return httpHandler(rt.log, async (event) => {
    const { usage, quota } = await usageOfCaller(rt, event);
    return json(200, usage, quota);
  });
}

export const handler = createHandler(createRuntime());
