/**
 * The OpenAPI document (lambdas/openapi/document.ts): valid OpenAPI 3.1 by a standard validator
 * (@readme/openapi-parser), one operation per route of the table and none without a route, and
 * every schema it shows is a JSON Schema 2020-12 that ajv compiles.
 */
import { validate } from '@readme/openapi-parser';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ERROR_CATALOGUE } from '../../../lambdas/core/errors';
import { openApiDocument } from '../../../lambdas/openapi/document';
import { OPERATIONS } from '../../../lambdas/openapi/operations';
import { ROUTES, type Route, routeKey } from '../../../lambdas/routes';

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON
const doc = openApiDocument() as any;

test('validates as OpenAPI 3.1 with @readme/openapi-parser', async () => {
  expect(doc.openapi).toMatch(/^3\.1\./);
  const result = await validate(structuredClone(doc));
  expect(result.valid ? [] : result.errors).toEqual([]);
  expect(result.warnings).toEqual([]);
});

test('a document broken on purpose does not validate (the check above can fail)', async () => {
  const broken = structuredClone(doc);
  broken.paths['/v1/avatar'].get.responses['302'] = { headers: {} };
  const result = await validate(broken);
  expect(result.valid).toBe(false);
});

test('one operation for every route of the table, and no operation without a route', () => {
  const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
    ([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
  );
  expect(documented.sort()).toEqual(ROUTES.map(routeKey).sort());
  expect(Object.keys(OPERATIONS).sort()).toEqual(ROUTES.map((r) => r.id).sort());
});

test('a route without an operation (or an operation without a route) makes the generator throw', () => {
  const extra: Route = {
    id: 'Undocumented',
    method: 'GET',
    path: '/v1/undocumented',
    handler: 'undocumented',
    auth: 'key',
    access: { table: 'read' },
  };
  expect(() => openApiDocument([...ROUTES, extra])).toThrow(/Undocumented .*has no operation/);
  expect(() => openApiDocument(ROUTES.slice(1))).toThrow(/operations without a route: Avatar/);
  const { path: _p, ...noPath } = OPERATIONS.WorkspaceGet;
  expect(() => openApiDocument(ROUTES, { ...OPERATIONS, WorkspaceGet: noPath })).toThrow(/\{ws\}/);
});

test('security follows the route table: admin routes SigV4 (or the local token), key routes x-api-key, the document none', () => {
  for (const route of ROUTES) {
    const op = doc.paths[route.path][route.method.toLowerCase()];
    const schemes = op.security.flatMap((s: Record<string, unknown>) => Object.keys(s)).sort();
    if (route.auth === 'admin') expect(schemes).toEqual(['LocalAdminToken', 'SigV4']);
    else if (route.auth === 'none') expect(schemes).toEqual([]);
    else if (route.auth === 'console') expect(schemes).toEqual(['ConsoleJwt']);
    else expect(schemes).toContain('ApiKey');
  }
  expect(doc.paths['/v1/avatar'].get.security).toEqual([{ ApiKey: [] }, { PublishableKey: [] }]);
  expect(doc.components.securitySchemes.PublishableKey).toMatchObject({
    type: 'apiKey',
    in: 'query',
    name: 'key',
  });
  expect(doc.components.securitySchemes.ConsoleJwt).toMatchObject({ type: 'http', bearerFormat: 'JWT' });
});

test('the error catalogue is in the components, one schema per code, with its status in the description', () => {
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE)) {
    const s = doc.components.schemas[`Error_${code}`];
    expect(s.properties.error.properties.code).toEqual({ type: 'string', const: code });
    expect(s.properties.error.properties.type).toEqual({ type: 'string', const: entry.type });
    expect(s.description).toContain(`${entry.status} ${code}`);
  }
});

test('the avatar query documents linkedin_url and username (exactly one), size, format, fallback', () => {
  const params = doc.paths['/v1/avatar'].get.parameters as {
    name: string;
    required: boolean;
    schema: object;
  }[];
  expect(params.map((p) => p.name)).toEqual([
    'linkedin_url',
    'username',
    'size',
    'format',
    'fallback',
    'key',
    'debug',
  ]);
  expect(params.every((p) => p.required === false)).toBe(true);
  expect(params.find((p) => p.name === 'size')?.schema).toMatchObject({
    type: 'integer',
    minimum: 16,
    maximum: 1024,
    default: 128,
  });
  expect(params.find((p) => p.name === 'format')?.schema).toMatchObject({ enum: ['webp', 'png', 'jpeg'] });
});

test('every schema in the document compiles with ajv (2020-12)', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'doc', components: doc.components });
  for (const name of Object.keys(doc.components.schemas)) {
    expect(() => ajv.compile({ $ref: `doc#/components/schemas/${name}` })).not.toThrow();
  }
});
