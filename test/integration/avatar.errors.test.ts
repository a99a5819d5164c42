/**
 * Every row of the error table (spec section 5), as JSON and as the image-load SVG, from the
 * one catalogue. Faults DynamoDB Local cannot produce (throttling, a bug) are injected with a
 * wrapped client.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { authenticate } from '../../lambdas/app/authenticate';
import { createHandler } from '../../lambdas/avatar/handler';
import { ERROR_CATALOGUE, type ErrorCode } from '../../lambdas/core/errors';
import { renderAvatarError } from '../../lambdas/http/avatar-error';
import { APP_ORIGIN, freshSlug, workspaceWithKeys } from '../support/avatar-fixtures';
import { type EventInput, invoke, makeEvent } from '../support/events';
import { coldStart, testRuntime } from '../support/runtime';

const handler = createHandler(testRuntime);

type Mode = 'json' | 'image';
const IMAGE_HEADERS: Record<Mode, Record<string, string>[]> = {
  json: [{ accept: 'application/json' }, {}],
  image: [{ 'sec-fetch-dest': 'image' }, { accept: 'image/avif,image/webp,image/apng,image/*,*/*;q=0.8' }],
};

let W: Awaited<ReturnType<typeof workspaceWithKeys>>;
let Z: Awaited<ReturnType<typeof workspaceWithKeys>>;
beforeAll(async () => {
  W = await workspaceWithKeys(1000);
  Z = await workspaceWithKeys(0);
});

function faulty(error: Error): DynamoDBDocumentClient {
  return { send: async () => Promise.reject(error) } as unknown as DynamoDBDocumentClient;
}

interface Row {
  code: ErrorCode;
  /** was linkedin_url valid (initials) or not (silhouette) */
  profileValid: boolean;
  input: () => EventInput;
  fault?: () => Error;
}

const SLUG = 'dana-scully';
const rows: Row[] = [
  {
    code: 'invalid_request',
    profileValid: false,
    input: () => ({
      query: { key: W.pk, linkedin_url: 'https://evil.test/in/dana-scully' },
      headers: APP_ORIGIN,
    }),
  },
  {
    code: 'invalid_request',
    profileValid: true,
    input: () => ({
      query: { key: W.pk, linkedin_url: `linkedin.com/in/${SLUG}`, size: '9' },
      headers: APP_ORIGIN,
    }),
  },
  {
    code: 'missing_key',
    profileValid: true,
    input: () => ({ query: { linkedin_url: `linkedin.com/in/${SLUG}` } }),
  },
  {
    code: 'invalid_key',
    profileValid: true,
    input: () => ({
      query: { key: 'pk_live_7f3e21bc94aa', linkedin_url: `linkedin.com/in/${SLUG}` },
      headers: APP_ORIGIN,
    }),
  },
  {
    code: 'domain_blocked',
    profileValid: true,
    input: () => ({
      query: { key: W.pk, linkedin_url: `linkedin.com/in/${SLUG}` },
      headers: { origin: 'https://evil.test' },
    }),
  },
  {
    code: 'plan_limit',
    profileValid: true,
    input: () => ({
      query: { key: Z.pk, linkedin_url: `linkedin.com/in/${freshSlug(SLUG)}` },
      headers: APP_ORIGIN,
    }),
  },
  {
    code: 'not_found',
    profileValid: true,
    input: () => ({
      query: { linkedin_url: `linkedin.com/in/${freshSlug(SLUG)}`, fallback: '404' },
      headers: { 'x-api-key': W.sk },
    }),
  },
  {
    code: 'method_not_allowed',
    profileValid: true,
    input: () => ({
      method: 'POST',
      query: { key: W.pk, linkedin_url: `linkedin.com/in/${SLUG}` },
      headers: APP_ORIGIN,
    }),
  },
  {
    code: 'internal_error',
    profileValid: true,
    input: () => ({ query: { key: W.pk, linkedin_url: `linkedin.com/in/${SLUG}` }, headers: APP_ORIGIN }),
    fault: () => new TypeError('secret internal detail at /var/task/index.js'),
  },
  {
    code: 'unavailable',
    profileValid: true,
    input: () => ({ query: { key: W.pk, linkedin_url: `linkedin.com/in/${SLUG}` }, headers: APP_ORIGIN }),
    fault: () =>
      Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
        name: 'ThrottlingException',
      }),
  },
  {
    code: 'unavailable',
    profileValid: true,
    input: () => ({ query: { key: W.pk, linkedin_url: `linkedin.com/in/${SLUG}` }, headers: APP_ORIGIN }),
    fault: () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:443'), { code: 'ECONNREFUSED' }),
  },
];

