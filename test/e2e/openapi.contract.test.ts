/**
 * The contract: real requests through the local stack (test/support/local-stack.ts, real HTTP),
 * for every route its success answer and each error it documents, each answer checked against
 * GET /v1/openapi.json as served: the status is one the operation documents, the required headers
 * are there and match their schemas, and the body matches the schema of its content type (ajv,
 * JSON Schema 2020-12). At the end, every documented (route, status, code) was exercised.
 */
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ErrorCode } from '../../lambdas/core/errors';
import { ROUTES } from '../../lambdas/routes';
import { OPERATOR_EMAIL } from '../../lib/local/oidc';
import { adminHeaders, adminPost, useLocalStack } from '../support/local-stack';

const stack = useLocalStack('contract');

// biome-ignore lint/suspicious/noExplicitAny: the document is read as plain JSON
let doc: any;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

interface Req {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: unknown;
}
interface Case {
  route: string;
  /** 'ok' = the documented success answer */
  expect: ErrorCode | 'ok';
  name?: string;
  req: () => Req;
}

const APP = { origin: 'https://app.example.com' };
const EVIL = { origin: 'https://evil.test' };
const JSON_ACCEPT = { accept: 'application/json' };
const UNKNOWN_WS = 'ws_0000000000000000';
const UNKNOWN_KEY = 'key_0000000000000000';
let n = 0;
const fresh = () => `contract-${process.pid}-${Date.now().toString(36)}-${++n}`;

/** The workspaces and keys the cases use, made through the admin API. */
const F = {} as {
  ws: string;
  pk: string;
  sk: string;
  keyId: string;
  /** the key the console twins update, roll and revoke (the admin cases use keyId) */
  consoleKeyId: string;
  rolled: string;
  empty: { ws: string; pk: string };
};

async function setUp() {
  const ws = await adminPost(stack, '/v1/admin/workspaces', { name: 'contract', monthly_quota: 1000 });
  const key = (wsId: string, type: string) =>
    adminPost(stack, `/v1/admin/workspaces/${wsId}/keys`, {
      type,
      name: type,
      allowed_domains: ['app.example.com'],
    });
  const pk = await key(ws.id, 'publishable');
  const sk = await key(ws.id, 'secret');
  const spare = await key(ws.id, 'secret');
  const consoleSpare = await key(ws.id, 'secret');
  const rolled = await key(ws.id, 'secret');
  await adminPost(stack, `/v1/admin/workspaces/${ws.id}/keys/${rolled.id}/roll`, { overlap_seconds: 60 });
  const empty = await adminPost(stack, '/v1/admin/workspaces', { name: 'no quota', monthly_quota: 0 });
  const emptyPk = await key(empty.id, 'publishable');
  Object.assign(F, {
    ws: ws.id,
    pk: pk.key,
    sk: sk.key,
    keyId: spare.id,
    consoleKeyId: consoleSpare.id,
    rolled: rolled.id,
    empty: { ws: empty.id, pk: emptyPk.key },
  });
}

const admin = (stackHeaders = true) =>
  stackHeaders ? adminHeaders(stack) : { 'content-type': 'application/json' };

/** Errors every admin route documents, made the same way for each. */
function adminErrors(route: string, build: (ws: string) => Req): Case[] {
  return [
    {
      route,
      expect: 'invalid_key',
      name: 'a secret key in the query',
      req: () => {
        const r = build(F.ws);
        return { ...r, query: { ...r.query, api_key: F.sk } };
      },
    },
    {
      route,
      expect: 'forbidden',
      name: 'no operator credential',
      req: () => ({ ...build(F.ws), headers: admin(false) }),
    },
    {
      route,
      expect: 'forbidden',
      name: 'an API key on the management API',
      req: () => ({ ...build(F.ws), headers: { ...admin(), 'x-api-key': F.sk } }),
    },
  ];
}
const notFound = (route: string, build: (ws: string) => Req): Case => ({
  route,
  expect: 'not_found',
  req: () => build(UNKNOWN_WS),
});
const adminOk = (route: string, build: (ws: string) => Req): Case => ({
  route,
  expect: 'ok',
  req: () => build(F.ws),
});
const withAdmin = (r: Omit<Req, 'headers'>): Req => ({ ...r, headers: admin() });

