/**
 * Property tests over hostile inputs (linkedin_url, size, format, headers, keys), through the real
 * handler against DynamoDB Local + s3rver: never a 5xx, never a Location outside the CDN
 * origin, never input text in an SVG. A secret key in the query string is refused and flagged.
 */
import fc from 'fast-check';
import { createHandler } from '../../lambdas/avatar/handler';
import { PALETTE } from '../../lambdas/core/initials';
import { generateKey, hashKey } from '../../lambdas/core/keys/format';
import { initialsSvg, silhouetteSvg } from '../../lambdas/core/svg';
import { CDN, keyItem, workspaceWithKeys } from '../support/avatar-fixtures';
import { invoke } from '../support/events';
import { testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

const ALLOWED_SVGS = new Set<string>([
  silhouetteSvg(),
  ...PALETTE.map((c) => initialsSvg('AB', c)),
  ...PALETTE.map((c) => initialsSvg('', c)),
]);

/** The SVG with its initials replaced by a placeholder must be one of the fixed templates. */
function svgIsTemplate(body: string): boolean {
  return ALLOWED_SVGS.has(body.replace(/>[A-Z]{1,2}<\/text>/, '>AB</text>'));
}

let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
beforeAll(async () => {
  W = await workspaceWithKeys(1_000_000, ['app.example.com', '*.example.org', 'localhost:5173']);
});

const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '<script>alert(1)</script>',
    '"><svg onload=alert(1)>',
    '//evil.test',
    'https://evil.test/',
    '@evil.test',
    '%2F%2Fevil.test',
    '\r\nLocation: https://evil.test',
    '../../etc/passwd',
    '\u0000',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal log4shell-style probe
    '${jndi:ldap://x}',
    'A'.repeat(3000),
  ),
);

const slugish = fc.oneof(fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/), fc.string({ maxLength: 30 }), hostile);

const linkedinUrl = fc.oneof(
  hostile,
  { arbitrary: fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).map((s) => `linkedin.com/in/${s}`), weight: 4 },
  slugish.map((s) => `linkedin.com/in/${s}`),
  slugish.map((s) => `https://www.linkedin.com/in/${encodeURIComponent(s)}/?trk=${s}`),
  fc.tuple(hostile, slugish).map(([h, s]) => `https://${h}linkedin.com/in/${s}`),
  fc.tuple(slugish, hostile).map(([s, h]) => `linkedin.com/in/${s}${h}`),
);

const keyValue = fc.oneof(
  fc.constant(undefined),
  { arbitrary: fc.constantFrom('pk', 'sk').map((t) => (t === 'pk' ? W.pk : W.sk)), weight: 4 },
  fc.constant(null).map(() => generateKey('publishable')),
  fc.constant(null).map(() => generateKey('secret')),
  fc.integer({ min: 8, max: 45 }).map((i) => `${W.pk.slice(0, i)}Z${W.pk.slice(i + 1)}`),
  hostile,
);

const site = fc.oneof(
  fc.constant(undefined),
  {
    arbitrary: fc.constantFrom(
      'https://app.example.com',
      'http://a.example.org',
      'http://localhost:5173',
      'null',
      'https://evil.test',
    ),
    weight: 3,
  },
  hostile,
);

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

/** mostly well-formed values (so requests get deep into the handler), sometimes hostile ones */
const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: good, weight: 4 }, { arbitrary: bad, weight: 1 });

const request = fc.record({
  linkedin_url: maybe(linkedinUrl),
  size: mostly(
    maybe(fc.integer({ min: 16, max: 1024 }).map(String)),
    fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), hostile),
  ),
  format: mostly(
    maybe(fc.constantFrom('webp', 'png', 'jpeg')),
    fc.oneof(fc.constantFrom('gif', 'PNG'), hostile),
  ),
  fallback: mostly(maybe(fc.constantFrom('initials', '404')), hostile),
  key: keyValue,
  keyInHeader: fc.boolean(),
  origin: site,
  referer: site,
  accept: maybe(fc.oneof(fc.constantFrom('application/json', 'image/*', '*/*', 'text/html'), hostile)),
  dest: maybe(fc.constantFrom('image', 'document', 'empty')),
  authorization: maybe(fc.oneof(fc.constant(`Bearer ${generateKey('secret')}`), hostile)),
});

const inputTexts = (r: Record<string, unknown>) =>
  Object.values(r).filter((v): v is string => typeof v === 'string' && v.length >= 3);

describe('hostile inputs', () => {
  it('never 5xx, never off-CDN Location, never input text in an SVG', async () => {
    const seen = { redirect: 0, svg: 0, json: 0 };
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const query: Record<string, string> = {};
        const headers: Record<string, string> = {};
        for (const k of ['linkedin_url', 'size', 'format', 'fallback'] as const)
          if (r[k] !== undefined) query[k] = r[k];
        if (r.key !== undefined) {
          if (r.keyInHeader) headers['x-api-key'] = r.key;
          else query.key = r.key;
        }
        if (r.origin !== undefined) headers.origin = r.origin;
        if (r.referer !== undefined) headers.referer = r.referer;
        if (r.accept !== undefined) headers.accept = r.accept;
        if (r.dest !== undefined) headers['sec-fetch-dest'] = r.dest;
        if (r.authorization !== undefined) headers.authorization = r.authorization;

        const res = await invoke(handler, { query, headers });
        expect(res.status).toBeLessThan(500);
        if (res.status === 302) {
          const loc = res.headers.location;
          expect(loc.startsWith(`${CDN}/a/`)).toBe(true);
          expect(new URL(loc).origin).toBe(CDN);
          seen.redirect++;
          expect(loc).toMatch(
            /^https:\/\/cdn\.avtrz\.test\/a\/[0-9a-f]{32}\/[A-Za-z0-9_-]+\/\d+\.(svg|webp|png|jpeg)$/,
          );
        } else if (res.headers['content-type'] === 'image/svg+xml') {
          seen.svg++;
          expect(svgIsTemplate(res.body)).toBe(true);
          // belt and braces: input text found in the body must be a coincidence with the fixed template
          const skeleton = res.body.replace(/>[A-Z]{1,2}<\/text>/, '>AB</text>');
          for (const t of inputTexts(r)) if (res.body.includes(t)) expect(skeleton.includes(t)).toBe(true);
        } else {
          seen.json++;
          expect(res.headers['content-type']).toContain('application/json');
          expect(typeof res.json.error.code).toBe('string');
        }
      }),
      { numRuns: 300 },
    );
    // the generators reach every outcome (so the checks above actually ran)
    expect(seen.redirect).toBeGreaterThan(0);
    expect(seen.svg).toBeGreaterThan(0);
    expect(seen.json).toBeGreaterThan(0);
  });
});

describe('keys in the query string', () => {
  const call = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    invoke(handler, { query, headers });

  it('a secret key in the query string is refused and flagged exposed_at', async () => {
    const w = await workspaceWithKeys(10);
    expect((await keyItem(hashKey(w.sk)))?.exposed_at).toBeUndefined();
    const res = await call({ key: w.sk, linkedin_url: 'linkedin.com/in/alex', debug: '1' });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('invalid_key');
    expect(res.json.error.message).toContain('x-api-key header only');
    expect(typeof (await keyItem(hashKey(w.sk)))?.exposed_at).toBe('string');
    // the header still works: exposure is a flag for the operator, not a revocation
    const ok = await call({ linkedin_url: 'linkedin.com/in/alex' }, { 'x-api-key': w.sk });
    expect(ok.status).toBe(302);
  });
});
