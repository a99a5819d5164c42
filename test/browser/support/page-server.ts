/**
 * A tiny origin for browser tests: serves registered HTML pages on 127.0.0.1:<free port>.
 * The same server is reachable as http://127.0.0.1:<port> and http://localhost:<port>, which
 * are two different origins (and hosts) for the avatar API's allow-list.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface PageServer {
  port: number;
  /** register `html` at `path` (e.g. '/photo.html') */
  setPage(path: string, html: string): void;
  /** absolute URL of a page under the given host name */
  url(host: '127.0.0.1' | 'localhost', path: string): string;
  close(): Promise<void>;
}

export async function startPageServer(): Promise<PageServer> {
  const pages = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const html = pages.get(path);
    if (html === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    setPage: (path, html) => pages.set(path, html),
    url: (host, path) => `http://${host}:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** HTML escaping for attribute values we put into test pages. */
export function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

/** A page with one <img id="av">; `loaded` is set when it settles (load or error). */
export function imgPage(src: string, extraAttrs = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>avtrz test</title></head><body>
<img id="av" alt="" width="128" height="128" ${extraAttrs} src="${attr(src)}"
  onload="window.__settled='load'" onerror="window.__settled='error'">
</body></html>`;
}
