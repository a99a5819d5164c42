/**
 * The CLI's HTTP client. Against a deployed stack (`--region`) every request is SigV4-signed for
 * `execute-api` with credentials from the default AWS provider chain; against the local stack it
 * sends `Authorization: Bearer $AVTRZ_ADMIN_TOKEN`.
 */
import http from 'node:http';
import https from 'node:https';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

// The SigV4 signer and the AWS credential chain are loaded only with --region (dynamic imports,
// kept as such in the bundle), so `avtrz --help` and local-stack calls never pay for the SDK.

export interface ClientOptions {
  endpoint: string;
  /** set: SigV4 for this region; unset: bearer admin token (if any) */
  region?: string;
  adminToken?: string;
  /** tests: inject credentials instead of the default chain */
  credentials?: AwsCredentialIdentityProvider;
  timeoutMs?: number;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of many shapes
  body: any;
  raw: string;
}

/** An API answered with an error body (or a non-JSON failure). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

/**
 * The request never got an API answer: the endpoint is unreachable or not a URL, the answer was
 * not JSON, or (with --region) there are no AWS credentials. `hint` says what to do.
 */
export class NetworkError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly code = 'network',
  ) {
    super(message);
  }
}

const NOT_AVTRZ = 'is --endpoint the avtrz API?';

/** What to check for a socket error code (ECONNREFUSED, ENOTFOUND, …). */
function networkHint(code: string | undefined, url: URL): string | undefined {
  const local = url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '::1';
  if (code === 'ECONNREFUSED') return 'is `npm run dev` running, or is `--endpoint` right?';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return 'check the host name in --endpoint (or $AVTRZ_ENDPOINT)';
  if (code === 'ECONNRESET' || code === 'EPROTO') {
    return local
      ? 'is `npm run dev` running, or is `--endpoint` right?'
      : 'is --endpoint right (http vs https)?';
  }
  return undefined;
}

const WHY: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
};

export interface PreparedRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

function buildUrl(endpoint: string, path: string, query: Record<string, string | undefined> = {}): URL {
  let base: URL;
  try {
    base = new URL(endpoint);
  } catch {
    throw new NetworkError(
      `--endpoint is not a URL: ${JSON.stringify(endpoint)}`,
      'e.g. --endpoint http://127.0.0.1:3000',
      'usage',
    );
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new NetworkError(
      `--endpoint must be http(s): ${JSON.stringify(endpoint)}`,
      'e.g. --endpoint https://<api id>.execute-api.<region>.amazonaws.com',
      'usage',
    );
  }
  const url = new URL(base.toString());
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  url.search = '';
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/** Add authentication: SigV4 (with --region) or the bearer admin token. */
async function authorize(req: PreparedRequest, opts: ClientOptions): Promise<PreparedRequest> {
  if (!opts.region) {
    return opts.adminToken
      ? { ...req, headers: { ...req.headers, authorization: `Bearer ${opts.adminToken}` } }
      : req;
  }
  const [{ SignatureV4 }, { Sha256 }] = await Promise.all([
    import('@smithy/signature-v4'),
    import('@aws-crypto/sha256-js'),
  ]);
  const credentials =
    opts.credentials ?? (await import('@aws-sdk/credential-providers')).fromNodeProviderChain();
  const signer = new SignatureV4({
    service: 'execute-api',
    region: opts.region,
    credentials,
    sha256: Sha256,
  });
  const query: Record<string, string> = {};
  req.url.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  const signed = await signer
    .sign({
      method: req.method,
      protocol: req.url.protocol,
      hostname: req.url.hostname,
      port: req.url.port ? Number(req.url.port) : undefined,
      path: req.url.pathname,
      query,
      headers: { ...req.headers, host: req.url.host },
      body: req.body,
    })
    .catch((e: Error) => {
      throw new NetworkError(
        `no AWS credentials to sign for --region ${opts.region}: ${String(e?.message ?? e).split('\n')[0]}`,
        'set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), or drop --region for the local stack',
        'credentials',
      );
    });
  return { ...req, headers: signed.headers as Record<string, string> };
}

function send(req: PreparedRequest, timeoutMs: number): Promise<ApiResponse> {
  const lib = req.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const r = lib.request(
      req.url,
      { method: req.method, headers: req.headers, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = raw ? JSON.parse(raw) : undefined;
          } catch {
            body = undefined;
          }
          const headers: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers[k] = v;
          resolve({ status: res.statusCode ?? 0, headers, body, raw });
        });
      },
    );
    r.on('timeout', () =>
      r.destroy(
        new NetworkError(`${req.url.origin} did not answer within ${timeoutMs} ms`, 'is --endpoint right?'),
      ),
    );
    r.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        e instanceof NetworkError
          ? e
          : new NetworkError(
              `cannot reach ${req.url.origin} (${WHY[e.code ?? ''] ?? e.code ?? 'network error'})`,
              networkHint(e.code, req.url),
            ),
      ),
    );
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

export class AdminClient {
  constructor(readonly opts: ClientOptions) {}

  /** Call the API; a non-2xx answer throws ApiError with the catalogue code. */
  async request(
    method: string,
    path: string,
    body?: unknown,
    query: Record<string, string | undefined> = {},
  ): Promise<ApiResponse> {
    const url = buildUrl(this.opts.endpoint, path, query);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'avtrz-cli' };
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const req = await authorize({ url, method, headers, body: payload }, this.opts);
    const res = await send(req, this.opts.timeoutMs ?? 30_000);
    if (res.status >= 200 && res.status < 300) {
      if (res.raw !== '' && res.body === undefined) {
        throw new NetworkError(
          `${url.origin} answered ${res.status} with a body that is not JSON`,
          NOT_AVTRZ,
          'invalid_response',
        );
      }
      return res;
    }
    const e = res.body?.error;
    if (e && typeof e.code === 'string') {
      throw new ApiError(res.status, e.code, String(e.message ?? ''), e.request_id, e.param);
    }
    // API Gateway's own answers (e.g. IAM denial) are {"message": "..."}; anything else that is
    // not our JSON (an HTML proxy page, a stack trace) is not repeated
    if (typeof res.body?.message === 'string') {
      throw new ApiError(res.status, `http_${res.status}`, res.body.message.slice(0, 300));
    }
    throw new ApiError(
      res.status,
      `http_${res.status}`,
      `HTTP ${res.status} from ${url.origin} with ${res.raw ? 'a body that is not an avtrz error' : 'no body'} (${NOT_AVTRZ})`,
    );
  }
}
