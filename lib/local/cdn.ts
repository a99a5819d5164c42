/**
 * CDN stand-in: what the CloudFront distribution of lib/constructs/cdn.ts answers, served from
 * s3rver. The headers come from the same module the CDK response headers policy is built from
 * (lib/constructs/cdn-headers.ts), so the two cannot drift apart.
 *  - `/a/*` is read from the bucket (Origin Access Control, GetObject only): a missing object is
 *    403 AccessDenied, because S3 without s3:ListBucket answers 403, not 404.
 *  - anything else, `o/` originals included, is 404 from the viewer-request function, before
 *    any origin request.
 *  - with `console`, the `/console/*` behaviour of lib/constructs/console.ts too: the same
 *    CloudFront Function code picks the object under `console/` (index.html for client routes),
 *    and the console's response headers replace the avatar ones (the deployed-shape tier resolves
 *    them from the template's response headers policy).
 *  - GET and HEAD only; conditional GET (If-None-Match) answers 304.
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CDN_RESPONSE_HEADERS } from '../constructs/cdn-headers';
import { CONSOLE_REWRITE_FUNCTION_CODE } from '../constructs/console-headers';

/** The response headers policy minus Cache-Control (CloudFront adds that only when the object has none). */
const CDN_SECURITY_HEADERS: Record<string, string> = Object.fromEntries(
  Object.entries(CDN_RESPONSE_HEADERS).filter(([k]) => k !== 'cache-control'),
);

export interface CdnOptions {
  /** undefined until s3rver is up (the stand-in answers 503 until then) */
  s3: () => S3Client | undefined;
  bucket: string;
  onError?: (err: unknown, where: string) => void;
  /** serve `/console/*` from the bucket with these response headers (the console behaviour) */
  console?: { headers: Record<string, string> };
}

type Rewrite = (event: { request: { uri: string } }) => { uri: string };
const consoleRewrite = new Function(`${CONSOLE_REWRITE_FUNCTION_CODE}\nreturn handler;`)() as Rewrite;

const ACCESS_DENIED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

/** The default behaviour's CloudFront Function: 404 for everything outside `/a/*`. */
function notServed(res: http.ServerResponse): void {
  res.writeHead(404, {
    'cache-control': 'no-store',
    'content-length': '0',
    'x-cache': 'FunctionGeneratedResponse from cloudfront',
  });
  res.end();
}

function denied(res: http.ServerResponse, head: boolean): void {
  res.writeHead(403, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(ACCESS_DENIED),
    'x-cache': 'Error from cloudfront',
    ...CDN_SECURITY_HEADERS,
  });
  res.end(head ? undefined : ACCESS_DENIED);
}

/**
 * Where CloudFront sends a request: `outside` the `/a/*` behaviour (404 at the edge), or an S3
 * key. A key with empty, `.` or `..` segments (after decoding) is `unsafe`: s3rver keeps objects
 * on disk, so it never sees one; S3 would look up the literal key and answer 403.
 */
function objectKeyOf(
  rawUrl: string,
  withConsole: boolean,
): { key: string; console?: true } | 'outside' | 'unsafe' {
  let pathname: string;
  try {
    pathname = new URL(rawUrl, 'http://cdn.invalid').pathname; // resolves dot segments
  } catch {
    return 'outside';
  }
  if (withConsole && pathname.startsWith('/console/')) {
    return { key: consoleRewrite({ request: { uri: pathname } }).uri.slice(1), console: true };
  }
  if (!pathname.startsWith('/a/')) return 'outside';
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice(1));
  } catch {
    return 'unsafe';
  }
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || key.includes('\\')) return 'unsafe';
  return { key };
}

/** If-None-Match: `*`, or a comma-separated list of (weak or strong) entity tags. */
function etagMatches(ifNoneMatch: string | undefined, etag: string | undefined): boolean {
  if (!ifNoneMatch || !etag) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((t) => strip(t) === strip(etag));
}

function isMissing(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return (
    err?.name === 'NoSuchKey' ||
    err?.name === 'NotFound' ||
    err?.$metadata?.httpStatusCode === 404 ||
    err?.$metadata?.httpStatusCode === 403
  );
}

export function createCdn(opts: CdnOptions): http.Server {
  const seen = new Set<string>();
  const onError = opts.onError ?? (() => undefined);

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const head = method === 'HEAD';
    const target = objectKeyOf(req.url ?? '/', opts.console !== undefined);
    if (target === 'outside') return notServed(res);
    // ALLOW_GET_HEAD: CloudFront refuses other methods itself
    if ((method !== 'GET' && !head) || target === 'unsafe') return denied(res, head);
    const key = target.key;
    const s3 = opts.s3();
    if (!s3) {
      res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '1' });
      res.end(head ? undefined : 'starting');
      return;
    }
    let out: {
      ContentType?: string;
      CacheControl?: string;
      ETag?: string;
      ContentLength?: number;
      LastModified?: Date;
      Body?: unknown;
    };
    try {
      out = await s3.send(
        head
          ? new HeadObjectCommand({ Bucket: opts.bucket, Key: key })
          : new GetObjectCommand({ Bucket: opts.bucket, Key: key }),
      );
    } catch (e) {
      if (isMissing(e)) return denied(res, head);
      onError(e, `cdn ${method} ${key}`);
      res.writeHead(502, { 'content-type': 'text/plain', 'x-cache': 'Error from cloudfront' });
      res.end(head ? undefined : 'Bad Gateway');
      return;
    }
    const body = out.Body as Readable | undefined;
    const hit = seen.has(key);
    seen.add(key);
    const headers: Record<string, string> = {
      ...(target.console ? opts.console?.headers : CDN_SECURITY_HEADERS),
      'x-cache': hit ? 'Hit from cloudfront' : 'Miss from cloudfront',
      'accept-ranges': 'bytes',
    };
    if (out.ETag) headers.etag = out.ETag;
    const fallbackCache = target.console ? undefined : CDN_RESPONSE_HEADERS['cache-control'];
    const cacheControl = out.CacheControl ?? fallbackCache;
    if (cacheControl) headers['cache-control'] = cacheControl;
    if (out.LastModified) headers['last-modified'] = out.LastModified.toUTCString();
    if (etagMatches(req.headers['if-none-match'], out.ETag)) {
      body?.destroy();
      res.writeHead(304, headers);
      res.end();
      return;
    }
    headers['content-type'] = out.ContentType ?? 'application/octet-stream';
    if (out.ContentLength !== undefined) headers['content-length'] = String(out.ContentLength);
    res.writeHead(200, headers);
    if (head || !body) {
      res.end();
      return;
    }
    body.on('error', (e) => {
      onError(e, `cdn body ${key}`);
      res.destroy();
    });
    body.pipe(res);
  }

  return http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      onError(e, `cdn ${req.method} ${(req.url ?? '').split('?')[0]}`);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('Bad Gateway');
      } else res.destroy();
    });
  });
}