const keyRouteErrors = (route: string, build: () => Req): Case[] => [
  { route, expect: 'missing_key', req: () => ({ ...build(), headers: JSON_ACCEPT }) },
  {
    route,
    expect: 'invalid_key',
    req: () => ({ ...build(), headers: { ...JSON_ACCEPT, 'x-api-key': 'sk_live_notakey' } }),
  },
];

const wsPath = (ws: string) => `/v1/admin/workspaces/${ws}`;
const keysPath = (ws: string) => `${wsPath(ws)}/keys`;
const keyPath = (ws: string, id = F.keyId) => `${keysPath(ws)}/${id}`;

const avatar = (query: Record<string, string>, headers: Record<string, string> = {}): Req => ({
  path: '/v1/avatar',
  query,
  headers,
});
const batch = (body: unknown, headers: Record<string, string> = { 'x-api-key': F.sk }): Req => ({
  method: 'POST',
  path: '/v1/avatars/batch',
  headers: { 'content-type': 'application/json', ...headers },
  body,
});
const usage = (
  query: Record<string, string> = {},
  headers: Record<string, string> = { 'x-api-key': F.sk },
): Req => ({
  path: '/v1/usage',
  query,
  headers,
});

const mcp = (headers: Record<string, string>): Req => ({
  method: 'POST',
  path: '/mcp',
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
  body: { jsonrpc: '2.0', id: 1, method: 'tools/list' },
});