async function run(row: Row, headers: Record<string, string>) {
  const input = row.input();
  // a faulty client is a new container: an empty key cache, so the fault is met
  if (row.fault) coldStart({ dynamo: faulty(row.fault()) });
  try {
    return await invoke(handler, { ...input, headers: { ...input.headers, ...headers } });
  } finally {
    if (row.fault) coldStart();
  }
}

describe.each(
  rows.map(
    (r) =>
      [`${r.code}${r.fault ? ` (${r.fault().name})` : ''}${r.profileValid ? '' : ' bad url'}`, r] as const,
  ),
)('%s', (_name, row) => {
  const { status, type } = ERROR_CATALOGUE[row.code];

  it.each(IMAGE_HEADERS.json)('JSON body for %p', async (h) => {
    const res = await run(row, h);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/json');
    expect(res.json.error.code).toBe(row.code);
    expect(res.json.error.type).toBe(type);
    expect(res.json.error.request_id).toBe(res.headers['x-request-id']);
    expect(typeof res.json.error.message).toBe('string');
    expect(res.body).not.toMatch(/var\/task|stack|TypeError|ECONNREFUSED|10\.0\.0\.1|throughput/);
    if (row.code === 'invalid_request') expect(typeof res.json.error.param).toBe('string');
    if (row.code === 'plan_limit' || row.code === 'not_found') {
      expect(res.headers['x-quota-limit']).toBeDefined();
      expect(res.headers['x-quota-remaining']).toBeDefined();
      expect(res.headers['x-quota-reset']).toBeDefined();
    }
    if (row.code === 'method_not_allowed') expect(res.headers.allow).toBe('GET');
  });

  it.each(IMAGE_HEADERS.image)('SVG for image loads %p', async (h) => {
    const res = await run(row, h);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('image/svg+xml');
    expect(res.headers['x-avtrz-error']).toBe(row.code);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(res.body.startsWith('<svg')).toBe(true);
    expect(res.body).not.toContain('dana');
    expect(res.body).not.toContain('scully');
    expect(res.body).not.toContain('evil');
    if (row.profileValid) expect(res.body).toContain('>DS</text>');
    else expect(res.body).not.toContain('<text');
  });

  it('?debug=1 forces JSON even for an image load', async () => {
    const input = row.input();
    const res = await run(
      { ...row, input: () => ({ ...input, query: { ...input.query, debug: '1' } }) },
      { 'sec-fetch-dest': 'image', accept: 'image/*' },
    );
    expect(res.status).toBe(status);
    expect(res.json.error.code).toBe(row.code);
  });
});

describe('forbidden (publishable key on a secret-only route) through the same catalogue', () => {
  it.each(['batch', 'usage'] as const)('%s: 403 forbidden as JSON and as SVG', async (route) => {
    const event = makeEvent({ path: `/v1/${route}`, headers: { ...APP_ORIGIN, 'x-api-key': W.pk } });
    let err: unknown;
    try {
      await authenticate(testRuntime, event, route, new Date());
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'forbidden', status: 403, type: 'auth' });
    const asJson = renderAvatarError(err as never, event, 'rid');
    expect(asJson.statusCode).toBe(403);
    expect(JSON.parse(asJson.body as string).error).toMatchObject({
      code: 'forbidden',
      type: 'auth',
      request_id: 'rid',
    });
    const img = makeEvent({ headers: { 'sec-fetch-dest': 'image' } });
    const asSvg = renderAvatarError(err as never, img, 'rid');
    expect(asSvg.statusCode).toBe(403);
    expect(asSvg.headers['x-avtrz-error']).toBe('forbidden');
    expect(asSvg.headers['content-type']).toBe('image/svg+xml');
  });

  it('a secret key passes the same check on those routes', async () => {
    const event = makeEvent({ path: '/v1/usage', headers: { 'x-api-key': W.sk } });
    await expect(authenticate(testRuntime, event, 'usage', new Date())).resolves.toMatchObject({
      type: 'secret',
      workspaceId: W.ws,
    });
  });
});

describe('auth hints', () => {
  it('Bearer-only → 401 missing_key that points to x-api-key', async () => {
    const res = await invoke(handler, {
      query: { linkedin_url: 'linkedin.com/in/x' },
      headers: { authorization: `Bearer ${W.sk}`, accept: 'application/json' },
    });
    expect(res.status).toBe(401);
    expect(res.json.error.code).toBe('missing_key');
    expect(res.json.error.message).toContain('x-api-key');
  });

  it('publishable key without Origin/Referer → 403 domain_blocked naming Referrer-Policy', async () => {
    const res = await invoke(handler, {
      query: { key: W.pk, linkedin_url: 'linkedin.com/in/x', debug: '1' },
    });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe('domain_blocked');
    expect(res.json.error.message).toContain('Referrer-Policy');
  });
});
