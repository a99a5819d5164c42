/**
 * The AWS services the deployed template needs that have no local jar: API Gateway (HTTP API,
 * payload 2.0, routes from the template), its IAM authorizer (a real SigV4 check), the Lambda
 * Invoke API (sync and async, with the template's EventInvokeConfig), and Secrets Manager's
 * GetSecretValue. DynamoDB Local and s3rver stand in for the rest.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { JWTPayload } from 'jose';
import { addJwtAuthorizer, buildEventV2 } from '../../../lib/local/apigw-event';
import { writeResult } from '../../../lib/local/http-io';
import { TokenRejected } from '../../../lib/local/jwt-authorizer';
import { type Credentials, verifySigV4 } from '../../../lib/local/sigv4';
import type { FunctionHost, InvokeOutcome } from './function-host';
import type { RouteSpec } from './template';

export { type Credentials, type SigV4Verdict, verifySigV4 } from '../../../lib/local/sigv4';

function readBody(req: http.IncomingMessage, limit = 10 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new Error('payload too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const b = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': b.length, ...headers });
  res.end(b);
}

// ---------------------------------------------------------------------------------------------
// API Gateway (HTTP API)

export interface ApiCall {
  routeKey: string;
  functionId: string;
  status: number;
}

export interface ApiGatewayOptions {
  routes: readonly RouteSpec[];
  hostFor: (functionId: string) => FunctionHost;
  region: string;
  accountId: string;
  iamCredentials: readonly Credentials[];
  /** every request that reached an integration, with the status answered */
  calls: ApiCall[];
  /** a JWT route's authorizer: the verified claims, or TokenRejected (deployment.ts) */
  verifyJwt?: (route: RouteSpec, authorization: string | undefined) => Promise<JWTPayload>;
}

function matchRoute(routes: readonly RouteSpec[], method: string, path: string) {
  for (const r of routes) {
    if (r.routeKey === '$default') continue;
    const [m, tpl] = r.routeKey.split(' ');
    if (m !== method && m !== 'ANY') continue;
    const t = tpl.split('/');
    const p = path.split('/');
    if (t.length !== p.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < t.length && ok; i++) {
      if (/^\{[^}+]+\}$/.test(t[i])) {
        if (!p[i]) ok = false;
        else params[t[i].slice(1, -1)] = decodeURIComponent(p[i]);
      } else if (t[i] !== p[i]) ok = false;
    }
    if (ok) return { route: r, pathParameters: params };
  }
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback, pathParameters: {} } : undefined;
}

/** API Gateway's answers of its own (not the function's): `{"message": …}` bodies. */
function gatewayError(
  res: http.ServerResponse,
  status: number,
  message: string,
  requestId: string,
  headers: Record<string, string> = {},
): void {
  json(res, status, { message }, { 'apigw-requestid': requestId, ...headers });
}

