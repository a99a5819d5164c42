'use strict';
/**
 * The deployed-shape tier's runtime client: what /var/runtime/index.mjs does inside a nodejs22.x
 * execution environment, reduced to the documented Lambda Runtime API
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html). It runs on the pinned Node 22
 * with Lambda's flags and NODE_PATH (test/deployed/support/function-host.ts sets both), in the
 * bundle's own folder as LAMBDA_TASK_ROOT:
 *
 *  1. load `_HANDLER` (`<module>.<export>`) from the task root with require(), as the runtime
 *     loads a CommonJS `.js` file; an init failure is posted to /runtime/init/error;
 *  2. loop: GET /runtime/invocation/next -> call the handler with the event and a context built
 *     from the response headers -> POST .../response or .../error.
 *
 * Nothing here knows avtrz: a bundle that works here but not in AWS is a bug in this file.
 */
const http = require('node:http');
const path = require('node:path');

const api = process.env.AWS_LAMBDA_RUNTIME_API;
const base = `/2018-06-01/runtime`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, urlPath, body, headers = {}) {
  const [host, port] = api.split(':');
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host,
        port,
        method,
        path: urlPath,
        agent,
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function errorPayload(err) {
  const e = err instanceof Error ? err : new Error(String(err));
  return JSON.stringify({
    errorType: e.name || 'Error',
    errorMessage: e.message,
    stackTrace: String(e.stack || '').split('\n'),
  });
}

function loadHandler() {
  const spec = process.env._HANDLER || '';
  const dot = spec.lastIndexOf('.');
  if (dot < 1)
    throw Object.assign(new Error(`Bad handler ${spec}`), { name: 'Runtime.MalformedHandlerName' });
  const file = path.resolve(process.env.LAMBDA_TASK_ROOT, spec.slice(0, dot));
  const mod = require(file);
  const fn = spec
    .slice(dot + 1)
    .split('.')
    .reduce((o, k) => (o == null ? o : o[k]), mod);
  if (typeof fn !== 'function') {
    throw Object.assign(new Error(`${spec} is undefined or not exported`), {
      name: 'Runtime.HandlerNotFound',
    });
  }
  return fn;
}

function contextFrom(headers) {
  const deadline = Number(headers['lambda-runtime-deadline-ms']);
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers['lambda-runtime-aws-request-id'],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

async function main() {
  let handler;
  try {
    handler = loadHandler();
  } catch (e) {
    await call('POST', `${base}/init/error`, errorPayload(e), {
      'lambda-runtime-function-error-type': e.name || 'Runtime.ImportModuleError',
    });
    process.exit(1);
  }
  for (;;) {
    const next = await call('GET', `${base}/invocation/next`);
    const id = next.headers['lambda-runtime-aws-request-id'];
    if (next.headers['lambda-runtime-trace-id'])
      process.env._X_AMZN_TRACE_ID = next.headers['lambda-runtime-trace-id'];
    let result;
    try {
      const event = JSON.parse(next.body.toString('utf8'));
      result = await handler(event, contextFrom(next.headers));
    } catch (e) {
      await call('POST', `${base}/invocation/${id}/error`, errorPayload(e), {
        'lambda-runtime-function-error-type': 'Unhandled',
      });
      continue;
    }
    await call(
      'POST',
      `${base}/invocation/${id}/response`,
      JSON.stringify(result === undefined ? null : result),
    );
  }
}

main().catch((e) => {
  process.stderr.write(`runtime client failed: ${e?.stack}\n`);
  process.exit(1);
});
