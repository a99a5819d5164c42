/**
 * The ONE route table. The CDK API (lib/constructs/api.ts) and the local gateway
 * (lib/local/gateway.ts) both read it, so the deployed and the local API cannot drift apart.
 *
 * `handler` is the folder under `lambdas/` holding `handler.ts` (export `handler`).
 * `auth`:
 *  - `key`   : public route; the handler authenticates the avatrz API key itself.
 *  - `admin` : operator route; IAM (SigV4) at API Gateway in AWS, bearer AVTRZ_ADMIN_TOKEN locally.
 *  - `none`  : public, no credential (the API's own description); a secret key in its query is
 *              still refused and flagged like on every route.
 */
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';
export type RouteAuth = 'key' | 'admin' | 'none';

export interface RouteAccess {
  /** DynamoDB table access */
  table: 'read' | 'readwrite';
  /**
   * S3 bucket access (lib/constructs/function.ts BUCKET_ACCESS): 'write' = put served objects
   * only, 'served' = get and put served objects (a/), 'readwrite' = served objects and originals
   */
  bucket?: 'read' | 'write' | 'served' | 'readwrite';
  /** may invoke the photo resolver function */
  resolver?: boolean;
  /**
   * reads the HMAC secret that names avatar objects (computes ids from a profile); only the
   * routes that do, since the key links every object URL back to its profile
   */
  hmacSecret?: boolean;
}

export interface Route {
  /** stable id, used for the Lambda's construct id and logical names */
  id: string;
  method: HttpMethod;
  /** API Gateway HTTP API path syntax: `/v1/admin/workspaces/{ws}` */
  path: string;
  handler: string;
  auth: RouteAuth;
  access: RouteAccess;
  memoryMb?: number;
  timeoutSeconds?: number;
}

export const ROUTES: readonly Route[] = [
  {
    id: 'Avatar',
    method: 'GET',
    path: '/v1/avatar',
    handler: 'avatar',
    auth: 'key',
    access: { table: 'readwrite', bucket: 'write', resolver: true, hmacSecret: true },
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  {
    id: 'AvatarsBatch',
    method: 'POST',
    path: '/v1/avatars/batch',
    handler: 'batch',
    auth: 'key',
    access: { table: 'readwrite', bucket: 'write', resolver: true, hmacSecret: true },
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  {
    id: 'Usage',
    method: 'GET',
    path: '/v1/usage',
    handler: 'usage',
    auth: 'key',
    access: { table: 'readwrite' },
  },
  {
    // the agent tools: get_avatar counts and serves like Avatar and reads the small image back
    // (bucket 'served'), get_avatars is a batch (same time limit), get_usage a usage read
    id: 'Mcp',
    method: 'POST',
    path: '/mcp',
    handler: 'mcp',
    auth: 'key',
    access: { table: 'readwrite', bucket: 'served', resolver: true, hmacSecret: true },
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  {
    id: 'WorkspaceCreate',
    method: 'POST',
    path: '/v1/admin/workspaces',
    handler: 'workspace-create',
    auth: 'admin',
    access: { table: 'readwrite' },
  },
  {
    id: 'WorkspaceGet',
    method: 'GET',
    path: '/v1/admin/workspaces/{ws}',
    handler: 'workspace-get',
    auth: 'admin',
    access: { table: 'read' },
  },
  {
    id: 'WorkspaceUpdate',
    method: 'PATCH',
    path: '/v1/admin/workspaces/{ws}',
    handler: 'workspace-update',
    auth: 'admin',
    access: { table: 'readwrite' },
  },
  {
    id: 'KeyCreate',
    method: 'POST',
    path: '/v1/admin/workspaces/{ws}/keys',
    handler: 'key-create',
    auth: 'admin',
    access: { table: 'readwrite' },
  },
  {
    id: 'KeyList',
    method: 'GET',
    path: '/v1/admin/workspaces/{ws}/keys',
    handler: 'key-list',
    auth: 'admin',
    access: { table: 'read' },
  },
  {
    id: 'KeyUpdate',
    method: 'PATCH',
    path: '/v1/admin/workspaces/{ws}/keys/{id}',
    handler: 'key-update',
    auth: 'admin',
    access: { table: 'readwrite' },
  },
  {
    id: 'KeyRevoke',
    method: 'DELETE',
    path: '/v1/admin/workspaces/{ws}/keys/{id}',
    handler: 'key-revoke',
    auth: 'admin',
    access: { table: 'readwrite' },
  },
  {
    id: 'KeyRoll',
    method: 'POST',
    path: '/v1/admin/workspaces/{ws}/keys/{id}/roll',
    handler: 'key-roll',
    auth: 'admin',
    access: { table: 'readwrite' },
  },
  {
    id: 'WorkspaceUsage',
    method: 'GET',
    path: '/v1/admin/workspaces/{ws}/usage',
    handler: 'workspace-usage',
    auth: 'admin',
    access: { table: 'read' },
  },
  {
    id: 'OpenApi',
    method: 'GET',
    path: '/v1/openapi.json',
    handler: 'openapi',
    auth: 'none',
    // readwrite only to flag a secret key sent in its query (spec section 1: on every route)
    access: { table: 'readwrite' },
    memoryMb: 256,
    timeoutSeconds: 5,
  },
];

/**
 * The photo resolver is a function but not a route: the avatar and batch functions invoke it on a
 * miss. It reads the HMAC secret to recompute each request's id from its profile (resolver/resolve.ts
 * requireProfileId), so no invoker can point one profile's avatar at another's photo.
 */
export const RESOLVER = {
  id: 'Resolver',
  handler: 'resolver',
  memoryMb: 1024,
  timeoutSeconds: 15,
  access: { table: 'readwrite', bucket: 'readwrite', hmacSecret: true } satisfies RouteAccess,
} as const;

/** The function behind the `$default` route (requests matching no route): catalogue 404/405, no data. */
export const FALLBACK = { id: 'Fallback', handler: 'fallback', memoryMb: 128, timeoutSeconds: 3 } as const;

export function routeKey(r: Pick<Route, 'method' | 'path'>): string {
  return `${r.method} ${r.path}`;
}

/** Match a concrete path against the table; used by the local gateway (API Gateway does this in AWS). */
export function matchRoute(
  method: string,
  path: string,
): { route: Route; pathParameters: Record<string, string> } | { allowed: HttpMethod[] } | undefined {
  const allowed: HttpMethod[] = [];
  for (const route of ROUTES) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    if (route.method === method.toUpperCase()) return { route, pathParameters: params };
    allowed.push(route.method);
  }
  return allowed.length ? { allowed } : undefined;
}

function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i];
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (!p[i]) return undefined;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(p[i]);
      } catch {
        return undefined;
      }
    } else if (seg !== p[i]) {
      return undefined;
    }
  }
  return params;
}
