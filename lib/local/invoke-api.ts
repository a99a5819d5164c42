/**
 * The Lambda Invoke API (`POST /2015-03-31/functions/{name}/invocations`) for the resolver
 * function: the avatar and batch handlers invoke it with the SDK in AWS, and the same SDK call
 * works locally once AWS_ENDPOINT_URL_LAMBDA points at the gateway.
 */
import type http from 'node:http';
import { RESOLVER } from '../../lambdas/routes';
import { lambdaContext, safeDecode } from './apigw-event';
import { readBody } from './http-io';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './services';
import { verifySigV4 } from './sigv4';

/**
 * Lambda's IAM check, locally: a real SigV4 signature by the local credentials (what the
 * handlers' Lambda client signs with, lib/local/services.ts), scoped to lambda in the local
 * region. Undefined = allowed.
 */
async function invokeDenied(
  req: http.IncomingMessage,
  body: Buffer,
): Promise<{ errorType: string; message: string } | undefined> {
  const verdict = await verifySigV4(
    { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
    { service: 'lambda', region: LOCAL_REGION, credentials: [LOCAL_CREDENTIALS] },
  );
  if (verdict.ok) return undefined;
  const errorType = req.headers.authorization ? 'InvalidSignatureException' : 'AccessDeniedException';
  return { errorType, message: verdict.message };
}

import { type LambdaFn, Timeout, withTimeout } from './lambda-functions';

/** Lambda's limit on a synchronous invocation's payload. */
const INVOKE_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export interface InvokeDeps {
  /** the resolver's handler, or undefined when the function set has none */
  loadResolver: () => Promise<LambdaFn | undefined>;
  /** the function name the API answers for (AVTRZ_RESOLVER_FUNCTION) */
  functionName: string;
  onError: (err: unknown, where: string) => void;
}

/** The function name an Invoke API request names, or undefined for any other request. */
export function invokedFunction(method: string, pathOnly: string): string | undefined {
  const m = method === 'POST' ? INVOKE_PATH.exec(pathOnly) : null;
  return m ? safeDecode(m[1]) : undefined;
}

export async function handleInvoke(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  requestId: string,
  name: string,
  deps: InvokeDeps,
): Promise<void> {
  const notFound = () => {
    const payload = JSON.stringify({ Type: 'User', message: `Function not found: ${name}` });
    res.writeHead(404, {
      'content-type': 'application/json',
      'x-amzn-errortype': 'ResourceNotFoundException',
      'x-amzn-requestid': requestId,
    });
    res.end(payload);
  };
  const wanted = deps.functionName;
  // a plain name, or an ARN `arn:aws:lambda:…:function:<name>[:qualifier]`
  const plain = /:function:([^:]+)/.exec(name)?.[1] ?? name;
  if (plain !== wanted) return notFound();
  const raw = await readBody(req, INVOKE_PAYLOAD_LIMIT_BYTES);
  const denied = await invokeDenied(req, raw);
  if (denied) {
    res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': denied.errorType });
    res.end(JSON.stringify({ message: denied.message }));
    return;
  }
  const fn = await deps.loadResolver();
  if (!fn) return notFound();
  let payload: unknown = {};
  if (raw.length) {
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      res.writeHead(400, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'InvalidRequestContentException',
      });
      res.end(JSON.stringify({ Type: 'User', message: 'Could not parse request body into json' }));
      return;
    }
  }
  const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
  const ms = RESOLVER.timeoutSeconds * 1000;
  const context = lambdaContext(wanted, requestId, ms);
  if (type === 'DryRun') {
    res.writeHead(204, { 'x-amzn-requestid': requestId });
    res.end();
    return;
  }
  if (type === 'Event') {
    res.writeHead(202, { 'x-amzn-requestid': requestId });
    res.end();
    Promise.resolve()
      .then(() => fn(payload, context))
      .catch((e) => deps.onError(e, `${wanted} (async invoke)`));
    return;
  }
  const head = {
    'content-type': 'application/json',
    'x-amzn-requestid': requestId,
    'x-amz-executed-version': '$LATEST',
  };
  const running = Promise.resolve().then(() => fn(payload, context));
  try {
    const out = await withTimeout(running, ms);
    res.writeHead(200, head);
    res.end(JSON.stringify(out ?? null));
  } catch (e) {
    running.catch(() => undefined);
    deps.onError(e, `${wanted} (invoke)`);
    const timedOut = e instanceof Timeout;
    res.writeHead(200, { ...head, 'x-amz-function-error': 'Unhandled' });
    res.end(
      JSON.stringify({
        errorType: timedOut ? 'Sandbox.Timedout' : ((e as Error)?.name ?? 'Error'),
        errorMessage: timedOut
          ? `Task timed out after ${RESOLVER.timeoutSeconds.toFixed(2)} seconds`
          : String((e as Error)?.message ?? e),
      }),
    );
  }
}
