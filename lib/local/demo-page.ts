/**
 * The local stack's demo page at `/` and the `<img>` tag `npm run dev` prints: the tag, live, with
 * the publishable (public-safe) demo key. Local only; the deployed API has no such page.
 */
import { DEMO_ALLOWED_DOMAINS, type Demo } from './seed';

export const DEMO_PROFILE = 'linkedin.com/in/alex-rivera';

/** Ready-to-paste tag for the demo key. */
export function demoImgTag(apiUrl: string, publishableKey: string): string {
  return `<img src="${apiUrl}/v1/avatar?key=${publishableKey}&linkedin_url=${DEMO_PROFILE}&size=128" alt="" />`;
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Its CSP: images from the page's own origin (the API) and the CDN stand-in, inline styles, nothing else. */
export function demoPageHeaders(cdnUrl: string): Record<string, string> {
  return {
    'content-security-policy': `default-src 'none'; img-src 'self' ${cdnUrl}; style-src 'unsafe-inline'`,
  };
}

/** Every value interpolated into the page is HTML-escaped (the URLs come from the environment). */
export function demoPageHtml(apiUrl: string, cdnUrl: string, demo: Demo): string {
  const tag = demoImgTag(apiUrl, demo.publishableKey);
  const src = `/v1/avatar?key=${encodeURIComponent(demo.publishableKey)}&linkedin_url=${DEMO_PROFILE}&size=128`;
  const allowed = DEMO_ALLOWED_DOMAINS.map((d) => `<code>${escapeHtml(d)}</code>`).join(' and ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>avtrz — local demo</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{background:#f3f3f3;border-radius:4px;padding:.1rem .3rem}
pre{padding:.75rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
.row{display:flex;gap:1.5rem;align-items:center}
img{border-radius:50%;background:#eee}
</style>
</head>
<body>
<h1>avtrz is running locally</h1>
<div class="row">
  <img id="demo-avatar" src="${escapeHtml(src)}" width="128" height="128" alt="Demo avatar">
  <p>This image is served by <code>GET /v1/avatar</code> with the demo <strong>publishable</strong> key,
  which allows ${allowed}. The API answers with a 302 to the
  CDN stand-in at <code>${escapeHtml(cdnUrl)}</code>.</p>
</div>
<h2>Paste it anywhere on localhost</h2>
<pre id="demo-tag">${escapeHtml(tag)}</pre>
<h2>From a server (secret key in <code>x-api-key</code>)</h2>
<pre>curl -i "${escapeHtml(apiUrl)}/v1/avatar?linkedin_url=${DEMO_PROFILE}&amp;size=256" -H "x-api-key: $AVTRZ_SECRET"</pre>
<p>The secret key and the admin token are printed in the terminal that runs <code>npm run dev</code>.</p>
</body>
</html>
`;
}
