/**
 * `avtrz users invite` (node bin/avtrz.js, as `npx avtrz` runs it):
 * - against the local stack: the user lands on the OIDC stand-in's sign-in picker, and their token
 *   opens exactly their workspace;
 * - with --region: the real AWS SDK calls Cognito's AdminCreateUser / AdminAddUserToGroup and
 *   CloudFormation's DescribeStacks (for the ConsoleUserPoolId output), answered here by small
 *   stand-ins that check each request's SigV4 signature, target and body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Credentials, verifySigV4 } from '../../lib/local/sigv4';
import { runCli } from '../support/cli-runner';
import { useLocalStack } from '../support/local-stack';

const stack = useLocalStack('cli-users');
const local = () => ({
  PATH: process.env.PATH,
  AVTRZ_ENDPOINT: stack.apiUrl,
  AVTRZ_ADMIN_TOKEN: stack.adminToken,
});

describe('avtrz users invite, local stack', () => {
  test('a member of a workspace: on the picker, and their token sees that workspace only', async () => {
    const r = await runCli(
      ['users', 'invite', '--email', 'Dev@Example.com', '--workspace', stack.demo.workspaceId, '--json'],
      local(),
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).user).toMatchObject({
      email: 'dev@example.com',
      workspaces: [stack.demo.workspaceId],
    });
    const user = stack.oidc.users().find((u) => u.email === 'dev@example.com');
    if (!user) throw new Error('not added');
    const token = await stack.oidc.mintAccessToken(user);
    const list = await fetch(`${stack.apiUrl}/v1/console/workspaces`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await list.json()).workspaces.map((w: { id: string }) => w.id)).toEqual([stack.demo.workspaceId]);
  });

  test('an operator; the same e-mail twice is refused (exit 1)', async () => {
    const first = await runCli(['users', 'invite', '--email', 'ops@example.com', '--operator'], local());
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/as an operator/);
    expect(stack.oidc.users().find((u) => u.email === 'ops@example.com')?.groups).toEqual([
      'avtrz-operators',
    ]);
    const again = await runCli(['users', 'invite', '--email', 'ops@example.com', '--operator'], local());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already a user/);
  });

  test('without the admin token the stand-in refuses (exit 1)', async () => {
    const r = await runCli(['users', 'invite', '--email', 'x@example.com', '--operator'], {
      ...local(),
      AVTRZ_ADMIN_TOKEN: undefined,
    });
    expect(r.code).toBe(1);
    expect(stack.oidc.users().some((u) => u.email === 'x@example.com')).toBe(false);
  });

  test.each([
    [['--email', 'a@example.com'], /--operator .* or --workspace/],
    [['--email', 'a@example.com', '--operator', '--workspace', 'ws_0000000000000000'], /not both/],
    [['--email', 'not-an-email', '--operator'], /--email must be an email/],
    [['--email', 'a@example.com', '--workspace', 'ws_short'], /workspace ids/],
  ])('%p is a usage error (exit 2)', async (args, message) => {
    const r = await runCli(['users', 'invite', ...args], local());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('avtrz users invite --region (Cognito, CloudFormation)', () => {
  const CREDS: Credentials = { accessKeyId: 'AKIAINVITER00EXAMPLE', secretAccessKey: 'inviter-secret' };
  const REGION = 'eu-west-1';
  const POOL = 'eu-west-1_Pool123';
  const seen: { service: string; target: string; body: Record<string, unknown> }[] = [];
  let server: http.Server;
  let endpoint = '';

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const body = Buffer.concat(chunks);
        const target = String(req.headers['x-amz-target'] ?? '');
        const service = target ? 'cognito-idp' : 'cloudformation';
        const verdict = await verifySigV4(
          { method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body },
          { service, region: REGION, credentials: [CREDS] },
        );
        if (!verdict.ok) {
          res.writeHead(403, { 'content-type': 'application/x-amz-json-1.1' });
          return res.end(JSON.stringify({ __type: 'UnrecognizedClientException', message: verdict.message }));
        }
        if (service === 'cloudformation') {
          const form = new URLSearchParams(body.toString('utf8'));
          seen.push({ service, target: form.get('Action') ?? '', body: Object.fromEntries(form) });
          res.writeHead(200, { 'content-type': 'text/xml' });
          return res.end(
            `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member><StackName>${form.get('StackName')}</StackName><StackId>arn:aws:cloudformation:${REGION}:123456789012:stack/x/1</StackId><CreationTime>2026-01-01T00:00:00Z</CreationTime><StackStatus>CREATE_COMPLETE</StackStatus><Outputs><member><OutputKey>ConsoleUserPoolId</OutputKey><OutputValue>${POOL}</OutputValue></member></Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
          );
        }
        const input = JSON.parse(body.toString('utf8'));
        seen.push({ service, target, body: input });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        if (target.endsWith('.AdminCreateUser')) {
          return res.end(
            JSON.stringify({
              User: {
                Username: 'generated-sub',
                Attributes: [{ Name: 'sub', Value: 'generated-sub' }, ...input.UserAttributes],
                UserStatus: 'FORCE_CHANGE_PASSWORD',
                Enabled: true,
              },
            }),
          );
        }
        return res.end('{}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    seen.length = 0;
  });

  const aws = () => ({
    PATH: process.env.PATH,
    AWS_ACCESS_KEY_ID: CREDS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey,
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: endpoint,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoint,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });

  test('an operator: the pool from the stack output, AdminCreateUser then AdminAddUserToGroup', async () => {
    const r = await runCli(
      [
        'users',
        'invite',
        '--email',
        'ops@example.com',
        '--operator',
        '--region',
        REGION,
        '--stack',
        'avtrz-dev',
        '--json',
      ],
      aws(),
    );
    expect(r.code).toBe(0);
    expect(seen.map((s) => s.target)).toEqual([
      'DescribeStacks',
      'AWSCognitoIdentityProviderService.AdminCreateUser',
      'AWSCognitoIdentityProviderService.AdminAddUserToGroup',
    ]);
    expect(seen[0].body.StackName).toBe('avtrz-dev');
    expect(seen[1].body).toMatchObject({
      UserPoolId: POOL,
      Username: 'ops@example.com',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: [
        { Name: 'email', Value: 'ops@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    expect(seen[2].body).toEqual({
      UserPoolId: POOL,
      Username: 'ops@example.com',
      GroupName: 'avtrz-operators',
    });
    expect(JSON.parse(r.stdout)).toMatchObject({
      user_pool: POOL,
      user: { sub: 'generated-sub', groups: ['avtrz-operators'] },
    });
  });

  test('a member with --user-pool: custom:workspaces set, no group, no stack lookup', async () => {
    const ws = ['ws_0123456789abcdef', 'ws_fedcba9876543210'];
    const r = await runCli(
      [
        'users',
        'invite',
        '--email',
        'dev@example.com',
        '--workspace',
        ws[0],
        '--workspace',
        ws[1],
        '--region',
        REGION,
        '--user-pool',
        POOL,
      ],
      aws(),
    );
    expect(r.code).toBe(0);
    expect(seen.map((s) => s.target)).toEqual(['AWSCognitoIdentityProviderService.AdminCreateUser']);
    expect(seen[0].body.UserAttributes).toContainEqual({ Name: 'custom:workspaces', Value: ws.join(',') });
  });
});
