/**
 * The avatar parameters are checked by core (core/avatar-params.ts, no schema library on the hot
 * path) and documented by core/schemas/avatar.ts from the same constants. These properties hold
 * the two together: whatever the check accepts, the documented schema of each parameter accepts;
 * a value the documented schema refuses, the check refuses naming that parameter; and the schema
 * that runs the check (AvatarItemCheck) answers exactly as the check, param and message.
 */
import Ajv2020 from 'ajv/dist/2020';
import fc from 'fast-check';
import { parseAvatarItem, parseAvatarQuery } from '../../../../lambdas/core/avatar-params';
import { AvtrzError } from '../../../../lambdas/core/errors';
import { AvatarItemCheck, AvatarQuery } from '../../../../lambdas/core/schemas/avatar';
import { parseWith } from '../../../../lambdas/core/schemas/validate';
import { jsonSchema } from '../../../../lambdas/openapi/document';

const ajv = new Ajv2020({ strict: false });
const query = jsonSchema(AvatarQuery, 'input') as { properties: Record<string, object> };
const paramValid = Object.fromEntries(
  Object.entries(query.properties).map(([name, schema]) => [name, ajv.compile(schema)]),
);
/** A query value as an OpenAPI client reads it: integers are sent as their digits. */
const asDocumented = (name: string, v: string): unknown =>
  (query.properties[name] as { type?: string }).type === 'integer' && /^-?\d+$/.test(v) ? Number(v) : v;

function refusal(fn: () => unknown): { param?: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof AvtrzError)) throw e;
    return { param: e.param, message: e.message };
  }
}

const slug = fc.stringMatching(/^[A-Za-z0-9_-]{1,30}$/);
const value = (good: fc.Arbitrary<string>) =>
  fc.option(fc.oneof(good, fc.string({ maxLength: 12 })), { nil: undefined });
const queries = fc.record(
  {
    linkedin_url: value(slug.map((s) => `linkedin.com/in/${s}`)),
    username: value(slug),
    size: value(fc.integer({ min: -10, max: 2000 }).map(String)),
    format: value(fc.constantFrom('webp', 'png', 'jpeg', 'gif', 'PNG')),
    fallback: value(fc.constantFrom('initials', '404', '405')),
  },
  { requiredKeys: [] },
);
const defined = (q: Record<string, string | undefined>) =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>;

test('an accepted query has every parameter valid by its documented schema', () => {
  fc.assert(
    fc.property(queries, (raw) => {
      const q = defined(raw);
      if (refusal(() => parseAvatarQuery(q))) return;
      for (const [name, v] of Object.entries(q)) expect(paramValid[name](asDocumented(name, v))).toBe(true);
    }),
    { numRuns: 3000 },
  );
});

test('a parameter its documented schema refuses (all others valid) is refused by the check, naming it', () => {
  fc.assert(
    fc.property(queries, (raw) => {
      const q = defined(raw);
      const bad = Object.entries(q).filter(([name, v]) => !paramValid[name](asDocumented(name, v)));
      if (bad.length !== 1) return;
      const r = refusal(() => parseAvatarQuery(q));
      expect(r).toBeDefined();
      // the profile pair is checked first: a bad size next to "both given" names the profile
      if (r?.param === 'linkedin_url' || r?.param === 'username') return;
      expect(r?.param).toBe(bad[0][0]);
    }),
    { numRuns: 3000 },
  );
});

test('AvatarItemCheck (the schema for batch items and tools) answers exactly as the check', () => {
  const items = fc.record(
    {
      linkedin_url: fc.option(
        fc.oneof(
          slug.map((s) => `linkedin.com/in/${s}`),
          fc.string(),
          fc.integer(),
        ),
        {
          nil: undefined,
        },
      ),
      username: fc.option(fc.oneof(slug, fc.string(), fc.constant(null)), { nil: undefined }),
      size: fc.option(fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer().map(String), fc.double()), {
        nil: undefined,
      }),
      format: fc.option(fc.constantFrom('webp', 'png', 'gif', 7), { nil: undefined }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(items, (item) => {
      const direct = refusal(() => parseAvatarItem(item));
      const viaSchema = refusal(() => parseWith(AvatarItemCheck, item));
      expect(viaSchema).toEqual(direct);
    }),
    { numRuns: 3000 },
  );
});
