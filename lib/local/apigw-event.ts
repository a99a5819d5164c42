/**
 * What API Gateway (HTTP API, payload format 2.0) hands a Lambda function in AWS, built from a
 * real HTTP request, and the Lambda context it is invoked with. Pure (a context's deadline aside),
 * so the unit tests check the shape field by field.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface RawRequest {
  method: string;
  /** request target as received: path + optional `?query` */
  url: string;
  /** Node's flat [name, value, name, value, …] list (keeps repeated headers apart) */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
  /** the port the request came in on (x-forwarded-port) */
  localPort?: number;
  httpVersion: string;
}

/** A node:http request and its body, as buildEventV2 reads them. */
export function rawRequestOf(req: http.IncomingMessage, body: Buffer): RawRequest {
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    rawHeaders: req.rawHeaders,
    body,
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
    httpVersion: req.httpVersion,
    localPort: req.socket.localPort,
  };
}

// API Gateway passes these bodies as text and every other one base64-encoded
const TEXT_TYPES = [
  /^text\//,
  /^application\/(json|xml|javascript|x-www-form-urlencoded|graphql)\b/,
  /\+(json|xml)\b/,
];

function isTextContent(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const ct = contentType.toLowerCase();
  return TEXT_TYPES.some((re) => re.test(ct));
}

/** Percent-decoding that keeps a malformed escape as it is, as API Gateway does, instead of throwing. */
export function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `12/Mar/2020:19:03:58 +0000`, the format of requestContext.time */
export function apiGatewayTime(d: Date): string {
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${p(d.getUTCDate())}/${mon[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
  );
}

/** Lower-cased names; repeated headers joined with `,` as API Gateway does. */
export function collectHeaders(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    const value = rawHeaders[i + 1];
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  return headers;
}

/** Query parameters, decoded; repeated names joined with `,` as API Gateway does. */
export function collectQuery(rawQueryString: string): Record<string, string> | undefined {
  if (!rawQueryString) return undefined;
  const out: Record<string, string> = {};
  for (const part of rawQueryString.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : safeDecode(part.slice(eq + 1));
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return Object.keys(out).length ? out : undefined;
}

export function buildEventV2(
  req: RawRequest,
  match: { routeKey: string; pathParameters?: Record<string, string> },
  ctx: { requestId: string; now: Date; apiId?: string; accountId?: string },
): APIGatewayProxyEventV2 {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQueryString = q < 0 ? '' : req.url.slice(q + 1);
  const headers = collectHeaders(req.rawHeaders);
  // payload v2 moves the Cookie header into `cookies`
  const cookieHeader = headers.cookie;
  delete headers.cookie;
  const cookies = cookieHeader
    ? cookieHeader
        .split(/;\s*|,/)
        .map((c) => c.trim())
        .filter(Boolean)
    : undefined;
  // what API Gateway adds in front of the function
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${req.sourceIp}`
    : req.sourceIp;
  headers['x-forwarded-proto'] = 'http';
  if (req.localPort) headers['x-forwarded-port'] = String(req.localPort);
  headers['x-amzn-trace-id'] ??=
    `Root=1-${Math.floor(ctx.now.getTime() / 1000).toString(16)}-` +
    createHash('sha256').update(ctx.requestId).digest('hex').slice(0, 24);
  const domainName = (headers.host ?? 'localhost').replace(/:\d+$/, '');
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: match.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: ctx.accountId ?? '000000000000',
      apiId: ctx.apiId ?? 'local',
      domainName,
      domainPrefix: domainName.split('.')[0],
      http: {
        method: req.method.toUpperCase(),
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: ctx.requestId,
      routeKey: match.routeKey,
      stage: '$default',
      time: apiGatewayTime(ctx.now),
      timeEpoch: ctx.now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies?.length) event.cookies = cookies;
  const query = collectQuery(rawQueryString);
  if (query) event.queryStringParameters = query;
  if (match.pathParameters && Object.keys(match.pathParameters).length) {
    event.pathParameters = { ...match.pathParameters };
  }
  if (req.body.length) {
    if (isTextContent(headers['content-type'])) {
      event.body = req.body.toString('utf8');
    } else {
      event.body = req.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

export function lambdaContext(functionName: string, requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * A verified token's claims as the HTTP API JWT authorizer passes them in payload v2: every value
 * a string (a list as `"[a b]"`, space-separated in brackets; numbers and booleans as text; an
 * object as its JSON), null-valued claims left out.
 */
export function renderJwtClaims(payload: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v))
      out[k] = `[${v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' ')}]`;
    else if (typeof v === 'object') out[k] = JSON.stringify(v);
    else out[k] = String(v);
  }
  return out;
}

/**
 * What the JWT authorizer adds to an authorised request's event: `requestContext.authorizer.jwt`
 * with the claims and the token's scopes (the route requires scopes, so they are listed).
 */
export function addJwtAuthorizer(event: APIGatewayProxyEventV2, payload: Record<string, unknown>): void {
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
  (event.requestContext as unknown as Record<string, unknown>).authorizer = {
    jwt: { claims: renderJwtClaims(payload), scopes },
  };
}