const CASES: Case[] = [
  // GET /v1/avatar
  {
    route: 'Avatar',
    expect: 'ok',
    name: 'publishable key in the query',
    req: () => avatar({ key: F.pk, linkedin_url: `linkedin.com/in/${fresh()}` }, APP),
  },
  {
    route: 'Avatar',
    expect: 'ok',
    name: 'secret key, by username',
    req: () => avatar({ username: fresh(), size: '100', format: 'png' }, { 'x-api-key': F.sk }),
  },
  {
    route: 'Avatar',
    expect: 'invalid_request',
    req: () =>
      avatar({ key: F.pk, linkedin_url: 'linkedin.com/in/dana', size: '4' }, { ...APP, ...JSON_ACCEPT }),
  },
  {
    route: 'Avatar',
    expect: 'invalid_request',
    name: 'both linkedin_url and username, as an image load (SVG)',
    req: () =>
      avatar(
        { key: F.pk, linkedin_url: 'linkedin.com/in/dana', username: 'dana' },
        { ...APP, 'sec-fetch-dest': 'image', accept: 'image/*' },
      ),
  },
  ...keyRouteErrors('Avatar', () => avatar({ linkedin_url: 'linkedin.com/in/dana' })),
  {
    route: 'Avatar',
    expect: 'domain_blocked',
    req: () => avatar({ key: F.pk, linkedin_url: 'linkedin.com/in/dana' }, { ...EVIL, ...JSON_ACCEPT }),
  },
  {
    route: 'Avatar',
    expect: 'plan_limit',
    req: () => avatar({ key: F.empty.pk, username: fresh() }, { ...APP, ...JSON_ACCEPT }),
  },
  {
    route: 'Avatar',
    expect: 'not_found',
    req: () => avatar({ username: fresh(), fallback: '404' }, { 'x-api-key': F.sk, ...JSON_ACCEPT }),
  },

  // POST /v1/avatars/batch
  {
    route: 'AvatarsBatch',
    expect: 'ok',
    req: () =>
      batch({
        items: [
          { linkedin_url: `https://www.linkedin.com/in/${fresh()}/`, size: 256 },
          { username: fresh(), size: '48', format: 'jpeg' },
          { linkedin_url: 'https://example.com/in/nobody' },
          { username: 'a', linkedin_url: 'linkedin.com/in/a' },
          'not an object',
        ],
      }),
  },
  { route: 'AvatarsBatch', expect: 'invalid_request', req: () => batch({ items: [] }) },
  ...keyRouteErrors('AvatarsBatch', () => batch({ items: [{ username: 'a' }] })),
  {
    route: 'AvatarsBatch',
    expect: 'forbidden',
    req: () => batch({ items: [{ username: 'a' }] }, { 'x-api-key': F.pk, ...APP }),
  },
  {
    route: 'AvatarsBatch',
    expect: 'domain_blocked',
    req: () => batch({ items: [{ username: 'a' }] }, { 'x-api-key': F.sk, ...EVIL }),
  },

  // GET /v1/usage
  { route: 'Usage', expect: 'ok', req: () => usage() },
  { route: 'Usage', expect: 'invalid_request', req: () => usage({ month: '2026-13' }) },
  ...keyRouteErrors('Usage', () => usage()),
  { route: 'Usage', expect: 'forbidden', req: () => usage({}, { 'x-api-key': F.pk, ...APP }) },
  { route: 'Usage', expect: 'domain_blocked', req: () => usage({}, { 'x-api-key': F.sk, ...EVIL }) },

  // POST /mcp (the protocol's own answers are the SDK's; here the envelope and the key refusals)
  { route: 'Mcp', expect: 'ok', req: () => mcp({ 'x-api-key': F.sk }) },
  ...keyRouteErrors('Mcp', () => mcp({})),
  { route: 'Mcp', expect: 'forbidden', req: () => mcp({ 'x-api-key': F.pk, ...APP }) },
  { route: 'Mcp', expect: 'domain_blocked', req: () => mcp({ 'x-api-key': F.sk, ...EVIL }) },

  // management
  {
    route: 'WorkspaceCreate',
    expect: 'ok',
    req: () =>
      withAdmin({ method: 'POST', path: '/v1/admin/workspaces', body: { name: 'new', monthly_quota: 5 } }),
  },
  {
    route: 'WorkspaceCreate',
    expect: 'invalid_request',
    req: () => withAdmin({ method: 'POST', path: '/v1/admin/workspaces', body: { name: 'new', extra: 1 } }),
  },
  ...adminErrors('WorkspaceCreate', () =>
    withAdmin({ method: 'POST', path: '/v1/admin/workspaces', body: { name: 'x', monthly_quota: 1 } }),
  ),

  adminOk('WorkspaceList', () => withAdmin({ path: '/v1/admin/workspaces', query: { limit: '2' } })),
  {
    route: 'WorkspaceList',
    expect: 'invalid_request',
    req: () => withAdmin({ path: '/v1/admin/workspaces', query: { cursor: 'not a cursor' } }),
  },
  ...adminErrors('WorkspaceList', () => withAdmin({ path: '/v1/admin/workspaces' })),

  adminOk('WorkspaceGet', (ws) => withAdmin({ path: wsPath(ws) })),
  ...adminErrors('WorkspaceGet', (ws) => withAdmin({ path: wsPath(ws) })),
  notFound('WorkspaceGet', (ws) => withAdmin({ path: wsPath(ws) })),

  adminOk('WorkspaceUpdate', (ws) =>
    withAdmin({ method: 'PATCH', path: wsPath(ws), body: { monthly_quota: 1000 } }),
  ),
  {
    route: 'WorkspaceUpdate',
    expect: 'invalid_request',
    req: () => withAdmin({ method: 'PATCH', path: wsPath(F.ws), body: {} }),
  },
  ...adminErrors('WorkspaceUpdate', (ws) =>
    withAdmin({ method: 'PATCH', path: wsPath(ws), body: { name: 'x' } }),
  ),
  notFound('WorkspaceUpdate', (ws) => withAdmin({ method: 'PATCH', path: wsPath(ws), body: { name: 'x' } })),

  adminOk('KeyCreate', (ws) =>
    withAdmin({
      method: 'POST',
      path: keysPath(ws),
      body: { type: 'secret', name: 'made', allowed_domains: [] },
    }),
  ),
  {
    route: 'KeyCreate',
    expect: 'invalid_request',
    req: () =>
      withAdmin({ method: 'POST', path: keysPath(F.ws), body: { type: 'publishable', name: 'web' } }),
  },
  ...adminErrors('KeyCreate', (ws) =>
    withAdmin({ method: 'POST', path: keysPath(ws), body: { type: 'secret', name: 'x' } }),
  ),
  notFound('KeyCreate', (ws) =>
    withAdmin({ method: 'POST', path: keysPath(ws), body: { type: 'secret', name: 'x' } }),
  ),

  adminOk('KeyList', (ws) => withAdmin({ path: keysPath(ws) })),
  ...adminErrors('KeyList', (ws) => withAdmin({ path: keysPath(ws) })),
  notFound('KeyList', (ws) => withAdmin({ path: keysPath(ws) })),

  adminOk('KeyUpdate', (ws) =>
    withAdmin({
      method: 'PATCH',
      path: keyPath(ws),
      body: { allowed_domains: ['APP.example.com', 'localhost:5173'] },
    }),
  ),
  {
    route: 'KeyUpdate',
    expect: 'invalid_request',
    req: () =>
      withAdmin({ method: 'PATCH', path: keyPath(F.ws), body: { allowed_domains: ['http://a.com/x'] } }),
  },
  ...adminErrors('KeyUpdate', (ws) => withAdmin({ method: 'PATCH', path: keyPath(ws), body: { name: 'x' } })),
  {
    route: 'KeyUpdate',
    expect: 'not_found',
    req: () => withAdmin({ method: 'PATCH', path: keyPath(F.ws, UNKNOWN_KEY), body: { name: 'x' } }),
  },

  adminOk('KeyRoll', (ws) =>
    withAdmin({ method: 'POST', path: `${keyPath(ws)}/roll`, body: { overlap_seconds: 60 } }),
  ),
  {
    route: 'KeyRoll',
    expect: 'invalid_request',
    req: () => withAdmin({ method: 'POST', path: `${keyPath(F.ws)}/roll`, body: { overlap_seconds: -1 } }),
  },
  {
    route: 'KeyRoll',
    expect: 'conflict',
    req: () => withAdmin({ method: 'POST', path: `${keyPath(F.ws, F.rolled)}/roll` }),
  },
  ...adminErrors('KeyRoll', (ws) => withAdmin({ method: 'POST', path: `${keyPath(ws)}/roll` })),
  notFound('KeyRoll', (ws) => withAdmin({ method: 'POST', path: `${keyPath(ws, UNKNOWN_KEY)}/roll` })),

  adminOk('KeyRevoke', (ws) => withAdmin({ method: 'DELETE', path: keyPath(ws) })),
  ...adminErrors('KeyRevoke', (ws) => withAdmin({ method: 'DELETE', path: keyPath(ws) })),
  notFound('KeyRevoke', (ws) => withAdmin({ method: 'DELETE', path: keyPath(ws, UNKNOWN_KEY) })),

  adminOk('WorkspaceUsage', (ws) => withAdmin({ path: `${wsPath(ws)}/usage` })),
  {
    route: 'WorkspaceUsage',
    expect: 'invalid_request',
    req: () => withAdmin({ path: `${wsPath(F.ws)}/usage`, query: { month: 'soon' } }),
  },
  ...adminErrors('WorkspaceUsage', (ws) => withAdmin({ path: `${wsPath(ws)}/usage` })),
  notFound('WorkspaceUsage', (ws) => withAdmin({ path: `${wsPath(ws)}/usage` })),

  { route: 'OpenApi', expect: 'ok', req: () => ({ path: '/v1/openapi.json' }) },
  {
    route: 'OpenApi',
    expect: 'invalid_key',
    req: () => ({ path: '/v1/openapi.json', query: { key: F.sk } }),
  },
];

