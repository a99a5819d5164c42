/**
 * The console on the local stack, at `<apiUrl>/console/`, served as CloudFront serves it in AWS:
 * the same bundle (console/build.ts, built when the stack starts), the same path rewrite (the
 * CloudFront Function's own code), the same cache and security headers
 * (lib/constructs/console-headers.ts), and a `config.json` made for the local issuer stand-in.
 */
import { readFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import type { ConsoleConfig } from '../../console/src/config';
import {
  CONSOLE_ASSET_CACHE_CONTROL,
  CONSOLE_PAGE_CACHE_CONTROL,
  CONSOLE_REWRITE_FUNCTION_CODE,
  CONSOLE_SECURITY_HEADERS,
  consoleContentSecurityPolicy,
} from '../constructs/console-headers';

/** The fields of config.json the CSP depends on (the rest is passed through as is). */
export type ConsoleSettings = Pick<ConsoleConfig, 'issuer' | 'apiBase' | 'tokenEndpoint'>;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

type Rewrite = (event: { request: { uri: string } }) => { uri: string };
const rewrite = new Function(`${CONSOLE_REWRITE_FUNCTION_CODE}\nreturn handler;`)() as Rewrite;

/** connect-src of a page using these settings: the API and the sign-in service. */
export function consoleConnectSources(s: ConsoleSettings): string[] {
  return [s.apiBase, s.issuer, s.tokenEndpoint]
    .filter((u): u is string => typeof u === 'string')
    .map((u) => new URL(u).origin);
}

/**
 * A request handler for `/console/*` (GET and HEAD); false for any other path. `settings` is
 * asked per request with the page's own origin (the console may be opened on 127.0.0.1 or
 * localhost).
 */
export function consoleHost(opts: { dir: string; settings: (origin: string) => ConsoleSettings }) {
  return (req: http.IncomingMessage, res: http.ServerResponse, pathOnly: string): boolean => {
    const method = req.method ?? 'GET';
    if (!pathOnly.startsWith('/console/') || (method !== 'GET' && method !== 'HEAD')) return false;
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;
    const settings = opts.settings(origin);
    const headers: Record<string, string> = {
      ...CONSOLE_SECURITY_HEADERS,
      'content-security-policy': consoleContentSecurityPolicy(consoleConnectSources(settings)),
    };
    const uri = rewrite({ request: { uri: pathOnly } }).uri;
    let body: Buffer;
    if (uri === '/console/config.json') {
      body = Buffer.from(JSON.stringify(settings));
      headers['cache-control'] = CONSOLE_PAGE_CACHE_CONTROL;
    } else {
      const rel = uri.slice('/console/'.length);
      const file = path.resolve(opts.dir, rel);
      // S3 has no folders to escape from: a key outside the bundle is simply not there (403)
      if (!file.startsWith(path.resolve(opts.dir) + path.sep)) return denied(res, headers);
      try {
        body = readFileSync(file);
      } catch {
        return denied(res, headers);
      }
      headers['cache-control'] = rel.startsWith('assets/')
        ? CONSOLE_ASSET_CACHE_CONTROL
        : CONSOLE_PAGE_CACHE_CONTROL;
    }
    headers['content-type'] = TYPES[path.extname(uri)] ?? 'application/octet-stream';
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** S3 through OAC without s3:ListBucket: a missing object is 403 AccessDenied. */
function denied(res: http.ServerResponse, headers: Record<string, string>): true {
  res.writeHead(403, { ...headers, 'content-type': 'application/xml', 'cache-control': 'no-store' });
  res.end(
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
  );
  return true;
}
