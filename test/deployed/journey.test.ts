/**
 * The operator's and the user's whole journey against the stack as `cdk deploy` would ship it:
 * every function is its synthesized bundle on Node 22 with only its template environment
 * (support/deployment.ts). The operator uses the CLI with --region (SigV4 checked for real);
 * a web page's <img> uses the publishable key; a back end uses the secret key.
 *
 * Then the same assembly again on arm64, as Lambda runs it: the resolver's bundle on Node 22 for
 * linux-arm64 (under qemu-user, with Debian's arm64 glibc as the sysroot), with the sharp layer's
 * nodejs/node_modules on NODE_PATH exactly as synthesized — no x64 binaries anywhere on the path —
 * fetching a real photo and resizing it into the bucket. Skipped only where qemu-user-static is
 * missing (.ci/run installs it).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { profileId } from '../../lambdas/core/profile-id';
import { runCli } from '../support/cli-runner';
import { colourOf, expectPhotoColour } from '../support/provider';

import { verifySigV4 } from './support/aws-standins';
import { type Deployment, deploy, FUNCTION_ROLE, OPERATOR, REGION } from './support/deployment';
import { arm64Sysroot } from './support/function-host';
import { qemuAarch64 } from './support/lambda-node';

let d: Deployment;

beforeAll(async () => {
  // a short key cache (a deploy option) keeps the revocation wait short
  d = await deploy({ context: { keyCacheSeconds: '5' } });
}, 240_000);

afterAll(async () => {
  await d?.stop();
});

const operatorEnv = () => ({
  PATH: process.env.PATH,
  AVTRZ_ENDPOINT: d.apiUrl,
  AWS_ACCESS_KEY_ID: OPERATOR.accessKeyId,
  AWS_SECRET_ACCESS_KEY: OPERATOR.secretAccessKey,
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

async function cli(args: string[]) {
  const r = await runCli([...args, '--region', REGION, '--json'], operatorEnv(), 30_000);
  if (r.code !== 0) throw new Error(`avtrz ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const PAGE = { referer: 'https://example.com/team' };
const avatarUrl = (query: string) => `${d.apiUrl}/v1/avatar?${query}`;

describe('deployed stack: the operator and the user', () => {
  let ws: string;
  let web: { id: string; key: string };
  let backend: { id: string; key: string };

  it('the operator creates, lists, reads and updates a workspace through SigV4', async () => {
    const created = await cli(['workspaces', 'create', '--name', 'Deployed Co', '--quota', '1000']);
    expect(created).toMatchObject({ id: expect.stringMatching(/^ws_/), monthly_quota: 1000 });
    ws = created.id;
    const listed = await cli(['workspaces', 'list']);
    expect(listed.workspaces.map((w: { id: string }) => w.id)).toContain(ws);
    expect(await cli(['workspaces', 'get', '--workspace', ws])).toEqual(created);
    const upd = await cli(['workspaces', 'update', '--workspace', ws, '--quota', '2000']);
    expect(upd).toMatchObject({ id: ws, monthly_quota: 2000 });
  });

  it('creates a publishable and a secret key, lists and updates them', async () => {
    const pk = await cli([
      ...['keys', 'create', '--workspace', ws, '--type', 'publishable', '--name', 'web'],
      ...['--domain', 'example.com'],
    ]);
    expect(pk.key).toMatch(/^pk_live_/);
    web = { id: pk.id, key: pk.key };
    const sk = await cli(['keys', 'create', '--workspace', ws, '--type', 'secret', '--name', 'backend']);
    expect(sk.key).toMatch(/^sk_live_/);
    backend = { id: sk.id, key: sk.key };
    const renamed = await cli(['keys', 'update', '--workspace', ws, '--key', web.id, '--name', 'website']);
    expect(renamed).toMatchObject({ id: web.id, name: 'website', allowed_domains: ['example.com'] });
    const list = await cli(['keys', 'list', '--workspace', ws]);
    expect(list.keys.map((k: { id: string }) => k.id).sort()).toEqual([web.id, backend.id].sort());
    expect(JSON.stringify(list)).not.toContain(web.key);
  });

  it('an <img> with the publishable key gets a 302 to a resized photo on the CDN', async () => {
    const slug = 'deployed-img';
    const res = await fetch(avatarUrl(`key=${web.key}&linkedin_url=linkedin.com/in/${slug}&size=128`), {
      headers: { ...PAGE, accept: 'image/avif,image/webp,*/*' },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') as string;
    expect(location.startsWith(`${d.cdnOrigin}/a/`)).toBe(true);
    expect(res.headers.get('x-quota-remaining')).toBe('1999');
    const obj = await d.cdnGet(location);
    expect(obj.status).toBe(200);
    expect(obj.headers.get('content-type')).toMatch(/^image\//);
    const img = Buffer.from(await obj.arrayBuffer());
    const meta = await sharp(img).metadata();
    expect([meta.width, meta.height]).toEqual([128, 128]); // the provider's photo is 400×400
    await expectPhotoColour(img, colourOf(slug));
    expect(d.provider.hits.get(slug)).toBe(1);
  });

  it('a page on a domain the key does not allow is refused', async () => {
    const res = await fetch(avatarUrl(`key=${web.key}&linkedin_url=linkedin.com/in/x`), {
      headers: { referer: 'https://evil.test/' },
      redirect: 'manual',
    });
    expect(res.status).toBe(403);
  });

  it('the secret key: avatar, batch, and GET /v1/usage', async () => {
    const headers = { 'x-api-key': backend.key };
    const one = await fetch(avatarUrl('linkedin_url=linkedin.com/in/deployed-img&size=256'), {
      headers,
      redirect: 'manual',
    });
    expect(one.status).toBe(302);
    const big = await d.cdnGet(one.headers.get('location') as string);
    expect((await sharp(Buffer.from(await big.arrayBuffer())).metadata()).width).toBe(256);

    const batch = await fetch(`${d.apiUrl}/v1/avatars/batch`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        items: [{ linkedin_url: 'linkedin.com/in/deployed-b1', size: 64 }, { linkedin_url: 'not a profile' }],
      }),
    });
    expect(batch.status).toBe(200);
    const { results } = await batch.json();
    expect(results[0]).toMatchObject({ status: 'ok', url: expect.stringMatching(`^${d.cdnOrigin}/a/`) });
    expect(results[1]).toMatchObject({ status: 'error' });
    const b1 = await d.cdnGet(results[0].url);
    await expectPhotoColour(Buffer.from(await b1.arrayBuffer()), colourOf('deployed-b1'));

    const usage = await fetch(`${d.apiUrl}/v1/usage`, { headers });
    expect(usage.status).toBe(200);
    const body = await usage.json();
    expect(body).toMatchObject({ workspace_id: ws, monthly_quota: 2000, used: 3 });
    expect(usage.headers.get('x-quota-limit')).toBe('2000');
  });

  it('workspace usage through the CLI counts per key', async () => {
    const usage = await cli(['usage', '--workspace', ws]);
    expect(usage.used).toBe(3);
    const byId = Object.fromEntries(usage.keys.map((k: { id: string; used: number }) => [k.id, k.used]));
    expect(byId).toMatchObject({ [web.id]: 1, [backend.id]: 2 });
  });

  it('rolls and revokes; a revoked key is refused with 401', async () => {
    const rolled = await cli(['keys', 'roll', '--workspace', ws, '--key', backend.id, '--overlap', '0']);
    expect(rolled.key).toMatch(/^sk_live_/);
    expect(rolled.previous).toMatchObject({ id: backend.id });
    const fresh = await fetch(`${d.apiUrl}/v1/usage`, { headers: { 'x-api-key': rolled.key } });
    expect(fresh.status).toBe(200);
    const revoked = await cli(['keys', 'revoke', '--workspace', ws, '--key', rolled.id]);
    expect(revoked.status).toBe('revoked');
    // a function may hold the key in its cache for AVTRZ_KEY_CACHE_SECONDS: wait that out, bounded
    const ttl = Number([...d.environments.values()][0].AVTRZ_KEY_CACHE_SECONDS);
    expect(ttl).toBe(5);
    const until = Date.now() + (ttl + 5) * 1000;
    let status = 0;
    while (Date.now() < until) {
      status = (await fetch(`${d.apiUrl}/v1/usage`, { headers: { 'x-api-key': rolled.key } })).status;
      if (status === 401) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(status).toBe(401);
  }, 60_000);

  it('a path no route matches reaches the $default route: the catalogue 404 or 405', async () => {
    const missing = await fetch(`${d.apiUrl}/v2/nothing`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    const wrongMethod = await fetch(`${d.apiUrl}/v1/usage`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('the management API refuses unsigned and wrongly signed requests at the gateway', async () => {
    const unsigned = await fetch(`${d.apiUrl}/v1/admin/workspaces/${ws}`);
    expect(unsigned.status).toBe(403);
    const wrong = await runCli(['workspaces', 'get', '--workspace', ws, '--region', REGION], {
      ...operatorEnv(),
      AWS_SECRET_ACCESS_KEY: 'not-the-operator-secret',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/403/);
    // and a key of either type is no credential there
    const withKey = await fetch(`${d.apiUrl}/v1/admin/workspaces/${ws}`, {
      headers: { 'x-api-key': web.key },
    });
    expect(withKey.status).toBe(403);
  });

  it('the console is served by the CDN from the bucket, with the config.json written at deploy time', async () => {
    for (const route of ['/console/', '/console/workspaces/ws_x/keys/key_y']) {
      const page = await d.cdnGet(`${d.cdnOrigin}${route}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.headers.get('cache-control')).toBe('no-cache');
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      // the page may call the region's API Gateway hosts and the pool's managed login
      const connect = /connect-src ([^;]*)/.exec(csp)?.[1].split(' ');
      // (the region the template was synthesized for, as written in it)
      expect(connect?.some((s) => /^https:\/\/\*\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(s))).toBe(
        true,
      );
      expect(
        connect?.some((s) => /^https:\/\/[a-z0-9-]+\.auth\.[a-z0-9-]+\.amazoncognito\.com$/.test(s)),
      ).toBe(true);
      const html = await page.text();
      const js = /src="(assets\/app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
      const asset = await d.cdnGet(`${d.cdnOrigin}/console/${js}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
    const cfg = await (await d.cdnGet(`${d.cdnOrigin}/console/config.json`)).json();
    expect(cfg).toMatchObject({ apiBase: d.apiUrl, redirectUri: `${d.cdnOrigin}/console/` });
    expect(cfg.scope.split(' ')).toContain('avtrz/console');
    expect(cfg.issuer).toMatch(/^https:\/\/cognito-idp\.[a-z0-9-]+\.amazonaws\.com\//);
    expect(cfg.tokenEndpoint).toMatch(/\.amazoncognito\.com\/oauth2\/token$/);
    expect(cfg.clientId).toEqual(d.userPool?.clientId ?? expect.any(String));
    // the avatar behaviour is as before: nothing but /a/* (and now /console/*) is served
    expect((await d.cdnGet(`${d.cdnOrigin}/o/anything`)).status).toBe(404);
  });

  it('the console: a user of the pool reaches /v1/console through the JWT authorizer, a member only their workspace', async () => {
    const pool = d.userPool;
    if (!pool) throw new Error('the template has no user pool');
    const get = (path: string, token: string) =>
      fetch(`${d.apiUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    // the operator (group avtrz-operators) creates a second workspace from the console
    const operator = await pool.accessToken({ email: 'op@example.com', groups: ['avtrz-operators'] });
    const created = await fetch(`${d.apiUrl}/v1/console/workspaces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Console Co', monthly_quota: 10 }),
    });
    expect(created.status).toBe(201);
    const other = (await created.json()).id;
    const all = await (await get('/v1/console/workspaces', operator)).json();
    expect(all.workspaces.map((w: { id: string }) => w.id)).toEqual([other, ws]); // newest first

    // a member of `ws` (custom:workspaces, copied into the access token by the pool's trigger)
    const member = await pool.accessToken({ email: 'member@example.com', workspaces: ws });
    const mine = await get('/v1/console/workspaces', member);
    expect(mine.status).toBe(200);
    expect((await mine.json()).workspaces.map((w: { id: string }) => w.id)).toEqual([ws]);
    expect((await get(`/v1/console/workspaces/${ws}/keys`, member)).status).toBe(200);
    expect((await get(`/v1/console/workspaces/${other}`, member)).status).toBe(404);

    // what the authorizer refuses never reaches a function: API Gateway's own bodies
    const withKey = await get(`/v1/console/workspaces/${ws}`, web.key);
    expect(withKey.status).toBe(401);
    expect(await withKey.json()).toEqual({ message: 'Unauthorized' });
    const noScope = await get(
      `/v1/console/workspaces/${ws}`,
      await pool.accessToken({ email: 'x@example.com' }, { scope: 'openid email' }),
    );
    expect(noScope.status).toBe(403);
    expect(await noScope.json()).toEqual({ message: 'Forbidden' });
    const otherClient = await get(
      '/v1/console/workspaces',
      await pool.accessToken({ email: 'x@example.com' }, { client_id: 'another-client' }),
    );
    expect(otherClient.status).toBe(401);
  });

  it('every function in the template ran, and none answered 5xx', async () => {
    await d.settle();
    const notRun = d.functions.filter((f) => (d.hosts.get(f.logicalId)?.invocations.length ?? 0) === 0);
    expect(notRun.map((f) => f.logicalId)).toEqual([]);
    const failed = [...d.hosts.values()].flatMap((h) =>
      h.invocations
        .filter((o) => o.error)
        .map((o) => `${h.spec.logicalId}: ${o.error?.errorType} ${o.error?.errorMessage}`),
    );
    expect(failed).toEqual([]);
    expect(d.calls.filter((c) => c.status >= 500)).toEqual([]);
    // the HMAC secret came from Secrets Manager, by the ARN the template gave
    expect(d.secretReads.length).toBeGreaterThan(0);
  });

  it('a background refresh that fails for good goes to the on-failure destination', async () => {
    const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
    const resolver = d.functions.find((f) => f.layers.length > 0);
    const name = d.hosts.get(resolver?.logicalId as string)?.name;
    const client = new LambdaClient({
      endpoint: d.lambdaEndpoint,
      region: REGION,
      credentials: FUNCTION_ROLE,
    });
    try {
      // an event the resolver refuses: it fails on every attempt
      const out = await client.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'Event',
          Payload: Buffer.from('{"op":"refresh"}'),
        }),
      );
      expect(out.StatusCode).toBe(202);
    } finally {
      client.destroy();
    }
    await d.settle();
    const queue = Object.entries(d.assembly.template.Resources).find(([, r]) => r.Type === 'AWS::SQS::Queue');
    expect(queue).toBeDefined();
    expect(d.asyncFailures).toHaveLength(1);
    const [failure] = d.asyncFailures;
    expect(failure.destination).toMatch(new RegExp(`^arn:aws:sqs:${REGION}:\\d{12}:`));
    expect(failure.record.requestPayload).toEqual({ op: 'refresh' });
    // the template's MaximumRetryAttempts (1): the event and one retry
    expect(failure.record.requestContext.approximateInvokeCount).toBe(2);
    // and these two failures are the only ones any function had
    const failed = [...d.hosts.values()].flatMap((h) => h.invocations.filter((o) => o.error));
    expect(failed).toHaveLength(2);
  });

  it('no function logged a key', () => {
    const all = d.logs.join('\n');
    for (const k of [web.key, backend.key]) {
      expect(all).not.toContain(k);
      expect(all).not.toContain(k.slice(8)); // the secret part alone
    }
  });
});

describe('the SigV4 check itself', () => {
  it('accepts only the signature of the request as received', async () => {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Sha256 } = await import('@aws-crypto/sha256-js');
    const signer = new SignatureV4({
      service: 'execute-api',
      region: REGION,
      credentials: OPERATOR,
      sha256: Sha256,
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 9,
      path: '/v1/admin/workspaces/ws_x',
      query: { a: 'b' },
      headers: { host: '127.0.0.1:9' },
    });
    const req = {
      method: 'GET',
      url: '/v1/admin/workspaces/ws_x?a=b',
      headers: signed.headers as Record<string, string>,
      body: Buffer.alloc(0),
    };
    const expect_ = { service: 'execute-api', region: REGION, credentials: [OPERATOR] };
    expect(await verifySigV4(req, expect_)).toEqual({ ok: true, accessKeyId: OPERATOR.accessKeyId });
    expect((await verifySigV4({ ...req, url: '/v1/admin/workspaces/ws_y?a=b' }, expect_)).ok).toBe(false);
    expect((await verifySigV4({ ...req, method: 'DELETE' }, expect_)).ok).toBe(false);
    expect((await verifySigV4(req, { ...expect_, region: 'us-east-1' })).ok).toBe(false);
    const late = new Date(Date.now() + 10 * 60_000);
    expect((await verifySigV4(req, { ...expect_, now: late })).ok).toBe(false);
  });
});

const canRun = Boolean(qemuAarch64() && arm64Sysroot());
const maybe = canRun ? describe : describe.skip;

maybe('the resolver on linux-arm64 with the synthesized sharp layer', () => {
  let arm: Deployment;
  // the same synthesized assembly as above, brought up again with arm64 execution environments
  beforeAll(async () => {
    arm = await deploy({ arch: 'arm64', assembly: d.assembly });
  }, 240_000);
  afterAll(async () => {
    await arm?.stop();
  });

  const resolver = () => {
    const spec = arm.functions.find((f) => f.layers.length > 0);
    if (!spec) throw new Error('no function with a layer in the template');
    return arm.hosts.get(spec.logicalId) as NonNullable<ReturnType<typeof arm.hosts.get>>;
  };

  it('is the arm64 function of the template, started under qemu with the layer as synthesized', () => {
    const host = resolver();
    expect(host.spec.architecture).toBe('arm64');
    expect(host.command()[0]).toBe(qemuAarch64());
    const layerModules = path.join(host.spec.layers[0], 'nodejs', 'node_modules');
    expect(existsSync(path.join(layerModules, '@img', 'sharp-linux-arm64', 'package.json'))).toBe(true);
    expect(existsSync(path.join(layerModules, '@img', 'sharp-linux-x64'))).toBe(false);
    const nodePath = host.processEnv('127.0.0.1:1').NODE_PATH.split(':');
    expect(nodePath).toContain(layerModules);
    expect(nodePath.some((p) => p.includes('sharp-x64'))).toBe(false);
  });

  it('looks a profile up and stores a resized photo', async () => {
    const slug = 'arm64-photo';
    const profile = `linkedin.com/in/${slug}`;
    // the resolver recomputes the id with the deployment's HMAC secret: read it as the function does
    const env = resolver().processEnv('127.0.0.1:1');
    const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
    const sm = new SecretsManagerClient({
      endpoint: env.AWS_ENDPOINT_URL_SECRETS_MANAGER,
      region: REGION,
      credentials: FUNCTION_ROLE,
    });
    const secret = await sm
      .send(new GetSecretValueCommand({ SecretId: env.AVTRZ_HMAC_SECRET_ARN }))
      .finally(() => sm.destroy());
    const id = profileId(secret.SecretString as string, profile);
    const out = await resolver().invoke({ op: 'lookup', id, profile, size: 64, format: 'png' });
    expect(out.error).toBeUndefined();
    const result = out.payload as { key: string; record: { kind: string } };
    expect(result.record.kind).toBe('photo');
    expect(result.key).toMatch(new RegExp(`^a/${id}/[0-9a-f]{12}/64\\.png$`));
    const bucket = [...arm.environments.values()].find((e) => e.AVTRZ_BUCKET)?.AVTRZ_BUCKET;
    const obj = await arm.s3().send(new GetObjectCommand({ Bucket: bucket, Key: result.key }));
    const img = Buffer.from(
      await (obj.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
    );
    const meta = await sharp(img).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 64, 64]);
    await expectPhotoColour(img, colourOf(slug));
  }, 120_000);
});