/**
 * The console twin of every admin case (same function, /v1/console/…, the operator's access token
 * instead of the admin token): no credential is the authorizer's 401 unauthorized there.
 */
let operatorToken = '';
const ADMIN_IDS = new Set(ROUTES.filter((r) => r.auth === 'admin').map((r) => r.id));
const CONSOLE_CASES: Case[] = CASES.filter((c) => ADMIN_IDS.has(c.route)).map((c) => ({
  route: `Console${c.route}`,
  name: c.name,
  expect: c.name === 'no operator credential' ? 'unauthorized' : c.expect,
  req: () => {
    const r = c.req();
    const headers = { ...r.headers };
    if (headers.authorization) headers.authorization = `Bearer ${operatorToken}`;
    const path = r.path.replace('/v1/admin/', '/v1/console/').replace(F.keyId, F.consoleKeyId);
    return { ...r, path, headers };
  },
}));
CONSOLE_CASES.push({
  route: 'ConsoleWorkspaceGet',
  expect: 'forbidden',
  name: 'a token without the console scope',
  req: () => ({
    path: `/v1/console/workspaces/${F.ws}`,
    headers: { authorization: `Bearer ${unscopedToken}` },
  }),
});
let unscopedToken = '';

async function send(r: Req): Promise<Response> {
  const qs = r.query ? `?${new URLSearchParams(r.query)}` : '';
  return fetch(`${stack.apiUrl}${r.path}${qs}`, {
    method: r.method ?? 'GET',
    headers: r.headers,
    body: r.body === undefined ? undefined : JSON.stringify(r.body),
    redirect: 'manual',
  });
}

