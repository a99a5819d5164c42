/**
 * What the OpenAPI document says about each route of the ONE route table (lambdas/routes.ts), by
 * route id: the schemas its handler validates with and answers with (lambdas/core/schemas), the
 * errors it documents (codes of the ONE catalogue), and the headers that matter. Paths, methods and
 * who may call come from the route table itself; a route without an entry here makes the
 * generator throw (document.ts), so a new route cannot go undocumented.
 */
import type * as z from 'zod/mini';
import type { ErrorCode } from '../core/errors';
import {
  CreatedKey,
  KeyCreateBody,
  KeyList,
  KeyRollBody,
  Key as KeySchema,
  KeyUpdateBody,
  keyId,
  RolledKey,
  Workspace,
  WorkspaceCreateBody,
  WorkspacePage,
  WorkspacePageQuery,
  WorkspaceUpdateBody,
  WorkspaceUpdated,
  workspaceId,
} from '../core/schemas/admin';
import { AvatarItem, AvatarQuery, BatchBody, BatchResponse } from '../core/schemas/avatar';
import { McpRequest, McpResponse } from '../core/schemas/mcp';
import { UsageQuery, UsageResponse } from '../core/schemas/usage';
import { ROUTES } from '../routes';

/** Named schemas: components/schemas of the document. `io` is the side of a transform shown. */
export const REQUEST_SCHEMAS = {
  WorkspaceCreate: WorkspaceCreateBody,
  WorkspaceUpdate: WorkspaceUpdateBody,
  KeyCreate: KeyCreateBody,
  KeyUpdate: KeyUpdateBody,
  KeyRoll: KeyRollBody,
  AvatarItem,
  BatchRequest: BatchBody,
  McpRequest,
} satisfies Record<string, z.ZodMiniType>;

export const RESPONSE_SCHEMAS = {
  Workspace,
  WorkspacePage,
  WorkspaceUpdated,
  Key: KeySchema,
  CreatedKey,
  RolledKey,
  KeyList,
  Usage: UsageResponse,
  BatchResponse,
  McpResponse,
} satisfies Record<string, z.ZodMiniType>;

export type RequestSchemaName = keyof typeof REQUEST_SCHEMAS;
export type ResponseSchemaName = keyof typeof RESPONSE_SCHEMAS;

/** Response headers the document names (components/headers). */
export type HeaderName =
  | 'x-request-id'
  | 'x-quota-limit'
  | 'x-quota-remaining'
  | 'x-quota-reset'
  | 'location'
  | 'cache-control'
  | 'x-avtrz-error';

export interface SuccessAnswer {
  status: number;
  description: string;
  /** a JSON body of this schema; none for the redirect */
  schema?: ResponseSchemaName | 'OpenApiDocument';
  headers?: HeaderName[];
}

export interface Operation {
  summary: string;
  description?: string;
  tag: string;
  /** key routes: which API keys the handler accepts */
  keys?: 'publishable-or-secret' | 'secret';
  /** query parameters: every property of this object schema is one */
  query?: z.ZodMiniObject;
  /** the schema of each `{param}` of the route's path */
  path?: Record<string, z.ZodMiniType>;
  body?: { schema: RequestSchemaName; required: boolean; example?: unknown };
  success: SuccessAnswer;
  /** the catalogue errors this route answers (500/503 are the document's `default` answer) */
  errors: ErrorCode[];
  /** headers on the error answers too (e.g. x-quota-* once the key is known) */
  errorHeaders?: HeaderName[];
  /** errors are also answered as an SVG image for image loads (the avatar route) */
  imageErrors?: boolean;
}

const QUOTA: HeaderName[] = ['x-quota-limit', 'x-quota-remaining', 'x-quota-reset'];
/** what every key-authenticated route may answer before it reaches its own work */
const KEY_ERRORS: ErrorCode[] = ['missing_key', 'invalid_key'];
/** every admin route: a malformed or unknown id is 404; an API key is 403 */
const ADMIN_ERRORS: ErrorCode[] = ['invalid_key', 'forbidden', 'not_found'];
const ws = { ws: workspaceId };
const wsKey = { ws: workspaceId, id: keyId };

