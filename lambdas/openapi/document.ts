/**
 * The OpenAPI 3.1 document of the API, generated from the ONE route table (paths, methods, who may
 * call), the schemas the handlers validate with and answer with (core/schemas, through
 * operations.ts) and the ONE error catalogue (components). Pure: no I/O, built once per cold start.
 * A route of the table without an operation, or an operation without a route, throws.
 */
import * as z from 'zod/mini';
import { ERROR_CATALOGUE, type ErrorCode } from '../core/errors';
import { errorBodyOf } from '../core/schemas/errors';
import { ROUTES, type Route, routeKey } from '../routes';
import {
  type HeaderName,
  OPERATIONS,
  type Operation,
  REQUEST_SCHEMAS,
  RESPONSE_SCHEMAS,
  type SuccessAnswer,
} from './operations';

type Json = Record<string, unknown>;

export const OPENAPI_VERSION = '3.1.1';
export const API_VERSION = '1.0.0';

/** zod → JSON Schema 2020-12 (the dialect of OpenAPI 3.1), without the `$schema` line. */
export function jsonSchema(schema: z.core.$ZodType, io: 'input' | 'output'): Json {
  const out = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: (ctx) => {
      // BatchBody's items: an item that does not match is answered per item (a `catch`), and
      // the document shows the item's shape
      const def = ctx.zodSchema._zod.def as { type: string; innerType?: z.core.$ZodType };
      if (def.type === 'catch' && def.innerType) {
        for (const k of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[k];
        Object.assign(ctx.jsonSchema, jsonSchema(def.innerType, io));
      }
    },
  }) as Json;
  delete out.$schema;
  return out;
}

const HEADERS: Record<HeaderName, Json> = {
  'x-request-id': {
    description: 'The request id (also in error bodies as request_id).',
    schema: { type: 'string' },
  },
  'x-quota-limit': {
    description: "The workspace's monthly quota.",
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  'x-quota-remaining': {
    description: 'Requests left this month.',
    schema: { type: 'string', pattern: '^\\d+$' },
  },
  'x-quota-reset': {
    description: 'The next month start (UTC), ISO-8601.',
    schema: { type: 'string', format: 'date-time' },
  },
  location: { description: 'The CDN URL of the avatar object.', schema: { type: 'string', format: 'uri' } },
  'cache-control': { description: 'How long the answer may be kept.', schema: { type: 'string' } },
  'x-avtrz-error': {
    description: 'On an SVG error answer (an image load): the catalogue code.',
    schema: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
  },
};
/** `required`: always on this answer; otherwise present when it applies (x-quota-* once the key is known). */
const headerObjects = (required: HeaderName[] = [], optional: HeaderName[] = []) =>
  Object.fromEntries([
    ...(['x-request-id', ...required] as HeaderName[]).map((h) => [h, { ...HEADERS[h], required: true }]),
    ...optional.map((h) => [h, { ...HEADERS[h], required: false }]),
  ]);

export const SECURITY_SCHEMES = {
  ApiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description:
      'A secret (sk_live_…) or publishable (pk_live_…) API key. Authorization: Bearer is not a way to send a key.',
  },
  PublishableKey: {
    type: 'apiKey',
    in: 'query',
    name: 'key',
    description:
      'A publishable key (pk_live_…) in the query, for <img> tags; checked against its allowed domains on every request. A secret key in the query is refused (401 invalid_key) and flagged as exposed.',
  },
  SigV4: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description:
      'AWS Signature Version 4 (service execute-api) by an IAM principal allowed to invoke the management routes; API Gateway checks it before the function runs.',
    'x-amazon-apigateway-authtype': 'awsSigv4',
  },
  LocalAdminToken: {
    type: 'http',
    scheme: 'bearer',
    description:
      'The local stack only (npm run dev): Authorization: Bearer $AVTRZ_ADMIN_TOKEN instead of SigV4.',
  },
  ConsoleJwt: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'The web console: an access token of console sign-in (Cognito in AWS, the local issuer in npm run dev) with the scope avtrz/console.',
  },
} as const;

function security(route: Route, op: Operation): Json[] {
  if (route.auth === 'admin') return [{ SigV4: [] }, { LocalAdminToken: [] }];
  if (route.auth === 'console') return [{ ConsoleJwt: [] }];
  if (route.auth === 'key') {
    return op.keys === 'publishable-or-secret' ? [{ ApiKey: [] }, { PublishableKey: [] }] : [{ ApiKey: [] }];
  }
  return [];
}

const errorSchemaRef = (code: ErrorCode) => ({ $ref: `#/components/schemas/Error_${code}` });

