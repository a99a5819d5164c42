/**
 * CDN stand-in: what CloudFront (Origin Access Control, private bucket, our response-headers
 * policy) answers, served from s3rver. Only `/a/*` is routed to the bucket; originals (`o/*`)
 * and anything else are refused with 403 AccessDenied, as is a missing object (S3 behind OAC
 * without s3:ListBucket answers 403, not 404).
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** Headers of the CloudFront response-headers policy (lib/constructs: nosniff + CSP for SVG). */
export const CDN_SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'access-control-allow-origin': '*',
};

export interface CdnOptions {
  /** undefined until s3rver is up (the stand-in answers 503 until then) */
  s3: () => S3Client | undefined;
  bucket: string;
  onError?: (err: unknown, where: string) => void;
}

const ACCESS_DENIED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';

function denied(res: http.ServerResponse, head: boolean): void {
  res.writeHead(403, {
    'content-type': 'application/xml',
    'content-length': Buffer.byteLength(ACCESS_DENIED),
    'x-cache': 'Error from cloudfront',
    ...CDN_SECURITY_HEADERS,
  });
  res.end(head ? undefined : ACCESS_DENIED);
}

/** `/a/<…>` -> S3 key `a/<…>`; undefined for anything CloudFront would not route to the bucket. */
export function objectKeyOf(rawUrl: string): string | undefined {
  let pathname: string;
  try {
    pathname = new URL(rawUrl, 'http://cdn.invalid').pathname; // resolves dot segments
  } catch {
    return undefined;
  }
  if (!pathname.startsWith('/a/')) return undefined;
  let key: string;
  try {
    key = decodeURIComponent(pathname.slice(1));
  } catch {
    return undefined;
  }
  const segments = key.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || key.includes('\\')) return undefined;
  return key;
}

/** If-None-Match: `*`, or a comma-separated list of (weak or strong) entity tags. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string | undefined): boolean {
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
    if (method !== 'GET' && !head) return denied(res, head);
    const key = objectKeyOf(req.url ?? '/');
    if (!key) return denied(res, head);
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
      ...CDN_SECURITY_HEADERS,
      'x-cache': hit ? 'Hit from cloudfront' : 'Miss from cloudfront',
      'accept-ranges': 'bytes',
    };
    if (out.ETag) headers.etag = out.ETag;
    if (out.CacheControl) headers['cache-control'] = out.CacheControl;
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
      onError(e, `cdn ${req.method} ${req.url}`);
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end('Bad Gateway');
      } else res.destroy();
    });
  });
}