const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
/** A schema of the document, its `#/components/…` references resolved in the document. */
function validator(schema: object) {
  const text = JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/');
  let v = compiled.get(text);
  if (!v) {
    v = ajv.compile(JSON.parse(text));
    compiled.set(text, v);
  }
  return v;
}

/** Checks one answer against the operation's documented response; returns what it was. */
async function checkAgainstDocument(c: Case, res: Response): Promise<{ status: number; code?: string }> {
  const route = ROUTES.find((r) => r.id === c.route);
  if (!route) throw new Error(`no route ${c.route}`);
  const op = doc.paths[route.path]?.[route.method.toLowerCase()];
  expect(op).toBeDefined();
  const documented = op.responses[String(res.status)];
  const where = `${c.route} ${c.name ?? c.expect} → ${res.status}`;
  if (!documented)
    throw new Error(`${where}: status not documented (${Object.keys(op.responses).join(', ')})`);

  for (const [name, h] of Object.entries(documented.headers ?? {}) as [
    string,
    { required?: boolean; schema: object },
  ][]) {
    const value = res.headers.get(name);
    if (h.required && value === null) throw new Error(`${where}: required header ${name} missing`);
    if (value !== null) {
      const ok = validator(h.schema);
      if (!ok(value)) throw new Error(`${where}: header ${name}=${value}: ${ajv.errorsText(ok.errors)}`);
    }
  }

  const text = await res.text();
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim();
  if (!documented.content) {
    expect(text).toBe('');
    return { status: res.status };
  }
  const media = documented.content[type];
  if (!media)
    throw new Error(`${where}: content-type ${type} not documented (${Object.keys(documented.content)})`);
  let body: unknown = text;
  if (type === 'application/json') body = JSON.parse(text);
  const ok = validator(media.schema);
  if (!ok(body)) throw new Error(`${where}: body ${text.slice(0, 300)}: ${ajv.errorsText(ok.errors)}`);
  if (type === 'image/svg+xml')
    return { status: res.status, code: res.headers.get('x-avtrz-error') ?? undefined };
  return { status: res.status, code: (body as { error?: { code?: string } }).error?.code };
}

const seen = new Set<string>();

beforeAll(async () => {
  await setUp();
  const operator = stack.oidc.users().find((u) => u.email === OPERATOR_EMAIL);
  if (!operator) throw new Error('no local operator user');
  operatorToken = await stack.oidc.mintAccessToken(operator);
  unscopedToken = await stack.oidc.mintAccessToken(operator, { scope: 'openid' });
  const res = await fetch(`${stack.apiUrl}/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
  ajv.addSchema({ ...doc, $id: 'openapi' }, 'openapi');
}, 60_000);

describe.each([...CASES, ...CONSOLE_CASES].map((c) => [`${c.route}: ${c.name ?? c.expect}`, c] as const))(
  '%s',
  (_name, c) => {
    test('answers as documented', async () => {
      const res = await send(c.req());
      const got = await checkAgainstDocument(c, res);
      if (c.expect === 'ok') {
        const route = ROUTES.find((r) => r.id === c.route);
        const op = doc.paths[route?.path ?? ''][route?.method.toLowerCase() ?? ''];
        const success = Object.keys(op.responses).find((s) => /^[23]/.test(s));
        expect(String(got.status)).toBe(success);
      } else {
        expect(got.code).toBe(c.expect);
      }
      seen.add(`${c.route} ${c.expect}`);
    });
  },
);

test('every route of the table: its success and each error it documents were exercised above', () => {
  const want: string[] = [];
  for (const route of ROUTES) {
    const op = doc.paths[route.path][route.method.toLowerCase()];
    want.push(`${route.id} ok`);
    for (const [status, r] of Object.entries(op.responses) as [
      string,
      { content?: Record<string, { schema: unknown }> },
    ][]) {
      if (!/^[45]/.test(status)) continue;
      const schema = r.content?.['application/json']?.schema as { $ref?: string; oneOf?: { $ref: string }[] };
      for (const ref of schema.oneOf ?? [schema]) {
        const m = /Error_(\w+)$/.exec(ref.$ref ?? '');
        if (m) want.push(`${route.id} ${m[1]}`);
      }
    }
  }
  expect(want.filter((w) => !seen.has(w))).toEqual([]);
});