/** The answers of one status: a single code's schema, or a oneOf when several share the status. */
function errorResponse(codes: ErrorCode[], op: Operation, gatewayRefusal: boolean): Json {
  const refs: Json[] = codes.map(errorSchemaRef);
  if (gatewayRefusal) refs.push({ $ref: '#/components/schemas/GatewayRefusal' });
  const content: Json = { 'application/json': { schema: refs.length === 1 ? refs[0] : { oneOf: refs } } };
  if (op.imageErrors) content['image/svg+xml'] = { schema: { type: 'string' } };
  const description = codes.map((c) => `${c}: ${ERROR_CATALOGUE[c].message}`).join(' | ');
  return {
    description: gatewayRefusal
      ? `${description} | In AWS, API Gateway's authorizer refuses a request without a valid signature or token itself, with {"message": …}.`
      : description,
    headers: headerObjects(
      [],
      [...(op.errorHeaders ?? []), ...(op.imageErrors ? (['x-avtrz-error'] as HeaderName[]) : [])],
    ),
    content,
  };
}

function successResponse(s: SuccessAnswer): Json {
  const out: Json = { description: s.description, headers: headerObjects(s.headers) };
  if (s.schema) {
    const ref =
      s.schema === 'OpenApiDocument' ? { type: 'object' } : { $ref: `#/components/schemas/${s.schema}` };
    out.content = { 'application/json': { schema: ref } };
  }
  return out;
}

function parameters(route: Route, op: Operation): Json[] {
  const out: Json[] = [];
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  for (const name of names) {
    const schema = op.path?.[name];
    if (!schema) throw new Error(`${routeKey(route)}: no schema for path parameter {${name}}`);
    out.push({ name, in: 'path', required: true, schema: jsonSchema(schema, 'input') });
  }
  for (const name of Object.keys(op.path ?? {})) {
    if (!names.includes(name))
      throw new Error(`${routeKey(route)}: path schema for {${name}} not in the path`);
  }
  if (op.query) {
    const q = jsonSchema(op.query, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) {
      const { description, ...rest } = schema;
      out.push({
        name,
        in: 'query',
        required: q.required?.includes(name) ?? false,
        ...(description ? { description } : {}),
        schema: rest,
      });
    }
  }
  return out;
}

function operation(route: Route, op: Operation): Json {
  const responses: Json = { [String(op.success.status)]: successResponse(op.success) };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of op.errors) {
    const status = ERROR_CATALOGUE[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    // in AWS, the IAM and JWT authorizers refuse some requests themselves, before any function
    const byGateway =
      (route.auth === 'admin' && status === 403) ||
      (route.auth === 'console' && (status === 401 || status === 403));
    responses[String(status)] = errorResponse(codes, op, byGateway);
  }
  responses.default = errorResponse(['internal_error', 'unavailable'], op, false);
  const out: Json = {
    operationId: route.id,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    security: security(route, op),
    parameters: parameters(route, op),
    responses,
  };
  if (op.body) {
    out.requestBody = {
      required: op.body.required,
      content: {
        'application/json': {
          schema: { $ref: `#/components/schemas/${op.body.schema}` },
          ...(op.body.example !== undefined ? { example: op.body.example } : {}),
        },
      },
    };
  }
  return out;
}

/** The document for these routes (default: the route table); throws on a route without an operation. */
export function openApiDocument(
  routes: readonly Route[] = ROUTES,
  operations: Record<string, Operation> = OPERATIONS,
): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const op = operations[route.id];
    if (!op)
      throw new Error(
        `route ${route.id} (${routeKey(route)}) has no operation in lambdas/openapi/operations.ts`,
      );
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = operation(route, op);
  }
  const ids = new Set(routes.map((r) => r.id));
  const orphans = Object.keys(operations).filter((id) => !ids.has(id));
  if (orphans.length) throw new Error(`operations without a route: ${orphans.join(', ')}`);

  const schemas: Record<string, Json> = {};
  for (const [name, s] of Object.entries(REQUEST_SCHEMAS)) schemas[name] = jsonSchema(s, 'input');
  for (const [name, s] of Object.entries(RESPONSE_SCHEMAS)) schemas[name] = jsonSchema(s, 'output');
  for (const code of Object.keys(ERROR_CATALOGUE) as ErrorCode[]) {
    schemas[`Error_${code}`] = jsonSchema(errorBodyOf(code), 'output');
  }
  schemas.GatewayRefusal = {
    type: 'object',
    description: "API Gateway's own refusal (AWS only), before any function runs.",
    properties: { message: { type: 'string' } },
    required: ['message'],
  };

  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'avtrz',
      version: API_VERSION,
      summary: 'Avatars for LinkedIn profiles, served from your own AWS account.',
      description:
        'Every answer carries x-request-id. Errors are the catalogue below: {"error":{"code","type","message","param"?,"request_id"}}. A method a path does not have is 405 method_not_allowed with Allow; a path the API does not have is 404 not_found.',
    },
    servers: [{ url: '/', description: 'The API this document was fetched from.' }],
    tags: [
      { name: 'Avatars', description: 'For pages (publishable keys) and servers (secret keys).' },
      { name: 'Usage', description: 'Secret keys.' },
      { name: 'Management', description: 'Operators: IAM (SigV4) in AWS, a bearer token locally.' },
      {
        name: 'Console',
        description: 'The web console: the management routes behind console sign-in (JWT).',
      },
      { name: 'Meta', description: 'About the API.' },
    ],
    paths,
    components: {
      schemas,
      securitySchemes: SECURITY_SCHEMES,
    },
  };
}
