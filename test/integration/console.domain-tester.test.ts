/**
 * The console's "would this page be allowed?" tester (console/src/tester.ts, bundled into the
 * console) against the avatar function itself: for generated allow-lists and page URLs, the
 * tester says "blocked" exactly when the real handler (DynamoDB Local, a real key) answers an
 * <img> load from that page with 403 domain_blocked.
 */
import fc from 'fast-check';
import { wouldAllow } from '../../console/src/tester';
import { createHandler } from '../../lambdas/avatar/handler';
import { newKey, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const label = fc.constantFrom('app', 'www', 'example', 'shop', 'a-b', 'x1');
const tld = fc.constantFrom('com', 'org', 'test');
const host = fc.oneof(
  fc.tuple(label, tld).map(([l, t]) => `${l}.${t}`),
  fc.tuple(label, label, tld).map(([a, b, t]) => `${a}.${b}.${t}`),
  fc.constantFrom('localhost', '127.0.0.1'),
);
const port = fc.option(fc.constantFrom(80, 443, 3000, 5173, 8080), { nil: undefined });
const entry = fc
  .tuple(fc.boolean(), host, port)
  .map(([wild, h, p]) => `${wild && !/^[\d.]+$|^localhost$/.test(h) ? '*.' : ''}${h}${p ? `:${p}` : ''}`);
const pageUrl = fc.oneof(
  fc
    .tuple(fc.constantFrom('https', 'http'), host, port)
    .map(([s, h, p]) => `${s}://${h}${p ? `:${p}` : ''}/page.html`),
  fc.tuple(label, host).map(([l, h]) => `https://${l}.${h}/`),
  fc.constantFrom('null', 'file:///tmp/x.html', 'not a url'),
);

/** A page near one of the entries (same host, a subdomain, the apex, another port), or any page. */
const near = (list: string[]) =>
  fc
    .tuple(fc.constantFrom(...list), fc.constantFrom('', 'sub.'), port, fc.constantFrom('https', 'http'))
    .map(([e, sub, p, scheme]) => {
      const [h, ep] = e.replace(/^\*\./, '').split(':');
      const usePort = p ?? (ep ? Number(ep) : undefined);
      return `${scheme}://${sub}${h}${usePort ? `:${usePort}` : ''}/`;
    });
const casesOf = fc
  .array(entry, { minLength: 1, maxLength: 3 })
  .chain((list) => fc.tuple(fc.constant(list), fc.oneof(near(list), near(list), pageUrl)));

let ws: string;
beforeAll(async () => {
  ws = (await workspaceWithKeys(1_000_000)).ws;
});

test('the tester blocks exactly the pages the avatar function answers 403 domain_blocked', async () => {
  let blocked = 0;
  let allowed = 0;
  await fc.assert(
    fc.asyncProperty(casesOf, async ([list, page]) => {
      const key = await newKey(ws, 'publishable', list);
      const res = await invoke(handler, {
        query: {
          key: key.key,
          linkedin_url: 'linkedin.com/in/tester-agreement',
          size: '64',
          fallback: '404',
        },
        headers: { referer: page, 'sec-fetch-dest': 'image' },
      });
      const refused = res.status === 403 && res.headers['x-avtrz-error'] === 'domain_blocked';
      const verdict = wouldAllow('publishable', list, page);
      if (verdict.allowed) allowed++;
      else blocked++;
      expect({ list, page, refused }).toEqual({ list, page, refused: !verdict.allowed });
    }),
    { numRuns: 60, seed: 12 },
  );
  // both answers occurred, so the agreement is not vacuous
  expect(blocked).toBeGreaterThan(0);
  expect(allowed).toBeGreaterThan(0);
});