/** The routes as written (lambdas/routes.ts OWN_ROUTES); the console twins follow below. */
const OWN_OPERATIONS: Record<string, Operation> = {
  Avatar: {
    summary: 'Redirect to the avatar of a LinkedIn profile',
    description:
      'Answers 302 to the CDN object: the photo at exactly size×size pixels in the format asked for, or an initials SVG when the profile has no photo. Each call is counted against the workspace quota; at the quota, profiles the workspace has not looked up yet get 403 plan_limit while known ones keep redirecting. An image load (Sec-Fetch-Dest: image, or an Accept without application/json) gets every error as an SVG with the same status and x-avtrz-error.',
    tag: 'Avatars',
    keys: 'publishable-or-secret',
    query: AvatarQuery,
    success: {
      status: 302,
      description:
        'Redirect to the CDN. Cache-Control is public, max-age=3600 for publishable keys and private, max-age=3600 for secret keys.',
      headers: ['location', 'cache-control', ...QUOTA],
    },
    errors: ['invalid_request', ...KEY_ERRORS, 'domain_blocked', 'plan_limit', 'not_found'],
    errorHeaders: QUOTA,
    imageErrors: true,
  },
  AvatarsBatch: {
    summary: 'Avatar URLs for up to 100 profiles',
    description:
      'One result per item, in input order; each item is counted like one avatar request and fails on its own (invalid_request, plan_limit, unavailable) without failing the batch.',
    tag: 'Avatars',
    keys: 'secret',
    body: {
      schema: 'BatchRequest',
      required: true,
      example: {
        items: [{ linkedin_url: 'linkedin.com/in/alex-rivera', size: 256 }, { username: 'dana-scully' }],
      },
    },
    success: {
      status: 200,
      description: 'The results, in input order.',
      schema: 'BatchResponse',
      headers: QUOTA,
    },
    errors: ['invalid_request', ...KEY_ERRORS, 'forbidden', 'domain_blocked'],
    errorHeaders: QUOTA,
  },
  Usage: {
    summary: "The caller's workspace usage for a month",
    tag: 'Usage',
    keys: 'secret',
    query: UsageQuery,
    success: { status: 200, description: 'Usage per key and hour.', schema: 'Usage', headers: QUOTA },
    errors: ['invalid_request', ...KEY_ERRORS, 'forbidden', 'domain_blocked'],
    errorHeaders: QUOTA,
  },
  Mcp: {
    summary: 'The Model Context Protocol server for agents',
    description:
      'MCP on the Streamable HTTP transport, stateless: each JSON-RPC message (or batch) is one POST answered with JSON (202 and no body for notifications alone), no session, no event stream; send Accept: application/json, text/event-stream and Content-Type: application/json. Tools (listed with their input schemas by tools/list, all readOnlyHint): get_avatar, get_avatars, get_usage; each profile counts like one avatar request, and a refusal (plan_limit, invalid_request, …) is a tool result with isError naming the code. Protocol mistakes are JSON-RPC errors (400 with -32700 for a body that is not JSON-RPC; 406/415 for the wrong Accept/Content-Type). Other methods on /mcp are 405.',
    tag: 'Agents',
    keys: 'secret',
    body: {
      schema: 'McpRequest',
      required: true,
      example: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
    },
    success: { status: 200, description: 'The JSON-RPC answer.', schema: 'McpResponse' },
    errors: [...KEY_ERRORS, 'forbidden', 'domain_blocked'],
  },
  WorkspaceCreate: {
    summary: 'Create a workspace',
    tag: 'Management',
    body: { schema: 'WorkspaceCreate', required: true, example: { name: 'Acme', monthly_quota: 10000 } },
    success: { status: 201, description: 'The workspace.', schema: 'Workspace' },
    errors: ['invalid_request', 'invalid_key', 'forbidden'],
  },
  WorkspaceList: {
    summary: 'List workspaces',
    description: 'Newest first, a page at a time (limit, cursor).',
    tag: 'Management',
    query: WorkspacePageQuery,
    success: { status: 200, description: 'A page of workspaces.', schema: 'WorkspacePage' },
    errors: ['invalid_request', 'invalid_key', 'forbidden'],
  },
  WorkspaceGet: {
    summary: 'Get a workspace',
    tag: 'Management',
    path: ws,
    success: { status: 200, description: 'The workspace.', schema: 'Workspace' },
    errors: ADMIN_ERRORS,
  },
  WorkspaceUpdate: {
    summary: 'Rename a workspace or change its quota',
    description:
      'A quota change reaches every avatar request within the key-cache TTL; the answer says when (monthly_quota_applies_by).',
    tag: 'Management',
    path: ws,
    body: { schema: 'WorkspaceUpdate', required: true, example: { monthly_quota: 50000 } },
    success: { status: 200, description: 'The workspace.', schema: 'WorkspaceUpdated' },
    errors: ['invalid_request', ...ADMIN_ERRORS],
  },
  KeyCreate: {
    summary: 'Create an API key',
    description:
      'The answer is the only time the full key is shown. A publishable key needs at least one allowed domain.',
    tag: 'Management',
    path: ws,
    body: {
      schema: 'KeyCreate',
      required: true,
      example: { type: 'publishable', name: 'web', allowed_domains: ['app.example.com'] },
    },
    success: { status: 201, description: 'The key, with `key`.', schema: 'CreatedKey' },
    errors: ['invalid_request', ...ADMIN_ERRORS],
  },
  KeyList: {
    summary: "List a workspace's keys",
    tag: 'Management',
    path: ws,
    success: { status: 200, description: 'The keys, oldest first, never with `key`.', schema: 'KeyList' },
    errors: ADMIN_ERRORS,
  },
  KeyUpdate: {
    summary: 'Rename a key or change its allow-list',
    description: 'Takes effect on every instance within the key-cache TTL.',
    tag: 'Management',
    path: wsKey,
    body: {
      schema: 'KeyUpdate',
      required: true,
      example: { allowed_domains: ['app.example.com', '*.example.com'] },
    },
    success: { status: 200, description: 'The key.', schema: 'Key' },
    errors: ['invalid_request', ...ADMIN_ERRORS],
  },
  KeyRevoke: {
    summary: 'Revoke a key',
    description: 'Idempotent; takes effect on every instance within the key-cache TTL.',
    tag: 'Management',
    path: wsKey,
    success: { status: 200, description: 'The key, status revoked.', schema: 'Key' },
    errors: ADMIN_ERRORS,
  },
  KeyRoll: {
    summary: 'Roll a key',
    description:
      'Creates a new key with the same type, name and allow-list; the old one expires after overlap_seconds (default one day; 0 = now). A key is rolled once: again is 409 conflict naming its successor.',
    tag: 'Management',
    path: wsKey,
    body: { schema: 'KeyRoll', required: false, example: { overlap_seconds: 3600 } },
    success: { status: 201, description: 'The new key (with `key`) and `previous`.', schema: 'RolledKey' },
    errors: ['invalid_request', ...ADMIN_ERRORS, 'conflict'],
  },
  WorkspaceUsage: {
    summary: "A workspace's usage for a month",
    tag: 'Management',
    path: ws,
    query: UsageQuery,
    success: { status: 200, description: 'As GET /v1/usage.', schema: 'Usage' },
    errors: ['invalid_request', ...ADMIN_ERRORS],
  },
  OpenApi: {
    summary: 'This document',
    description: 'OpenAPI 3.1, generated from the route table and the schemas the handlers validate with.',
    tag: 'Meta',
    success: { status: 200, description: 'The OpenAPI document.', schema: 'OpenApiDocument' },
    errors: ['invalid_key'],
  },
};

/**
 * A console twin (lambdas/routes.ts consoleTwin) runs its admin route's function behind the JWT
 * authorizer: the same parameters, bodies and answers, plus the authorizer's refusals (401
 * unauthorized; 403 forbidden without the console scope) and, for a member, 404 for a workspace
 * outside their claim and 403 for operator-only actions.
 */
function consoleOperation(admin: Operation, path: string): Operation {
  const errors = new Set<ErrorCode>([...admin.errors, 'unauthorized', 'forbidden']);
  if (path.includes('{ws}')) errors.add('not_found');
  return {
    ...admin,
    tag: 'Console',
    description: `${admin.description ? `${admin.description} ` : ''}The console's twin of the management route: a member reaches only the workspaces of their claim (others answer 404), and only operators create workspaces or change a quota (403).`,
    errors: [...errors],
  };
}

export const OPERATIONS: Record<string, Operation> = {
  ...OWN_OPERATIONS,
  ...Object.fromEntries(
    ROUTES.filter((r) => r.auth === 'console' && r.functionOf && OWN_OPERATIONS[r.functionOf]).map((r) => [
      r.id,
      consoleOperation(OWN_OPERATIONS[r.functionOf as string], r.path),
    ]),
  ),
};