export function createApiGateway(opts: ApiGatewayOptions): http.Server {
  return http.createServer(async (req, res) => {
    const requestId = randomUUID();
    try {
      const body = await readBody(req);
      const method = (req.method ?? 'GET').toUpperCase();
      const pathOnly = (req.url ?? '/').split('?')[0];
      const match = matchRoute(opts.routes, method, pathOnly);
      if (!match) return gatewayError(res, 404, 'Not Found', requestId);
      const { route } = match;
      const event = buildEventV2(
        {
          method,
          url: req.url ?? '/',
          rawHeaders: req.rawHeaders,
          body,
          sourceIp: '127.0.0.1',
          httpVersion: req.httpVersion,
          localPort: req.socket.localPort,
        },
        { routeKey: route.routeKey, pathParameters: match.pathParameters },
        { requestId, now: new Date(), apiId: 'deployed', accountId: opts.accountId },
      );
      if (route.authorizationType === 'AWS_IAM') {
        const verdict = await verifySigV4(
          { method, url: req.url ?? '/', headers: req.headers, body },
          { service: 'execute-api', region: opts.region, credentials: opts.iamCredentials },
        );
        if (!verdict.ok) return gatewayError(res, 403, verdict.message, requestId);
        (event.requestContext as unknown as Record<string, unknown>).authorizer = {
          iam: {
            accessKey: verdict.accessKeyId,
            accountId: opts.accountId,
            callerId: 'AIDAOPERATOR',
            cognitoIdentity: null,
            principalOrgId: null,
            userArn: `arn:aws:iam::${opts.accountId}:user/operator`,
            userId: 'AIDAOPERATOR',
          },
        };
      } else if (route.authorizationType === 'JWT') {
        if (!opts.verifyJwt) throw new Error(`${route.routeKey}: no JWT authorizer is modelled`);
        try {
          addJwtAuthorizer(event, await opts.verifyJwt(route, event.headers.authorization));
        } catch (e) {
          if (!(e instanceof TokenRejected)) throw e;
          // API Gateway's own bodies: 401 Unauthorized, 403 Forbidden (insufficient scope)
          const message = e.status === 401 ? 'Unauthorized' : 'Forbidden';
          return gatewayError(res, e.status, message, requestId, { 'www-authenticate': e.wwwAuthenticate });
        }
      } else if (route.authorizationType !== 'NONE') {
        throw new Error(`${route.routeKey}: authorization ${route.authorizationType} is not emulated`);
      }
      const outcome = await opts.hostFor(route.functionId).invoke(event);
      // a failed or timed-out function: API Gateway's own 500
      const status = outcome.error ? 500 : ((outcome.payload as { statusCode?: number })?.statusCode ?? 200);
      opts.calls.push({ routeKey: route.routeKey, functionId: route.functionId, status });
      if (outcome.error) return gatewayError(res, 500, 'Internal Server Error', requestId);
      writeResult(res, outcome.payload, requestId);
    } catch (e) {
      if (!res.headersSent) gatewayError(res, 500, `stand-in failure: ${(e as Error).message}`, requestId);
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Lambda Invoke API

export interface AsyncFailure {
  destination?: string;
  record: {
    requestContext: { functionArn: string; condition: string; approximateInvokeCount: number };
    requestPayload: unknown;
    responsePayload: unknown;
  };
}

export interface LambdaApiOptions {
  /** by function name and by ARN */
  hostFor: (nameOrArn: string) => FunctionHost | undefined;
  asyncConfig: (host: FunctionHost) => { maxRetries: number; destination?: string; arn: string };
  region: string;
  credentials: readonly Credentials[];
  /** async invocations whose retries ran out (what an on-failure destination receives) */
  asyncFailures: AsyncFailure[];
  /** async invocations still running (tests wait for them) */
  inFlight: Set<Promise<unknown>>;
}

const INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export function createLambdaApi(opts: LambdaApiOptions): http.Server {
  return http.createServer(async (req, res) => {
    const requestId = randomUUID();
    try {
      const body = await readBody(req, 6 * 1024 * 1024);
      const m = INVOKE.exec((req.url ?? '').split('?')[0]);
      if (req.method !== 'POST' || !m) return json(res, 404, { message: 'Unknown operation' });
      const verdict = await verifySigV4(
        { method: 'POST', url: req.url ?? '/', headers: req.headers, body },
        { service: 'lambda', region: opts.region, credentials: opts.credentials },
      );
      if (!verdict.ok) {
        return json(res, 403, { message: verdict.message }, { 'x-amzn-errortype': 'AccessDeniedException' });
      }
      const host = opts.hostFor(decodeURIComponent(m[1]));
      if (!host) {
        return json(
          res,
          404,
          { Type: 'User', message: `Function not found: ${decodeURIComponent(m[1])}` },
          { 'x-amzn-errortype': 'ResourceNotFoundException' },
        );
      }
      let event: unknown = {};
      try {
        event = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return json(
          res,
          400,
          { Type: 'User', message: 'Could not parse request body into json' },
          { 'x-amzn-errortype': 'InvalidRequestContentException' },
        );
      }
      const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
      if (type === 'Event') {
        res.writeHead(202, { 'x-amzn-requestid': requestId }).end();
        const run = runAsync(host, event, opts);
        opts.inFlight.add(run);
        run.finally(() => opts.inFlight.delete(run));
        return;
      }
      if (type !== 'RequestResponse') return res.writeHead(204, { 'x-amzn-requestid': requestId }).end();
      const out = await host.invoke(event);
      json(res, 200, out.payload, {
        'x-amzn-requestid': requestId,
        'x-amz-executed-version': '$LATEST',
        ...(out.error ? { 'x-amz-function-error': 'Unhandled' } : {}),
      });
    } catch (e) {
      if (!res.headersSent) json(res, 500, { message: (e as Error).message });
    }
  });
}

/** Lambda's async path: the event, then up to MaximumRetryAttempts retries, then the destination. */
async function runAsync(host: FunctionHost, event: unknown, opts: LambdaApiOptions): Promise<void> {
  const cfg = opts.asyncConfig(host);
  let out: InvokeOutcome | undefined;
  let attempts = 0;
  // Lambda waits about 1 and 2 minutes between attempts; the tier retries at once
  while (attempts <= cfg.maxRetries) {
    attempts++;
    out = await host.invoke(event);
    if (!out.error) return;
  }
  opts.asyncFailures.push({
    destination: cfg.destination,
    record: {
      requestContext: {
        functionArn: cfg.arn,
        condition: 'RetriesExhausted',
        approximateInvokeCount: attempts,
      },
      requestPayload: event,
      responsePayload: out?.payload,
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Secrets Manager

export function createSecretsManager(opts: {
  secrets: Map<string, { arn: string; name: string; value: string }>;
  region: string;
  credentials: readonly Credentials[];
  reads: string[];
}): http.Server {
  return http.createServer(async (req, res) => {
    try {
      const body = await readBody(req);
      const verdict = await verifySigV4(
        { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
        { service: 'secretsmanager', region: opts.region, credentials: opts.credentials },
      );
      const err = (status: number, type: string, message: string) =>
        json(res, status, { __type: type, message }, { 'x-amzn-errortype': type });
      if (!verdict.ok) return err(403, 'AccessDeniedException', verdict.message);
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return err(400, 'UnknownOperationException', `${req.headers['x-amz-target']} is not emulated`);
      }
      const { SecretId } = JSON.parse(body.toString('utf8')) as { SecretId: string };
      const secret = [...opts.secrets.values()].find((s) => s.arn === SecretId || s.name === SecretId);
      if (!secret)
        return err(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
      opts.reads.push(secret.arn);
      json(res, 200, {
        ARN: secret.arn,
        Name: secret.name,
        SecretString: secret.value,
        VersionId: '00000000-0000-0000-0000-000000000001',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Math.floor(Date.now() / 1000),
      });
    } catch (e) {
      if (!res.headersSent) json(res, 500, { message: (e as Error).message });
    }
  });
}
